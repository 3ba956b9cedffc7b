"""The digest's figures, computed directly: health, moves, gaps, risks, gates, participation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage import outbox
from storage.models import Rag, Verdict, Workspace
from storage.workspaces import ensure_workspace
from tests.factories import APPROVER, APPROVER_2, MEMBER, PM, SPONSOR, TEAM, make_project
from workflows.actor import Actor
from workflows.digest import build_digest, digest_moment, plan_digest
from workflows.gate_decisions import decide
from workflows.gates import GateDraft, store_request
from workflows.kudos import give_kudos
from workflows.risks import RiskDraft, store_risk
from workflows.status import StatusDraft, post_update

MONDAY = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)  # just after the digest time (09:00 UTC)
LAST_WEEK = MONDAY - timedelta(days=7)


def post(database, project, when, rag):
    with database.session() as session:
        post_update(
            session=session,
            project=project,
            author=PM,
            now=when,
            draft=StatusDraft(rag, "s", path_to_green="p"),
        )


def digest(database, now=MONDAY):
    with database.session() as session:
        return build_digest(session=session, team_id=TEAM, now=now)


def test_the_digest_covers_the_week_before_its_time():
    workspace = Workspace(team_id=TEAM, time_zone="Europe/London", digest_time="09:00")
    assert digest_moment(workspace, MONDAY) == datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    assert digest_moment(workspace, MONDAY - timedelta(hours=1)) == datetime(
        2026, 11, 23, 9, 0, tzinfo=UTC
    )


def test_health_counts_and_their_change_since_last_week(database):
    apollo = make_project(database, now=LAST_WEEK - timedelta(days=30))
    hermes = make_project(
        database, key="HERMES", channel_id=None, now=LAST_WEEK - timedelta(days=30)
    )
    make_project(database, key="NEWBIE", channel_id=None, now=MONDAY - timedelta(days=2))
    post(database, apollo, LAST_WEEK - timedelta(days=3), Rag.AMBER)
    post(database, hermes, LAST_WEEK - timedelta(days=3), Rag.GREEN)
    post(database, apollo, MONDAY - timedelta(days=3), Rag.GREEN)
    post(database, hermes, MONDAY - timedelta(days=3), Rag.RED)
    result = digest(database)
    assert result.window.label == "2026-W49"
    assert result.counts == {"green": 1, "amber": 0, "red": 1, "hold": 0, "none": 1}
    assert result.previous_counts == {"green": 1, "amber": 1, "red": 0, "hold": 0, "none": 1}
    assert [(m.project.key, m.previous, m.rag) for m in result.moved] == [
        ("APOLLO", Rag.AMBER, Rag.GREEN),
        ("HERMES", Rag.GREEN, Rag.RED),
    ]


def test_projects_without_an_update_this_cycle_are_named_with_their_pm(database):
    apollo = make_project(database, now=LAST_WEEK - timedelta(days=30))
    make_project(
        database, key="HERMES", channel_id=None, pm=MEMBER, now=LAST_WEEK - timedelta(days=30)
    )
    post(database, apollo, MONDAY - timedelta(days=4), Rag.GREEN)
    [missing] = digest(database).missing
    assert (missing.project.key, missing.pm, missing.last_update_at) == ("HERMES", MEMBER, None)


def test_a_project_created_after_its_due_day_is_not_missing(database):
    make_project(database, now=MONDAY - timedelta(days=1))
    assert digest(database).missing == []


def test_top_risks_are_the_high_and_critical_ones_and_name_a_project_once(database):
    apollo = make_project(database)
    hermes = make_project(database, key="HERMES", channel_id=None)
    with database.session() as session:
        for project, p, i in (
            (apollo, 5, 5),
            (hermes, 4, 5),
            (apollo, 4, 4),
            (hermes, 1, 1),
            (apollo, 3, 3),
            (apollo, 2, 2),
        ):
            store_risk(
                session=session,
                project=project,
                raised_by=PM,
                now=LAST_WEEK,
                draft=RiskDraft(title=f"r{p}{i}", probability=p, impact=i),
            )
    groups = digest(database).top_risks
    assert [(project.key, [line.risk.score for line in lines]) for project, lines in groups] == [
        ("APOLLO", [25, 16]),  # 9 and 4 are below the high band (12): not top risks
        ("HERMES", [20]),
    ]


def test_pending_gates_with_their_age_and_decisions_of_the_week(database):
    apollo = make_project(database)
    hermes = make_project(database, key="HERMES", channel_id=None, gate_rule="any")
    ready = GateDraft(evidence="e", ticked=[0, 1, 2])
    with database.session() as session:
        pending = store_request(
            session=session,
            project=apollo,
            requester=PM,
            draft=ready,
            now=MONDAY - timedelta(days=7),
        ).gate
        decide(
            session=session,
            actor=Actor(TEAM, APPROVER),
            gate_id=pending.id,
            verdict=Verdict.APPROVE,
            reason="",
            now=MONDAY - timedelta(days=6),
        )
        passed = store_request(
            session=session,
            project=hermes,
            requester=PM,
            draft=ready,
            now=MONDAY - timedelta(days=3),
        ).gate
        decide(
            session=session,
            actor=Actor(TEAM, APPROVER),
            gate_id=passed.id,
            verdict=Verdict.APPROVE,
            reason="",
            now=MONDAY - timedelta(days=2),
        )
    result = digest(database)
    [line] = result.pending_gates
    assert (line.project.key, line.approvals, line.waiting, line.working_days) == (
        "APOLLO",
        1,
        [APPROVER_2],
        4,
    )
    assert [
        (project.key, [g.status for g in gates]) for project, gates in result.decided_gates
    ] == [("HERMES", ["approved"])]


def test_participation_is_the_share_of_due_projects_updated_on_time_over_four_weeks(database):
    apollo = make_project(database, now=MONDAY - timedelta(days=60))
    hermes = make_project(database, key="HERMES", channel_id=None, now=MONDAY - timedelta(days=60))
    for weeks_ago in (1, 2, 3, 4):
        monday = MONDAY - timedelta(days=7 * weeks_ago)
        post(database, apollo, monday + timedelta(days=2), Rag.GREEN)  # Wednesday: on time
        if weeks_ago in (1, 3):
            post(database, hermes, monday + timedelta(days=6), Rag.GREEN)  # Sunday: late
    points = [(p.label, p.on_time, p.due, p.percent) for p in digest(database).participation]
    assert points == [
        ("2026-W45", 1, 2, 50),
        ("2026-W46", 1, 2, 50),
        ("2026-W47", 1, 2, 50),
        ("2026-W48", 1, 2, 50),
    ]


def test_the_digest_is_scoped_to_its_workspace(database):
    make_project(database, team_id="T0OTHER01", key="THEIRS")
    with database.session() as session:
        ensure_workspace(session=session, team_id=TEAM)
    result = digest(database)
    assert result.active_projects == 0
    assert result.missing == []


def test_the_digest_counts_the_weeks_kudos(database):
    with database.session() as session:
        for days in (1, 3, 10):
            give_kudos(
                session=session,
                actor=Actor(TEAM, PM),
                receivers=[APPROVER],
                reason="thanks",
                channel_id=None,
                now=MONDAY - timedelta(days=days),
            )
    assert digest(database).kudos == 2


def test_a_project_on_hold_is_not_listed_as_missing_nor_counted_as_due(database):
    paused = make_project(database, now=MONDAY - timedelta(days=60))
    post(database, paused, MONDAY - timedelta(days=40), Rag.HOLD)
    result = digest(database)
    assert result.missing == []
    assert [p.due for p in result.participation] == [0, 0, 0, 0]


def test_the_plan_posts_to_the_channel_and_sends_each_leader_a_copy_once(database):
    with database.session() as session:
        workspace = ensure_workspace(session=session, team_id=TEAM)
        workspace.digest_channel = "CDIGEST01"
        workspace.digest_leaders = [SPONSOR]
        session.add(workspace)
    with database.session() as session:
        plan = plan_digest(session=session, team_id=TEAM, now=MONDAY)
        key = f"digest:{TEAM}:2026-W49"
        assert [(m.key, m.to) for m in plan.messages] == [
            (key, "CDIGEST01"),
            (f"{key}:dm:{SPONSOR}", SPONSOR),
        ]
        assert all(m.content is plan.digest for m in plan.messages)
        outbox.enqueue(
            session=session, team_id=TEAM, key=key, channel="CDIGEST01", text="", now=MONDAY
        )
    with database.session() as session:
        again = plan_digest(session=session, team_id=TEAM, now=MONDAY)
    assert (again.already_sent, again.digest, again.messages) == (True, None, [])
