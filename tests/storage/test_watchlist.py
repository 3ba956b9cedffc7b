"""Needs attention's bulk reads: since when the projects asked about have been as they are,
and who may decide the pending gates."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlmodel import select

from storage import watchlist
from storage.models import Gate, GateApprover, GateStatus, Project, Rag
from tests.conftest import START
from tests.factories import TEAM, make_project
from tests.factories import add_status_update as post

WEEK = timedelta(weeks=1)


def starts(database, project_ids):
    with database.session() as session:
        return watchlist.run_starts(session=session, team_id=TEAM, project_ids=project_ids)


def test_each_run_begins_with_the_first_update_of_the_current_value(database):
    project = make_project(database).id
    with database.session() as session:
        session.get(Project, project).budget = Decimal(100)
    post(database, project, "W1", START - 4 * WEEK, Rag.GREEN, forecast_at_completion=Decimal(90))
    post(database, project, "W2", START - 3 * WEEK, Rag.RED, forecast_at_completion=Decimal(120))
    post(
        database,
        project,
        "W3",
        START - 2 * WEEK,
        Rag.RED,
        flagged=True,
        forecast_at_completion=Decimal(130),
    )
    post(
        database,
        project,
        "W4",
        START - WEEK,
        Rag.RED,
        flagged=True,
        forecast_at_completion=Decimal(125),
    )
    assert starts(database, [project]) == {
        project: watchlist.RunStarts(
            colour=START - 3 * WEEK, flagged=START - 2 * WEEK, over_budget=START - 3 * WEEK
        )
    }


def test_only_the_projects_asked_about_are_read(database):
    asked = make_project(database).id
    other = make_project(database, key="ZEUS", name="Zeus", channel_id="CZEUS0001").id
    post(database, asked, "W1", START - WEEK, Rag.AMBER)
    post(database, other, "W1", START - WEEK, Rag.RED)
    assert set(starts(database, [asked])) == {asked}
    assert starts(database, []) == {}


def a_gate(project_id, number, from_phase, to_phase, required, status=GateStatus.PENDING):
    return Gate(
        team_id=TEAM,
        project_id=project_id,
        number=number,
        from_phase=from_phase,
        to_phase=to_phase,
        requested_by="UPM000001",
        requested_at=START,
        evidence="Ready.",
        rule="all",
        required=required,
        status=status,
    )


def test_pending_gate_deciders_are_those_of_the_workspaces_pending_gates(database):
    project = make_project(database).id
    with database.session() as session:
        pending = a_gate(project, 1, "Discovery", "Delivery", required=2)
        decided = a_gate(project, 2, "Delivery", "Closing", required=1, status=GateStatus.APPROVED)
        session.add_all([pending, decided])
        session.flush()
        for gate, user in [(pending, "UAPPR0002"), (pending, "UAPPR0001"), (decided, "UAPPR0003")]:
            session.add(GateApprover(team_id=TEAM, gate_id=gate.id, user_id=user))
    with database.session() as session:
        approvers, verdicts = watchlist.pending_gate_deciders(session=session, team_id=TEAM)
        pending_id = session.exec(select(Gate.id).where(Gate.number == 1)).one()
    assert dict(approvers) == {pending_id: ["UAPPR0002", "UAPPR0001"]}
    assert dict(verdicts) == {}
