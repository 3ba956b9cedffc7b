"""Running pmo-bot: HTTP behind gunicorn, or Socket Mode for local development."""

from __future__ import annotations

import logging
import signal
import threading
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from bot.app import Runtime, build_runtime
from bot.scheduler import SchedulerService
from bot.settings import Settings
from bot.web import create_web_app

logger = logging.getLogger(__name__)

# Seconds a stopping process has to finish its listeners and deliver what they enqueued;
# gunicorn kills a worker still busy after that (the Procfile's web line says the same).
GRACEFUL_TIMEOUT = 30
# Of which the last few are left for the exit itself.
EXIT_MARGIN = 5
RUNTIME = "pmo_bot.runtime"


def start_web_app(runtime: Runtime) -> Flask:
    """The WSGI app of a process that is starting (in gunicorn, a worker after the fork); it
    sends what waited in the outbox at once, not at the first request."""
    web = create_web_app(runtime)
    web.extensions[RUNTIME] = runtime  # for finish_worker, when the worker stops
    runtime.courier.send_soon()
    return web


def finish_worker(worker: Any) -> None:
    """gunicorn's `worker_exit` hook: let the listeners of requests already acknowledged
    end, and deliver what they enqueued, before the worker is gone."""
    runtime = getattr(getattr(worker, "wsgi", None), "extensions", {}).get(RUNTIME)
    if runtime is None:
        return  # the worker stopped before it loaded the app
    logger.info("finishing the work in flight before exiting")
    try:
        runtime.finish(max(worker.cfg.graceful_timeout - EXIT_MARGIN, 1))
    except Exception:
        logger.exception("could not finish the work in flight; the outbox keeps what was stored")


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
        return start_web_app(runtime)

    def _worker_exit(self, server: Any, worker: Any) -> None:
        # Give the lease back on the way out, so another replica need not wait for it to lapse.
        if self._service is not None and self._thread is not None:
            self._service.stop()
            self._thread.join(timeout=10)
        finish_worker(worker)


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
        "graceful_timeout": GRACEFUL_TIMEOUT,
        "accesslog": "-",
    }
    _Gunicorn(settings, options, scheduler).run()


def serve_socket_mode(settings: Settings, *, scheduler: bool) -> None:
    """Connect to Slack over a WebSocket with the app-level token; no public URL needed."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    runtime = build_runtime(settings)
    if scheduler:
        SchedulerService(runtime).start_in_background()
    runtime.courier.send_soon()  # what waited in the outbox goes out now
    assert settings.SLACK_APP_TOKEN
    handler = SocketModeHandler(runtime.app, settings.SLACK_APP_TOKEN)
    # SIGTERM stops it as it stops a gunicorn worker: the work in flight is finished first.
    signal.signal(signal.SIGTERM, _exit)
    try:
        handler.start()
    finally:
        handler.close()
        runtime.finish(GRACEFUL_TIMEOUT - EXIT_MARGIN)


def _exit(signum: int, frame: Any) -> None:
    raise SystemExit(0)
