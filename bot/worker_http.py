"""The worker's window for an operator: GET /metrics and GET /healthz of `pmo-bot scheduler`.

The outbox's courier passes, the jobs and the scheduler lease live in the worker process,
so its counters (deliveries by outcome, job runs and durations, leadership) are only
visible here; the outbox's depth is read from the database at each scrape, as on the web.
"""

from __future__ import annotations

import socket
import threading

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from bot.app import Runtime
from bot.web import add_operator_routes


def worker_web_app(runtime: Runtime) -> Flask:
    """A Flask app with GET /metrics and GET /healthz only (nothing of Slack's)."""
    web = Flask("pmo-bot-worker")
    add_operator_routes(web, runtime)
    return web


def serve_in_background(runtime: Runtime, port: int, host: str = "0.0.0.0") -> BaseWSGIServer:
    """Serve the worker's /metrics and /healthz on `port` from a daemon thread; the caller
    stops it with `shutdown()`. Raises OSError when the port is taken."""
    # Bound here, not by werkzeug, which would print its own advice and exit.
    listening = socket.create_server((host, port))
    server = make_server(host, port, worker_web_app(runtime), threaded=True, fd=listening.fileno())
    listening.close()  # the server holds its own copy of the socket
    threading.Thread(target=server.serve_forever, name="worker-metrics", daemon=True).start()
    return server
