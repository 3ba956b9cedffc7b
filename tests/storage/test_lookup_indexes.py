"""What every form asks is found by index however large the workspace (migration 0018):
the channel's project and the roles one person holds, never a scan of every project or
every role. Read off SQLite's query plan, which names the index it searches."""

from __future__ import annotations

import pytest
from sqlalchemy.dialects import sqlite

from storage import status_form_reads
from storage.db import Database
from storage.models import Role
from storage.projects import _HELD_ROLES, _IN_CHANNEL, _with_role


def plan(database: Database, statement, params: dict) -> str:
    compiled = statement.compile(dialect=sqlite.dialect())
    expanded = compiled.construct_expanded_state(params)
    positional = tuple(expanded.parameters[name] for name in expanded.positiontup)
    with database.engine.connect() as connection:
        query = f"EXPLAIN QUERY PLAN {expanded.statement}"
        rows = connection.exec_driver_sql(query, positional)
        return "\n".join(row[-1] for row in rows)


@pytest.fixture
def sqlite_database(database: Database) -> Database:
    if database.backend != "sqlite":
        pytest.skip("SQLite's query plan names the index it searches")
    return database


@pytest.mark.parametrize("roles", [["pm"], ["pm", "member"], ["pm", "sponsor", "member"]])
def test_a_persons_roles_are_searched_from_the_person_not_from_every_project(
    sqlite_database, roles
):
    found = plan(sqlite_database, _HELD_ROLES, {"team_id": "T1", "user_id": "U1", "roles": roles})
    first = found.splitlines()[0]
    assert "project_roles USING INDEX ix_project_roles_team_id_user_id" in first


@pytest.mark.parametrize("statement", [_IN_CHANNEL, status_form_reads._IN_CHANNEL])
def test_a_channels_project_is_searched_by_workspace_and_channel(sqlite_database, statement):
    found = plan(sqlite_database, statement, {"team_id": "T1", "channel_id": "C1"})
    assert "projects USING INDEX ix_projects_team_id_channel_id" in found


def test_the_projects_a_person_holds_a_role_on_are_searched_from_the_person(sqlite_database):
    statement = _with_role("T1", "U1", {Role.PM, Role.SPONSOR})
    found = plan(sqlite_database, statement, {})
    assert "project_roles USING INDEX ix_project_roles_team_id_user_id" in found.splitlines()[0]
