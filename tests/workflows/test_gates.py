"""Gate rules called directly: the SLA in working days, and outcomes under every rule."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage.models import GateStatus, Verdict
from storage.workspaces import ensure_workspace
from tests.factories import APPROVER, APPROVER_2, MEMBER, PM, SPONSOR, TEAM, make_project
from workflows.actor import Actor
from workflows.errors import PmoError
from workflows.gate_decisions import decide
from workflows.gate_followup import pending_past_sla
from workflows.gates import GateDraft, plan_next_gate, store_request
from workflows.periods import add_working_days

MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
READY = GateDraft(evidence="ready", ticked=[0, 1, 2])


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        ("2026-11-23 10:00", 2, "2026-11-25 10:00"),  # Monday -> Wednesday
        ("2026-11-27 10:00", 2, "2026-12-01 10:00"),  # Friday -> Tuesday
        ("2026-11-28 10:00", 1, "2026-11-30 10:00"),  # Saturday -> Monday
    ],
)
def test_working_days_skip_weekends(start, days, due):
    moment = datetime.fromisoformat(start).replace(tzinfo=UTC)
    assert add_working_days(moment, days, "UTC") == datetime.fromisoformat(due).replace(tzinfo=UTC)


def test_a_gate_past_its_sla_is_returned_with_who_has_not_decided(database):
    project = make_project(database)
    with database.session() as session:
        gate = store_request(
            session=session, project=project, requester=PM, draft=READY, now=MONDAY
        ).gate
        decide(
            session=session,
            actor=Actor(TEAM, APPROVER),
            gate_id=gate.id,
            verdict=Verdict.APPROVE,
            reason="",
            now=MONDAY,
        )
    with database.session() as session:
        assert (
            pending_past_sla(
                session=session, team_id=TEAM, now=datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
            )
            == []
        )
        [late] = pending_past_sla(
            session=session, team_id=TEAM, now=datetime(2026, 11, 25, 10, 1, tzinfo=UTC)
        )
    assert late.waiting == [APPROVER_2]
    assert late.sponsors == [SPONSOR]


def test_the_sla_counts_working_days_in_the_workspace_zone(database):
    project = make_project(database)
    with database.session() as session:
        workspace = ensure_workspace(session=session, team_id=TEAM)
        workspace.time_zone = "Asia/Tokyo"
        session.add(workspace)
    friday_night_tokyo = datetime(2026, 11, 27, 14, 30, tzinfo=UTC)  # Friday 23:30 in Tokyo
    with database.session() as session:
        store_request(
            session=session, project=project, requester=PM, draft=READY, now=friday_night_tokyo
        )
    with database.session() as session:
        # Friday + 2 working days = Tuesday 23:30 Tokyo; Monday 23:30 UTC is still inside.
        assert (
            pending_past_sla(
                session=session, team_id=TEAM, now=datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
            )
            == []
        )
        assert pending_past_sla(
            session=session, team_id=TEAM, now=datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
        )


def test_a_rule_that_needs_more_approvers_than_may_decide_is_refused(database):
    project = make_project(database, approvers=[APPROVER, PM], gate_rule="2")
    with (
        database.session() as session,
        pytest.raises(PmoError, match="needs 2 approvals but only 1"),
    ):
        plan_next_gate(session=session, project=project, requester=MEMBER)


@given(
    rule=st.sampled_from(["all", "any", "2", "3"]),
    reject_ends=st.booleans(),
    verdicts=st.lists(st.sampled_from([Verdict.APPROVE, Verdict.REJECT]), min_size=1, max_size=4),
)
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_outcomes_follow_the_rule(database, rule, reject_ends, verdicts):
    approvers = [APPROVER, APPROVER_2, SPONSOR, MEMBER]
    key = f"G{abs(hash((rule, reject_ends, tuple(verdicts)))) % 10**8}"
    project = make_project(
        database,
        key=key,
        channel_id=None,
        approvers=approvers,
        gate_rule=rule,
        gate_reject_ends=reject_ends,
    )
    required = {"all": 4, "any": 1}.get(rule) or int(rule)
    with database.session() as session:
        gate = store_request(
            session=session, project=project, requester=PM, draft=READY, now=MONDAY
        ).gate
    approvals = rejections = 0
    expected = GateStatus.PENDING
    for approver, verdict in zip(approvers, verdicts, strict=False):
        if expected != GateStatus.PENDING:
            break
        with database.session() as session:
            decided = decide(
                session=session,
                actor=Actor(TEAM, approver),
                gate_id=gate.id,
                verdict=verdict,
                reason="because",
                now=MONDAY,
            )
        approvals += verdict == Verdict.APPROVE
        rejections += verdict == Verdict.REJECT
        waiting = 4 - approvals - rejections
        if approvals >= required:
            expected = GateStatus.APPROVED
        elif verdict == Verdict.REJECT and (reject_ends or approvals + waiting < required):
            expected = GateStatus.REJECTED
        assert decided.gate.status == expected
