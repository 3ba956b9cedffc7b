"""The digest's Learning section: retros held, actions done and overdue, and the trend."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from commands.digest_message import digest_messages
from commands.templates import Templates
from storage.models import ActionStatus, Gate, GateStatus, Rag, Retro, RetroAction, RetroStatus
from tests.factories import MEMBER, PM, TEAM, make_project
from workflows.digest import build_digest
from workflows.status import StatusDraft, post_update

MONDAY = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)  # just after the digest time (09:00 UTC)
CREATED = MONDAY - timedelta(weeks=20)


def digest(database):
    with database.session() as session:
        return build_digest(session=session, team_id=TEAM, now=MONDAY)


def text_of(result):
    return "\n".join(
        block["text"]["text"]
        for message in digest_messages(result, Templates())
        for block in message.blocks
        if block["type"] == "section"
    )


def retro(database, project, *, number=1, summarised_at=MONDAY - timedelta(days=2)):
    with database.session() as session:
        row = Retro(
            team_id=TEAM,
            project_id=project.id,
            number=number,
            reason="asked",
            facilitator=PM,
            opened_at=summarised_at - timedelta(days=5),
            closes_at=summarised_at,
            status=RetroStatus.SUMMARISED,
            summarised_at=summarised_at,
        )
        session.add(row)
        session.flush()
        return row.id


def action(database, project, retro_id, title, due_on, status=ActionStatus.OPEN, owner=MEMBER):
    with database.session() as session:
        session.add(
            RetroAction(
                team_id=TEAM,
                project_id=project.id,
                retro_id=retro_id,
                title=title,
                owner=owner,
                due_on=due_on,
                status=status,
                created_by=PM,
                created_at=MONDAY - timedelta(weeks=3),
                closed_at=MONDAY - timedelta(days=1) if status == ActionStatus.DONE else None,
            )
        )


def decided_gate(database, project, number, requested_at, days):
    with database.session() as session:
        session.add(
            Gate(
                team_id=TEAM,
                project_id=project.id,
                number=number,
                from_phase="Plan",
                to_phase="Execute",
                requested_by=PM,
                requested_at=requested_at,
                evidence="Signed off.",
                rule="any",
                required=1,
                status=GateStatus.APPROVED,
                decided_at=requested_at + timedelta(days=days),
            )
        )


def test_retros_summarised_this_week_are_counted_with_their_projects(database):
    apollo = make_project(database, now=CREATED)
    hermes = make_project(database, key="HERMES", channel_id=None, now=CREATED)
    retro(database, apollo)
    retro(database, hermes, summarised_at=MONDAY - timedelta(days=10))  # the week before
    learning = digest(database).learning
    assert [project.key for _, project in learning.retros] == ["APOLLO"]


def test_the_completion_rate_counts_actions_due_so_far_and_names_the_overdue(database):
    apollo = make_project(database, now=CREATED)
    retro_id = retro(database, apollo, summarised_at=MONDAY - timedelta(weeks=3))
    action(database, apollo, retro_id, "Book the demo room", date(2026, 11, 20), ActionStatus.DONE)
    action(database, apollo, retro_id, "Write the runbook", date(2026, 11, 25))
    action(database, apollo, retro_id, "Ask finance early", date(2026, 11, 30))  # due today
    action(database, apollo, retro_id, "Done early", date(2026, 12, 9), ActionStatus.DONE)
    learning = digest(database).learning
    assert (learning.actions_due, learning.actions_done, learning.completion) == (2, 1, 50)
    [overdue] = learning.overdue
    assert (overdue.action.title, overdue.action.owner, overdue.project.key) == (
        "Write the runbook",
        MEMBER,
        "APOLLO",
    )


def test_gate_cycle_time_is_the_median_of_the_gates_decided_each_week(database):
    apollo = make_project(database, now=CREATED)
    this_week = MONDAY - timedelta(days=6)
    decided_gate(database, apollo, 1, this_week - timedelta(days=2), 2)
    decided_gate(database, apollo, 2, this_week - timedelta(days=5), 5)
    decided_gate(database, apollo, 3, MONDAY - timedelta(weeks=10, days=5), 1)
    decided_gate(database, apollo, 4, MONDAY - timedelta(weeks=20), 3)  # before the trend
    weeks = digest(database).learning.weeks
    assert len(weeks) == 13 and weeks[-1].end == datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    assert (weeks[-1].gates, weeks[-1].gate_days) == (2, 3.5)
    assert [(w.gates, w.gate_days) for w in weeks if w.gates] == [(1, 1.0), (2, 3.5)]
    assert weeks[2].gates == 1


def test_the_on_time_trend_is_the_participation_rule_over_thirteen_weeks(database):
    apollo = make_project(database, now=CREATED)
    for back in range(13):
        if back % 3 == 1:
            continue  # a week without an update
        with database.session() as session:
            post_update(
                session=session,
                project=apollo,
                author=PM,
                now=MONDAY - timedelta(weeks=back, days=5),
                draft=StatusDraft(Rag.GREEN, "s"),
            )
    result = digest(database)
    weeks = result.learning.weeks
    assert [w.on_time for w in weeks[-4:]] == result.participation
    assert [w.on_time.percent for w in weeks] == [
        0 if back % 3 == 1 else 100 for back in reversed(range(13))
    ]


def test_the_section_says_retros_rates_overdue_actions_and_trends(database):
    apollo = make_project(database, now=CREATED)
    retro_id = retro(database, apollo)
    action(database, apollo, retro_id, "Write the runbook", date(2026, 11, 25))
    decided_gate(database, apollo, 1, MONDAY - timedelta(days=6), 2)
    text = text_of(digest(database))
    assert "*Learning*" in text
    assert "Retros held this week: 1 (*APOLLO*)" in text
    assert "Actions due so far: 0 of 1 done (0 %)" in text
    assert f"*APOLLO* Write the runbook · <@{MEMBER}>, due Wed 25 Nov 2026" in text
    assert "Gate cycle time: median 2 days (13 weeks)" in text


def test_the_section_is_left_out_with_no_retro_action_or_gate(database):
    make_project(database, now=CREATED)
    result = digest(database)
    assert result.learning.empty
    assert "Learning" not in text_of(result)
