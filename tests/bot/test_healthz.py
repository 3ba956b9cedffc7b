"""GET /healthz: 200 only when the database answers with the schema this code needs."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from bot.app import build_runtime
from bot.web import create_web_app
from storage import schema
from storage.db import Database
from tests.conftest import make_settings

OLDER = "0005"


def set_revision(database, revision):
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": revision})


def test_healthz_answers_200_on_a_database_at_the_newest_migration(slack):
    reply = slack.raw("GET", "/healthz")
    assert (reply.status, reply.json()) == (200, {"ok": True, "database": "ok"})


def test_healthz_answers_503_when_the_schema_is_behind_the_code(slack, database):
    set_revision(database, OLDER)
    try:
        reply = slack.raw("GET", "/healthz")
    finally:
        set_revision(database, schema.head_revision())  # PostgreSQL's is shared
    assert reply.status == 503
    assert reply.json() == {
        "ok": False,
        "database": "not migrated",
        "reason": f"the schema is at {OLDER}, this code needs {schema.head_revision()}",
    }


def test_healthz_answers_503_on_a_database_never_migrated(slack_api, tmp_path):
    path = tmp_path / "empty.db"
    path.touch()
    empty = Database(f"sqlite:///{path}")
    settings = make_settings(SLACK_API_URL=slack_api.url, DATABASE_URL=empty.url)
    web = create_web_app(build_runtime(settings, database=empty)).test_client()
    reply = web.get("/healthz")
    empty.dispose()
    assert reply.status_code == 503
    assert reply.get_json()["reason"].startswith("the schema is at no migration")


def test_a_sqlite_file_moved_away_under_the_app_is_reported_and_not_recreated(
    slack, database, tmp_path
):
    if database.backend != "sqlite":
        pytest.skip("about a SQLite file")
    path = tmp_path / "pmo.db"
    assert slack.raw("GET", "/healthz").status == 200  # a pooled connection holds the file
    path.rename(tmp_path / "moved-away.db")
    reply = slack.raw("GET", "/healthz")
    assert (reply.status, reply.json()["database"]) == (503, "unreachable")
    assert not path.exists()
