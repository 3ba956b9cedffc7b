"""The engine and the unit of work: one transaction per user action."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, create_engine


def normalize_url(url: str) -> str:
    """The SQLAlchemy form of a database URL; Heroku's postgres:// becomes psycopg 3's."""
    url = url.strip()
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def create_database_engine(url: str, **options: Any) -> Engine:
    """An engine for `url` with the connection settings each backend needs."""
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **options
        )
        event.listen(engine, "connect", _tune_sqlite_connection)
        event.listen(engine, "begin", _begin_immediately)
        return engine
    return create_engine(url, pool_pre_ping=True, **options)


def _tune_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the driver, begin transactions (see _begin_immediately).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # WAL lets the web process read while the scheduler writes.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _begin_immediately(connection: Any) -> None:
    # Take SQLite's write lock when a transaction starts, not at its first write: a
    # transaction that read first and then writes fails outright ("database is locked")
    # if another wrote in between, where waiting its turn would have been right.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


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

    def ping(self) -> bool:
        """True when the database answers a trivial query."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
