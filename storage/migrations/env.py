"""Alembic's entry point: migrates the database named in the config to our models."""

from __future__ import annotations

from alembic import context
from sqlalchemy import pool

import storage.models
import storage.slack_tables
from storage.db import create_database_engine

# Tables other libraries create and manage themselves.
FOREIGN_TABLES = {"apscheduler_jobs"}


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    return not (type_ == "table" and name in FOREIGN_TABLES)


def run_migrations() -> None:
    url = context.config.get_main_option("sqlalchemy.url")
    assert url, "sqlalchemy.url must be set"
    # Migrating is how a new SQLite database comes to be: the file may be created here.
    engine = create_database_engine(url, create_file=True, poolclass=pool.NullPool)
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            # Batch migrations rebuild tables; with foreign keys on, dropping the old copy
            # would cascade-delete every row that refers to it. (The pragma only works
            # outside a transaction, so it goes to the driver directly.)
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        context.configure(
            connection=connection,
            target_metadata=storage.models.SQLModel.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            include_object=include_object,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations()
