"""What an operator watches: Prometheus metrics, served as text at GET /metrics.

Counters and histograms live in this process (or, under gunicorn with
PROMETHEUS_MULTIPROC_DIR set, in files that every worker shares); the outbox's depth and
the age of its oldest waiting message are read from the database at scrape time. Labels
name what was asked (a command, an action id, a callback id, an event type), never what
anyone typed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Engine, event
from sqlalchemy.pool import QueuePool

from storage import outbox
from storage.db import Database

# The classic text format, which every Prometheus reads (newer clients default to 1.0.0).
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
MAX_LABEL = 64  # a signed request still names its ids itself: keep them short

REQUESTS = Counter("pmo_requests", "Slack requests answered, by kind and name", ["kind", "name"])
ACK_SECONDS = Histogram(
    "pmo_ack_seconds",
    "Seconds from a Slack request's arrival to its acknowledgement",
    ["kind", "name"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5),
)
LISTENER_ERRORS = Counter(
    "pmo_listener_errors", "Unexpected errors in listeners, by kind and name", ["kind", "name"]
)
DELIVERIES = Counter(
    "pmo_deliveries",
    "Outbox delivery attempts by outcome: sent, retried, postponed, failed",
    ["outcome"],
)
JOB_RUNS = Counter("pmo_job_runs", "Scheduled job runs, by job and result", ["job", "result"])
JOB_SECONDS = Histogram(
    "pmo_job_seconds",
    "Seconds a scheduled job ran",
    ["job"],
    buckets=(0.1, 0.5, 1, 5, 15, 60, 300),
)
SCHEDULER_LEADER = Gauge(
    "pmo_scheduler_leader",
    "1 while this process holds the scheduler lease and runs the jobs",
    multiprocess_mode="livemax",
)

# The database pool of each process (DATABASE_POOL_SIZE): all of its connections in use
# say threads wait for one.
DB_CONNECTIONS_OPEN = Gauge(
    "pmo_db_connections_open",
    "Database connections held open (in a transaction or idle in the pool)",
    multiprocess_mode="livesum",
)
DB_CONNECTIONS_IN_USE = Gauge(
    "pmo_db_connections_in_use",
    "Database connections in use now",
    multiprocess_mode="livesum",
)
DB_CONNECTIONS_OPENED = Counter("pmo_db_connections_opened", "Database connections opened")


def watch_connections(engine: Engine) -> None:
    """Keep the database connection metrics for `engine`'s pool, counting from the
    connections it already holds; once per engine, however many runtimes share it."""
    if event.contains(engine, "connect", _opened):
        return
    pool = engine.pool
    idle = pool.checkedin() if isinstance(pool, QueuePool) else 0
    busy = pool.checkedout() if isinstance(pool, QueuePool) else 0
    DB_CONNECTIONS_OPEN.inc(idle + busy)
    DB_CONNECTIONS_IN_USE.inc(busy)
    event.listen(engine, "connect", _opened)
    event.listen(engine, "close", _closed)
    event.listen(engine, "close_detached", _closed)
    event.listen(engine, "checkout", _checked_out)
    event.listen(engine, "checkin", _checked_in)


def _opened(_dbapi_connection: Any, _record: Any) -> None:
    DB_CONNECTIONS_OPENED.inc()
    DB_CONNECTIONS_OPEN.inc()


def _closed(_dbapi_connection: Any, *_record: Any) -> None:
    DB_CONNECTIONS_OPEN.dec()


def _checked_out(_dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    DB_CONNECTIONS_IN_USE.inc()


def _checked_in(_dbapi_connection: Any, _record: Any) -> None:
    DB_CONNECTIONS_IN_USE.dec()


def request_label(body: object) -> tuple[str, str]:
    """(kind, name) of a Slack request: ("command", "/pmo"), ("action", "gate.approve"),
    ("view", callback id), ("options", action id), ("event", event type)…"""
    if not isinstance(body, dict):
        return "other", ""
    if "command" in body:
        return "command", _short(body.get("command"))
    kind = body.get("type")
    if kind == "block_actions":
        actions = body.get("actions")
        first = actions[0] if isinstance(actions, list) and actions else {}
        return "action", _short(first.get("action_id") if isinstance(first, dict) else None)
    if kind == "block_suggestion":
        return "options", _short(body.get("action_id"))
    if kind in ("view_submission", "view_closed"):
        view = body.get("view")
        return "view", _short(view.get("callback_id") if isinstance(view, dict) else None)
    if kind in ("shortcut", "message_action"):
        return "shortcut", _short(body.get("callback_id"))
    if kind == "event_callback":
        event = body.get("event")
        return "event", _short(event.get("type") if isinstance(event, dict) else None)
    return "other", _short(kind)


def _short(value: object) -> str:
    return value[:MAX_LABEL] if isinstance(value, str) else ""


def answered(kind: str, name: str, seconds: float) -> None:
    """Count a request Slack got an answer to, and how long the answer took."""
    REQUESTS.labels(kind=kind, name=name).inc()
    ACK_SECONDS.labels(kind=kind, name=name).observe(seconds)


@contextmanager
def job_run(job: str) -> Iterator[None]:
    """Count and time one run of a scheduled job; an exception counts as an error."""
    started = time.perf_counter()
    result = "error"
    try:
        yield
        result = "ok"
    finally:
        JOB_SECONDS.labels(job=job).observe(time.perf_counter() - started)
        JOB_RUNS.labels(job=job, result=result).inc()


class OutboxCollector(Collector):
    """The outbox's backlog, read when Prometheus asks."""

    def __init__(self, database: Database, clock: Callable[[], datetime]) -> None:
        self.database = database
        self.clock = clock

    def collect(self) -> Iterator[GaugeMetricFamily]:
        with self.database.session() as session:
            depth, oldest = outbox.backlog(session=session)
        age = max((self.clock() - oldest).total_seconds(), 0.0) if oldest else 0.0
        yield GaugeMetricFamily(
            "pmo_outbox_depth", "Outbox messages waiting to be delivered", value=depth
        )
        yield GaugeMetricFamily(
            "pmo_outbox_oldest_pending_age_seconds",
            "Seconds since the oldest waiting outbox message was queued (0 when none waits)",
            value=age,
        )


class _ThisProcess(Collector):
    # The metrics of the default registry, for a scrape registry of our own.
    def collect(self) -> Iterator[Any]:
        yield from REGISTRY.collect()


def exposition(database: Database, clock: Callable[[], datetime]) -> bytes:
    """Every metric in Prometheus' text format: all gunicorn workers' when
    PROMETHEUS_MULTIPROC_DIR is set, else this process's; plus the outbox's backlog."""
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    registry.register(OutboxCollector(database, clock))
    return generate_latest(registry)
