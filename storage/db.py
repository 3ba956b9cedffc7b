"""The engine and the unit of work: one transaction per user action."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, create_engine

from storage.sqlite_turns import TurnTakingConnection, line_for

# PostgreSQL's connections for ordinary users: reserved_connections is PostgreSQL 16's.
_CONNECTION_LIMIT = (
    "SELECT current_setting('max_connections')::int"
    " - current_setting('superuser_reserved_connections')::int"
    " - coalesce(current_setting('reserved_connections', true)::int, 0)"
)
# The execution option that marks a reading transaction (see Database.reading).
READ_ONLY = "pmo_read_only"


def normalize_url(url: str) -> str:
    """The SQLAlchemy form of a database URL; Heroku's postgres:// becomes psycopg 3's."""
    url = url.strip()
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def create_database_engine(url: str, *, create_file: bool = False, **options: Any) -> Engine:
    """An engine for `url` with the connection settings each backend needs.

    A SQLite file must exist unless `create_file` (migrations create it): a file moved or
    deleted under a running app is an error, never a new empty database.
    """
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        connect_args = {"check_same_thread": False, "timeout": 30, "factory": TurnTakingConnection}
        path = _sqlite_file(url)
        if path is not None and not create_file:
            options["creator"] = lambda: sqlite3.connect(
                f"{path.as_uri()}?mode=rw", uri=True, **connect_args
            )
        engine = create_engine(url, connect_args=connect_args, **options)
        event.listen(engine, "connect", _tune_sqlite_connection)
        event.listen(engine, "begin", _begin)
        event.listen(engine, "checkin", _writable_again)
        if path is not None:
            _follow_file(engine, path)
            _write_in_turn(engine, path)
        return engine
    return create_engine(url, pool_pre_ping=True, **options)


def _sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names (absolute), or None for an in-memory or `file:` URI one."""
    parsed = make_url(url)
    name = parsed.database
    if not name or name == ":memory:" or name.startswith("file:") or "uri" in parsed.query:
        return None
    return Path(name).absolute()


def _file_identity(path: Path) -> tuple[int, int] | None:
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return None
    return found.st_dev, found.st_ino


def _follow_file(engine: Engine, path: Path) -> None:
    # A pooled connection keeps the file it opened even once that file is renamed, deleted
    # or replaced: drop it at checkout then, and connect to what is at the path now.
    def remember(_dbapi_connection: Any, record: Any) -> None:
        record.info["file"] = _file_identity(path)

    def still_the_file(_dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if _file_identity(path) != record.info.get("file"):
            raise DisconnectionError(f"{path.name} was moved, deleted or replaced")

    event.listen(engine, "connect", remember)
    event.listen(engine, "checkout", still_the_file)


def _tune_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the driver, begin transactions (see _begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # WAL lets the web process read while the scheduler writes.
    cursor.execute("PRAGMA journal_mode=WAL")
    # SQLite's advice for WAL: no fsync at each commit, only at checkpoints (a write costs
    # half as much). The file cannot be corrupted; a power cut (not a crash of pmo-bot)
    # may undo the last commits, their outbox messages with them.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _begin(connection: Any) -> None:
    if connection.get_execution_options().get(READ_ONLY):
        # A reading transaction takes no lock: under WAL it reads a snapshot while others
        # write, and SQLite refuses any write in it.
        # Straight to the driver: neither can fail (no lock is asked for), and SQLAlchemy
        # has nothing to do with them.
        dbapi_connection = connection.connection.dbapi_connection
        dbapi_connection.execute("BEGIN")
        dbapi_connection.execute("PRAGMA query_only=ON")
        connection.connection.info[READ_ONLY] = True
        return
    # Take SQLite's write lock when a transaction starts, not at its first write: a
    # transaction that read first and then writes fails outright ("database is locked")
    # if another wrote in between, where waiting its turn would have been right. The
    # turn comes first (storage/sqlite_turns.py), so the lock is free when we ask.
    dbapi_connection = connection.connection.dbapi_connection
    if isinstance(dbapi_connection, TurnTakingConnection):
        dbapi_connection.take_turn()
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")  # its errors wrapped as SQLAlchemy's
    except BaseException:
        if isinstance(dbapi_connection, TurnTakingConnection):
            dbapi_connection.give_turn_back()
        raise


def _write_in_turn(engine: Engine, path: Path) -> None:
    # Each connection to the file writes in the file's one line of writers.
    def join_the_line(dbapi_connection: Any, _record: Any) -> None:
        if isinstance(dbapi_connection, TurnTakingConnection):
            dbapi_connection.line = line_for(path)

    event.listen(engine, "connect", join_the_line)


def _writable_again(dbapi_connection: Any, record: Any) -> None:
    # Back in the pool, a connection that served a reading transaction may write again.
    if record.info.pop(READ_ONLY, False):
        dbapi_connection.execute("PRAGMA query_only=OFF")


def is_reading(session: Session) -> bool:
    """True inside `Database.reading()`: the session may not write."""
    return bool(session.info.get(READ_ONLY))


class Database:
    """One database: its engine and the sessions opened on it."""

    def __init__(self, url: str, **engine_options: Any) -> None:
        self.url = url
        self.engine = create_database_engine(url, **engine_options)
        self._sessions = sessionmaker(self.engine, class_=Session, expire_on_commit=False)

    @property
    def backend(self) -> str:
        """`sqlite` or `postgresql`."""
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back if it raises."""
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """A transaction on a bare connection, for a statement or two that load no objects
        (a third of a session's cost): committed when the block ends, rolled back if it
        raises."""
        with self.engine.begin() as connection:
            yield connection

    @contextmanager
    def statement(self) -> Iterator[Connection]:
        """A bare connection for one statement that is a transaction of its own. On
        PostgreSQL it runs in autocommit mode: no BEGIN and COMMIT around the statement,
        each a round trip to the server. On SQLite, a transaction as `connection()` makes
        one: a writer takes its turn among writers."""
        if self.backend != "postgresql":
            with self.connection() as connection:
                yield connection
            return
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            yield connection

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only transaction, for showing things: it waits for no writer and holds
        none up (SQLite takes no write lock for it), and the database refuses a write in it.
        Nothing is committed; the block sees one consistent snapshot."""
        options: dict[str, Any] = {READ_ONLY: True}
        if self.backend == "postgresql":
            # BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; reset at checkin.
            options.update(postgresql_readonly=True, isolation_level="REPEATABLE READ")
        with self._sessions() as session:
            session.info[READ_ONLY] = True
            session.connection(execution_options=options)
            # Closing ends the transaction (the pool rolls it back) and, unlike a rollback,
            # leaves what was read loaded for use after the block.
            yield session

    def connection_limit(self) -> int | None:
        """How many connections the database server takes from users who are not
        superusers (max_connections less those it reserves); None for SQLite, which has
        no server."""
        if self.backend != "postgresql":
            return None
        with self.engine.connect() as connection:
            return connection.exec_driver_sql(_CONNECTION_LIMIT).scalar_one()

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
