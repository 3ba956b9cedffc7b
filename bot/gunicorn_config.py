"""gunicorn hooks for the Procfile's web line (`gunicorn -c python:bot.gunicorn_config ...
bot.wsgi:app`); the settings themselves stay on that line."""

from __future__ import annotations

import os
from typing import Any


def worker_exit(server: Any, worker: Any) -> None:
    """A stopping worker finishes its listeners and delivers what they enqueued."""
    from bot.server import finish_worker  # in the worker only: the master stays light

    finish_worker(worker)


def child_exit(server: Any, worker: Any) -> None:
    """With PROMETHEUS_MULTIPROC_DIR set, a dead worker's live gauges leave /metrics."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
