"""Running pmo-bot: HTTP behind gunicorn, or Socket Mode for local development."""

from __future__ import annotations

import logging
from typing import Any

from gunicorn.app.base import BaseApplication

from bot.app import build_runtime
from bot.settings import Settings
from bot.web import create_web_app

logger = logging.getLogger(__name__)


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    """gunicorn run from our CLI; each worker builds its own runtime (no shared pools)."""

    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self._settings = settings
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return create_web_app(build_runtime(self._settings))


def serve_http(settings: Settings, *, host: str = "0.0.0.0", threads: int = 8) -> None:
    """Listen on PORT with one gthread worker: Bolt acks first, then works in threads."""
    options = {
        "bind": f"{host}:{settings.PORT}",
        "workers": 1,
        "worker_class": "gthread",
        "threads": threads,
        "timeout": 60,
        "accesslog": "-",
    }
    _Gunicorn(settings, options).run()


def serve_socket_mode(settings: Settings) -> None:
    """Connect to Slack over a WebSocket with the app-level token; no public URL needed."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    runtime = build_runtime(settings)
    assert settings.SLACK_APP_TOKEN
    SocketModeHandler(runtime.app, settings.SLACK_APP_TOKEN).start()
