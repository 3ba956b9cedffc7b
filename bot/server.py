"""Running pmo-bot: HTTP behind gunicorn, or Socket Mode for local development."""

from __future__ import annotations

import logging
import threading
from typing import Any

from gunicorn.app.base import BaseApplication

from bot.app import build_runtime
from bot.scheduler import SchedulerService
from bot.settings import Settings
from bot.web import create_web_app

logger = logging.getLogger(__name__)


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    """gunicorn run from our CLI; the worker builds its own runtime (no pools across fork)."""

    def __init__(self, settings: Settings, options: dict[str, Any], scheduler: bool) -> None:
        self._settings = settings
        self._options = options
        self._scheduler = scheduler
        self._service: SchedulerService | None = None
        self._thread: threading.Thread | None = None
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)
        self.cfg.set("worker_exit", self._worker_exit)

    def load(self) -> Any:
        runtime = build_runtime(self._settings)
        if self._scheduler:
            # In the worker, after the fork: threads don't survive a fork.
            self._service = SchedulerService(runtime)
            self._thread = self._service.start_in_background()
        return create_web_app(runtime)

    def _worker_exit(self, server: Any, worker: Any) -> None:
        # Give the lease back on the way out, so another replica need not wait for it to lapse.
        if self._service is not None and self._thread is not None:
            self._service.stop()
            self._thread.join(timeout=10)


def serve_http(
    settings: Settings, *, scheduler: bool, host: str = "0.0.0.0", threads: int = 8
) -> None:
    """Listen on PORT with one gthread worker: Bolt acks first, then works in threads."""
    options = {
        "bind": f"{host}:{settings.PORT}",
        "workers": 1,
        "worker_class": "gthread",
        "threads": threads,
        "timeout": 60,
        "accesslog": "-",
    }
    _Gunicorn(settings, options, scheduler).run()


def serve_socket_mode(settings: Settings, *, scheduler: bool) -> None:
    """Connect to Slack over a WebSocket with the app-level token; no public URL needed."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    runtime = build_runtime(settings)
    if scheduler:
        SchedulerService(runtime).start_in_background()
    assert settings.SLACK_APP_TOKEN
    SocketModeHandler(runtime.app, settings.SLACK_APP_TOKEN).start()
