"""Running pmo-bot: HTTP behind gunicorn, or Socket Mode with a health port."""

from __future__ import annotations

import gc
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
# Socket Mode: seconds for the envelopes in hand to be acknowledged (Slack waits 3).
ACK_TIMEOUT = 3
RUNTIME = "pmo_bot.runtime"


def freeze_startup_objects() -> None:
    """Once a serving process has started: take every object made so far (modules, the app,
    its listeners, some 150,000) out of the cycle collector's sight. A full collection then
    walks what requests made, not all of those: it held every thread for 50 to 140 ms, the
    tail of the acknowledgement times. (Python's gc.freeze, made for this.)"""
    gc.collect()
    gc.freeze()


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
        web = start_web_app(runtime)
        freeze_startup_objects()
        return web

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


def serve_socket_mode(settings: Settings, *, scheduler: bool, host: str = "0.0.0.0") -> None:
    """Connect to Slack over WebSockets with the app-level token (no public URL needed), and
    serve GET /healthz, GET /metrics and the read-only API on PORT for whoever watches it.
    Raises SocketModeRefused when Slack refuses the token."""
    from werkzeug.serving import make_server

    from bot.socket_mode import SocketModeClient

    assert settings.SLACK_APP_TOKEN
    runtime = build_runtime(settings)
    client = SocketModeClient(app=runtime.app, app_token=settings.SLACK_APP_TOKEN)
    web = create_web_app(runtime, link_health=client.health)
    http = make_server(host, settings.PORT, web, threaded=True)
    http_thread = threading.Thread(target=http.serve_forever, name="healthz", daemon=True)
    http_thread.start()
    service = SchedulerService(runtime) if scheduler else None
    service_thread = service.start_in_background() if service else None
    runtime.courier.send_soon()  # what waited in the outbox goes out now
    freeze_startup_objects()
    # SIGTERM stops it as it stops a gunicorn worker: the work in flight is finished first.
    signal.signal(signal.SIGTERM, _exit)
    try:
        client.run()
    except KeyboardInterrupt:
        pass
    finally:
        client.close(ACK_TIMEOUT)  # envelopes in hand acknowledged, close frames sent
        if service is not None and service_thread is not None:
            service.stop()  # the lease goes back at once
            service_thread.join(timeout=10)
        runtime.finish(GRACEFUL_TIMEOUT - EXIT_MARGIN)
        http.shutdown()
        http_thread.join()


def _exit(signum: int, frame: Any) -> None:
    # Raised in the main thread wherever run() is; no lock is taken inside a signal handler.
    raise SystemExit(0)
