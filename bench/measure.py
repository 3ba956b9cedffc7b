"""What the job benchmarks measure besides time: the SQL statements a run issues, when a job
hands its messages over and has them stored, and the peak memory of one run."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import Engine, event
from sqlmodel import Session

from bot.sender import Sender
from commands.templates import Templates
from storage.db import Database
from workflows.outgoing import Outgoing


def peak_memory(job: Callable[[], object]) -> float:
    """The most memory Python held at once while `job` ran (tracemalloc), in MB."""
    tracemalloc.start()
    try:
        job()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


@contextmanager
def counting_statements(engine: Engine) -> Iterator[Callable[[], int]]:
    """Within the block, count the SQL statements `engine` runs; the block is given how
    many so far (still readable after it)."""
    count = 0

    def seen(*_: object) -> None:
        nonlocal count
        count += 1

    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield lambda: count
    finally:
        event.remove(engine, "before_cursor_execute", seen)


class TimedSender(Sender):
    """A job's own sender, noting when the job hands its messages over (planning ends) and
    when they are stored (rendered, drawn and in the outbox); nothing is delivered."""

    def __init__(self, database: Database, now: datetime) -> None:
        super().__init__(NoCourier(), Templates(), database, lambda: now)  # type: ignore[arg-type]
        self.handed: list[float] = []
        self.stored: list[float] = []

    def enqueue(self, *, session: Session, messages: Iterable[Outgoing], now: datetime) -> None:
        self.handed.append(time.perf_counter())
        super().enqueue(session=session, messages=messages, now=now)
        self.stored.append(time.perf_counter())


class NoCourier:
    def send_soon(self) -> None:
        pass
