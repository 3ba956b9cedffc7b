"""SQLite writers wait their turn in line instead of sleeping and retrying.

SQLite lets one transaction write at a time. A writer that finds the lock taken sleeps and
tries again (1, 2, 5 … 100 ms between tries), so under load some requests wait seconds
for a lock that was free most of that time. Here a write transaction first takes a lock
file next to the database (`pmo.db.writers`): the kernel queues waiting threads and
processes and wakes the next one the moment the lock is given back, so SQLite's own lock
is free when its turn comes. Reading transactions take no turn (see storage/db.py).
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from pathlib import Path


class WriterLine:
    """The line of writers of one SQLite file, shared by the threads of a process and,
    through the lock file, by every process on the machine."""

    def __init__(self, database: Path) -> None:
        self.lock_file = database.with_name(database.name + ".writers")
        self._in_process = threading.Lock()
        self._descriptor: int | None = None
        self._pid: int | None = None

    def wait_turn(self) -> None:
        """Block until no other writer of the file holds the line."""
        self._in_process.acquire()
        try:
            fcntl.flock(self._own_descriptor(), fcntl.LOCK_EX)
        except BaseException:
            self._in_process.release()
            raise

    def end_turn(self) -> None:
        """Let the next writer go."""
        try:
            if self._descriptor is not None:
                fcntl.flock(self._descriptor, fcntl.LOCK_UN)
        finally:
            self._in_process.release()

    def _own_descriptor(self) -> int:
        # A lock file opened before a fork would be one lock for parent and child: each
        # process opens its own.
        if self._pid != os.getpid():
            self._descriptor = os.open(self.lock_file, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        assert self._descriptor is not None
        return self._descriptor


_LINES: dict[Path, WriterLine] = {}
_LINES_LOCK = threading.Lock()


def line_for(database: Path) -> WriterLine:
    """The one line of writers of `database` in this process."""
    with _LINES_LOCK:
        return _LINES.setdefault(database, WriterLine(database))


class TurnTakingConnection(sqlite3.Connection):
    """A sqlite3 connection that gives its turn back when its transaction ends."""

    line: WriterLine | None = None
    _has_turn = False

    def take_turn(self) -> None:
        """Wait in line before a write transaction begins."""
        if self.line is not None and not self._has_turn:
            self.line.wait_turn()
            self._has_turn = True

    def give_turn_back(self) -> None:
        """The write transaction ended (or never began): the next writer may go."""
        if self._has_turn and self.line is not None:
            self._has_turn = False
            self.line.end_turn()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.give_turn_back()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.give_turn_back()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.give_turn_back()
