"""Alembic migrations: they build exactly the models' schema, and undo cleanly."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import sqlalchemy
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import inspect, text

import storage.slack_tables
from storage import schema
from storage.db import create_database_engine
from storage.models import AuditEvent, SQLModel
from storage.workspaces import ensure_workspace
from tests.conftest import _postgres_server_url, create_postgres_database, drop_postgres_database


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    if not _postgres_server_url():
        pytest.skip("TEST_DATABASE_URL is not set")
    url = create_postgres_database("pmo_migration")
    yield url
    drop_postgres_database(url)


def not_a_model(obj, name, type_, reflected, compare_to):
    # Lesson search (migration 0013): SQLite's FTS5 tables, PostgreSQL's expression index.
    return not (name or "").startswith(("lessons_fts", "ix_lessons_search"))


def differences(url):
    engine = create_database_engine(url)
    try:
        with engine.connect() as connection:
            opts = {"compare_type": True, "include_object": not_a_model}
            context = MigrationContext.configure(connection, opts=opts)
            return compare_metadata(context, SQLModel.metadata)
    finally:
        engine.dispose()


def tables(url):
    engine = create_database_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_head_builds_exactly_the_models_schema(empty_url):
    schema.upgrade(empty_url)
    assert differences(empty_url) == []


def test_downgrade_to_base_removes_everything_and_upgrade_rebuilds_it(empty_url):
    schema.upgrade(empty_url)
    schema.downgrade(empty_url, "base")
    assert tables(empty_url) <= {"alembic_version"}
    schema.upgrade(empty_url)
    assert differences(empty_url) == []
    engine = create_database_engine(empty_url)
    assert schema.current_revision(engine) == schema.head_revision()
    engine.dispose()


def test_upgrading_keeps_existing_projects_and_gives_them_the_new_defaults(empty_url):
    schema.upgrade(empty_url, "0001")
    engine = create_database_engine(empty_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO workspaces (team_id, time_zone, phases, created_at) "
                "VALUES ('T1', 'UTC', '[\"Plan\"]', '2026-01-01 00:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO projects (team_id, key, name, phase, archived, created_by, "
                "created_at, updated_at) VALUES ('T1', 'OLD', 'Old one', 'Plan', false, 'U1', "
                "'2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            )
        )
    schema.upgrade(empty_url)
    with engine.connect() as connection:
        row = connection.execute(text("SELECT key, status_cadence FROM projects")).one()
        weekday = connection.execute(text("SELECT status_due_weekday FROM workspaces")).scalar()
    engine.dispose()
    assert tuple(row) == ("OLD", "weekly")
    assert weekday == 4


def test_the_audit_trail_refuses_updates_and_deletes(database):
    with database.session() as session:
        ensure_workspace(session=session, team_id="T1")
        session.add(
            AuditEvent(
                team_id="T1",
                actor="U1",
                action="project.created",
                entity="project",
                entity_id="1",
                at=datetime(2026, 11, 23, tzinfo=UTC),
            )
        )
    for statement in ("UPDATE audit_events SET actor = 'U2'", "DELETE FROM audit_events"):
        with (
            pytest.raises(sqlalchemy.exc.DatabaseError, match="append-only"),
            database.engine.begin() as connection,
        ):
            connection.execute(text(statement))
    with database.engine.connect() as connection:
        assert connection.execute(text("SELECT actor FROM audit_events")).scalar_one() == "U1"


def describe(table):
    return {
        c.name: (type(c.type).__name__, getattr(c.type, "length", None), c.nullable)
        for c in table.columns
    }


def test_our_slack_oauth_tables_match_slack_sdks_stores():
    metadata = sqlalchemy.MetaData()
    theirs = {
        "installations": SQLAlchemyInstallationStore.build_installations_table(metadata, "i"),
        "bots": SQLAlchemyInstallationStore.build_bots_table(metadata, "b"),
        "states": SQLAlchemyOAuthStateStore.build_oauth_states_table(metadata, "s"),
    }
    ours = {
        "installations": storage.slack_tables.installations,
        "bots": storage.slack_tables.bots,
        "states": storage.slack_tables.oauth_states,
    }
    for name in theirs:
        assert describe(ours[name]) == describe(theirs[name]), name


def test_0010_gives_people_known_before_it_a_full_week_and_no_skills(empty_url):
    schema.upgrade(empty_url, "0009")
    engine = create_database_engine(empty_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO workspaces (team_id, time_zone, phases, status_due_weekday, "
                "risk_medium_from, risk_high_from, risk_critical_from, digest_leaders, "
                "digest_weekday, digest_time, default_cadence, quiet_start, quiet_end, "
                "nudge_style, pmo_leads, created_at) VALUES ('T1', 'UTC', '[]', 4, 6, 12, 20, "
                "'[]', 0, '09:00', 'weekly', '19:00', '08:00', 'gentle', '[]', "
                "'2026-01-01 00:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO people (team_id, user_id, created_at) "
                "VALUES ('T1', 'U1', '2026-01-01 00:00:00')"
            )
        )
    schema.upgrade(empty_url)
    with engine.connect() as connection:
        hours, skills, rate = connection.execute(
            text("SELECT capacity_hours, skills, cost_rate FROM people")
        ).one()
        threshold = connection.execute(
            text("SELECT overallocation_threshold FROM workspaces")
        ).scalar()
    assert (float(hours), skills if isinstance(skills, list) else json.loads(skills), rate) == (
        40.0,
        [],
        None,
    )
    assert threshold == 10
    schema.downgrade(empty_url, "0009")
    assert not {"allocations", "resource_requests", "capacity_alerts"} & tables(empty_url)
    engine.dispose()


def test_0011_gives_workspaces_known_before_it_the_default_ranking_weights(empty_url):
    schema.upgrade(empty_url, "0010")
    engine = create_database_engine(empty_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO workspaces (team_id, time_zone, phases, status_due_weekday, "
                "risk_medium_from, risk_high_from, risk_critical_from, digest_leaders, "
                "digest_weekday, digest_time, default_cadence, quiet_start, quiet_end, "
                "nudge_style, pmo_leads, overallocation_threshold, created_at) VALUES "
                "('T1', 'UTC', '[]', 4, 6, 12, 20, '[]', 0, '09:00', 'weekly', '19:00', "
                "'08:00', 'gentle', '[]', 10, '2026-01-01 00:00:00')"
            )
        )
    schema.upgrade(empty_url)
    with engine.connect() as connection:
        weights = connection.execute(text("SELECT priority_weights FROM workspaces")).scalar()
    weights = weights if isinstance(weights, dict) else json.loads(weights)
    assert weights == {"goal": 40, "health": 30, "budget": 15, "risk": 15}
    schema.downgrade(empty_url, "0010")
    assert not {"goals", "benefits", "dependencies", "project_goals"} & tables(empty_url)
    engine.dispose()


def test_0014_gives_each_workspace_the_standard_type_and_its_projects_that_type(empty_url):
    schema.upgrade(empty_url, "0013")
    engine = create_database_engine(empty_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO workspaces (team_id, time_zone, phases, status_due_weekday, "
                "risk_medium_from, risk_high_from, risk_critical_from, digest_leaders, "
                "digest_weekday, digest_time, default_cadence, quiet_start, quiet_end, "
                "nudge_style, pmo_leads, overallocation_threshold, priority_weights, "
                "created_at) VALUES ('T1', 'UTC', '[\"Plan\", \"Execute\", \"Run\"]', 4, 6, "
                "12, 20, '[]', 0, '09:00', 'weekly', '19:00', '08:00', 'gentle', '[]', 10, "
                "'{}', '2026-01-01 00:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO projects (team_id, key, name, phase, status_cadence, gate_rule, "
                "gate_pm_may_approve, gate_reject_ends, gate_sla_days, archived, created_by, "
                "created_at, updated_at) VALUES ('T1', 'OLD', 'Old one', 'Execute', 'weekly', "
                "'any', false, true, 3, false, 'U1', '2026-01-01 00:00:00', "
                "'2026-01-01 00:00:00')"
            )
        )
    schema.upgrade(empty_url, "0014")
    with engine.connect() as connection:
        kind = connection.execute(
            text(
                "SELECT id, name, phases, checklists, gate_rule, gate_sla_days, dimensions, "
                "is_default FROM project_types WHERE team_id = 'T1'"
            )
        ).one()
        project = connection.execute(
            text("SELECT type_id, gate_rule, gate_sla_days FROM projects")
        ).one()
    loaded = [v if not isinstance(v, str) or v[:1] not in "[{" else json.loads(v) for v in kind]
    assert loaded[1:] == [
        "Standard",
        ["Plan", "Execute", "Run"],
        {
            "Plan": [
                {"item": "Business case approved by the sponsor", "required": True},
                {"item": "Objectives and scope agreed", "required": True},
                {"item": "Key stakeholders identified", "required": False},
            ],
            "Execute": [
                {"item": "Plan and schedule baselined", "required": True},
                {"item": "Budget approved", "required": True},
                {"item": "Team and resources committed", "required": True},
                {"item": "Risk register reviewed", "required": False},
            ],
        },
        "all",
        2,
        ["schedule", "scope", "budget", "resources"],
        True,
    ]
    # The project keeps its own rule and SLA, and now has the default type.
    assert tuple(project) == (kind[0], "any", 3)
    schema.downgrade(empty_url, "0013")
    assert "project_types" not in tables(empty_url)
    engine.dispose()


def test_0016_leaves_queued_messages_without_a_request_id_and_adds_channel_slots(empty_url):
    schema.upgrade(empty_url, "0015")
    engine = create_database_engine(empty_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO workspaces (team_id, time_zone, phases, status_due_weekday, "
                "risk_medium_from, risk_high_from, risk_critical_from, digest_leaders, "
                "digest_weekday, digest_time, default_cadence, quiet_start, quiet_end, "
                "nudge_style, pmo_leads, overallocation_threshold, priority_weights, "
                "created_at) VALUES ('T1', 'UTC', '[]', 4, 6, 12, 20, '[]', 0, '09:00', "
                "'weekly', '19:00', '08:00', 'gentle', '[]', 10, '{}', '2026-01-01 00:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO outbox (team_id, key, channel, text, blocks, status, attempts, "
                "maybe_posted, next_attempt_at, created_at) VALUES ('T1', 'old', 'C1', 'hi', "
                "'[]', 'pending', 0, false, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            )
        )
    schema.upgrade(empty_url, "0016")
    with engine.connect() as connection:
        row = connection.execute(text("SELECT key, status, request_id FROM outbox")).one()
    assert tuple(row) == ("old", "pending", None)
    assert "channel_slots" in tables(empty_url)
    schema.downgrade(empty_url, "0015")
    assert "channel_slots" not in tables(empty_url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT key FROM outbox")).scalar_one() == "old"
    engine.dispose()
