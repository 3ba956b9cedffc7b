"""A database of its own for one benchmark run: a SQLite file, or a PostgreSQL database
created on the server given and dropped afterwards."""

from __future__ import annotations

import os

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from storage import schema
from storage.db import Database, normalize_url


def fresh_database(base_url: str | None, folder: str, name: str) -> tuple[Database, str | None]:
    """A migrated, empty database named after `name`, and its PostgreSQL name (None for
    a SQLite file in `folder`)."""
    if base_url is None:
        url = f"sqlite:///{folder}/{name}.db"
        schema.upgrade(url)
        return Database(url), None
    server = normalize_url(base_url)
    # Named per run: two benchmarks at once on one server must not drop each other's.
    database = f"pmo_{name}_{os.getpid()}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{database}"'))
    admin.dispose()
    url = make_url(server).set(database=database).render_as_string(hide_password=False)
    schema.upgrade(url)
    return Database(url), database


def drop(base_url: str, name: str) -> None:
    """Drop the PostgreSQL database `fresh_database` created."""
    admin = create_engine(normalize_url(base_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def as_in_service(database: Database) -> None:
    """After seeding: the statistics a database in service has. PostgreSQL's autovacuum
    analyses a table soon after a bulk insert; a bench that queries at once would measure
    plans made without them. (SQLite, which pmo-bot never analyses, is left as it is.)"""
    if database.backend == "postgresql":
        with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text("ANALYZE"))
