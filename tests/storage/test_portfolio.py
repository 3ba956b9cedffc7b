"""The digest's bulk reads: the active projects as rows, and status history with every
microsecond kept, in the order posted."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from storage.models import Project, Rag
from storage.portfolio import ProjectRow, active_projects, rag_history
from tests.conftest import START
from tests.factories import TEAM, make_project
from tests.factories import add_status_update as post

SINCE, UNTIL = START - timedelta(weeks=2), START
TICK = timedelta(microseconds=1)


def history(database):
    with database.session() as session:
        return rag_history(session=session, team_id=TEAM, since=SINCE, until=UNTIL)


def test_history_keeps_microseconds_and_breaks_ties_in_the_order_posted(database):
    project = make_project(database).id
    post(database, project, "W1", SINCE - timedelta(days=3), Rag.RED)
    post(database, project, "W2", SINCE - TICK, Rag.HOLD)  # where it stood at `since`
    post(database, project, "W3", SINCE + TICK, Rag.AMBER)
    post(database, project, "W4", SINCE + TICK, Rag.GREEN)  # same moment, posted later
    post(database, project, "W5", UNTIL - TICK, Rag.RED)
    post(database, project, "W6", UNTIL, Rag.GREEN)  # not before `until`
    assert history(database) == {
        project: [
            (SINCE - TICK, Rag.HOLD),
            (SINCE + TICK, Rag.AMBER),
            (SINCE + TICK, Rag.GREEN),
            (UNTIL - TICK, Rag.RED),
        ]
    }


def test_each_project_has_its_own_history_and_one_without_updates_none(database):
    first = make_project(database).id
    second = make_project(database, key="ZEUS", name="Zeus", channel_id="CZEUS0001").id
    make_project(database, key="HERA", name="Hera", channel_id="CHERA0001")
    post(database, second, "W1", SINCE + timedelta(days=1), Rag.AMBER)
    post(database, first, "W1", SINCE + timedelta(days=2), Rag.GREEN)
    post(database, second, "W2", SINCE + timedelta(days=3), Rag.RED)
    assert history(database) == {
        first: [(SINCE + timedelta(days=2), Rag.GREEN)],
        second: [(SINCE + timedelta(days=1), Rag.AMBER), (SINCE + timedelta(days=3), Rag.RED)],
    }


def test_a_project_row_has_every_column_of_a_project():
    assert ProjectRow._fields == tuple(column.name for column in Project.__table__.columns)


def test_active_projects_are_rows_by_key_with_the_stored_values_and_no_archived_one(database):
    make_project(database, key="ZEUS", name="Zeus", channel_id="CZEUS0001")
    make_project(database)
    make_project(database, key="HERMES", name="Hermes", channel_id="CHERMES01")
    with database.session() as session:
        hermes = session.exec(select(Project).where(Project.key == "HERMES")).one()
        hermes.archived = True
    with database.session() as session:
        rows = active_projects(session=session, team_id=TEAM)
        stored = {p.key: p for p in session.exec(select(Project))}
    assert [row.key for row in rows] == ["APOLLO", "ZEUS"]
    for row in rows:
        assert isinstance(row, ProjectRow)
        assert row == tuple(getattr(stored[row.key], name) for name in ProjectRow._fields)
