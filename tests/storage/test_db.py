"""The engine: a SQLite file is created by migrating, never by a running app; reading
transactions lock nothing and write nothing."""

from __future__ import annotations

import fcntl
import os
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session

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


def _count(database: Database) -> int:
    with database.reading() as session:
        return session.execute(text("SELECT count(*) FROM seen_requests")).scalar_one()


def _insert(session: Session, key: str) -> None:
    session.execute(
        text("INSERT INTO seen_requests (key, seen_at) VALUES (:key, :now)"),
        {"key": key, "now": datetime(2026, 11, 2, tzinfo=UTC)},
    )


def test_a_reading_transaction_refuses_to_write(database):
    with pytest.raises(DBAPIError), database.reading() as session:
        _insert(session, "signature:one")
    assert _count(database) == 0


def test_a_reading_transaction_neither_waits_for_a_writer_nor_holds_one_up(database):
    with database.session() as writer:
        _insert(writer, "signature:written-first")
        # The writer holds SQLite's write lock here; a reading transaction still reads,
        # and sees what was committed before it began, not the writer's uncommitted row.
        assert _count(database) == 0
        with database.reading() as reader:
            before = reader.execute(text("SELECT count(*) FROM seen_requests")).scalar_one()
    with database.reading() as reader:
        assert reader.execute(text("SELECT count(*) FROM seen_requests")).scalar_one() == 1
        with database.session() as writer:  # a reader open: the writer goes ahead
            _insert(writer, "signature:written-while-reading")
        # The reader keeps its snapshot.
        assert reader.execute(text("SELECT count(*) FROM seen_requests")).scalar_one() == 1
    assert before == 0
    assert _count(database) == 2


def test_a_statement_on_postgresql_is_committed_as_it_runs_on_sqlite_at_the_end(database):
    # PostgreSQL: autocommit, no BEGIN and COMMIT round trips (the replay record before
    # every ack, bot/replays.py); SQLite: a transaction that takes its writer's turn.
    insert = text("INSERT INTO seen_requests (key, seen_at) VALUES (:key, :now)")
    with database.statement() as connection:
        connection.execute(insert, {"key": "event:one", "now": datetime(2026, 11, 2, tzinfo=UTC)})
        seen_meanwhile = _count(database)  # by another connection
    assert seen_meanwhile == (1 if database.backend == "postgresql" else 0)
    assert _count(database) == 1


def test_a_statement_that_fails_stores_nothing(database):
    insert = text("INSERT INTO seen_requests (key, seen_at) VALUES (:key, :now)")
    row = {"key": "event:one", "now": datetime(2026, 11, 2, tzinfo=UTC)}
    with database.statement() as connection:
        connection.execute(insert, row)
    with pytest.raises(DBAPIError), database.statement() as connection:
        connection.execute(insert, row)  # the same key again
    assert _count(database) == 1
    with database.statement() as connection:  # the connection is usable again
        connection.execute(insert, {**row, "key": "event:two"})
    assert _count(database) == 2


def test_a_connection_that_served_a_reading_transaction_writes_again(database):
    for round_ in range(3):  # the pool hands the same connection back each time
        assert _count(database) == round_
        with database.session() as writer:
            _insert(writer, f"signature:{round_}")
    assert _count(database) == 3


def _line_is_free(lock_file: Path) -> bool:
    # What another process would find: can it take the writers' line right now?
    descriptor = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    else:
        fcntl.flock(descriptor, fcntl.LOCK_UN)
        return True
    finally:
        os.close(descriptor)


def test_sqlite_writers_take_turns_through_a_lock_file_and_readers_do_not(tmp_path):
    path = tmp_path / "pmo.db"
    schema.upgrade(f"sqlite:///{path}")
    database = Database(f"sqlite:///{path}")
    lock_file = tmp_path / "pmo.db.writers"
    with database.session() as writer:
        _insert(writer, "signature:one")
        assert not _line_is_free(lock_file)  # another process's writer waits its turn
    assert _line_is_free(lock_file)
    with database.reading() as reader:
        reader.execute(text("SELECT count(*) FROM seen_requests")).scalar_one()
        assert _line_is_free(lock_file)
    with pytest.raises(RuntimeError), database.session() as writer:
        _insert(writer, "signature:two")
        raise RuntimeError("the action failed")
    assert _line_is_free(lock_file)  # a rolled-back writer gives its turn back too
    assert _count(database) == 1
    database.dispose()


def test_sqlite_writers_in_many_threads_all_get_their_turn(tmp_path):
    path = tmp_path / "pmo.db"
    schema.upgrade(f"sqlite:///{path}")
    database = Database(f"sqlite:///{path}")

    def write(number: int) -> None:
        with database.session() as writer:
            _insert(writer, f"signature:{number}")

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(write, range(200)))
    assert _count(database) == 200
    assert _line_is_free(tmp_path / "pmo.db.writers")
    database.dispose()


def test_sqlite_runs_in_wal_mode_without_a_sync_at_each_commit(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'pmo.db'}", create_file=True)
    with database.connection() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    database.dispose()
