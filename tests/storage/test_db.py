"""The engine: a SQLite file is created by migrating, never by a running app."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from storage import schema
from storage.db import Database


def test_a_missing_sqlite_file_is_an_error_not_a_new_empty_database(tmp_path):
    path = tmp_path / "gone.db"
    database = Database(f"sqlite:///{path}")
    with pytest.raises(OperationalError), database.engine.connect():
        pass
    database.dispose()
    assert not path.exists()


def test_migrating_creates_the_sqlite_file_the_app_then_opens(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    schema.upgrade(url)
    database = Database(url)
    with database.engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
            schema.head_revision()
        )
    database.dispose()


def test_a_sqlite_file_replaced_under_the_app_is_followed(tmp_path):
    first, second = tmp_path / "pmo.db", tmp_path / "restored.db"
    schema.upgrade(f"sqlite:///{first}")
    schema.upgrade(f"sqlite:///{second}", "0001")
    database = Database(f"sqlite:///{first}")
    with database.engine.connect() as connection:  # pooled, on the first file
        connection.execute(text("SELECT 1"))
    second.replace(first)  # a backup restored in place
    assert schema.applied_revision(database.engine) == "0001"
    database.dispose()
