"""Improvement actions and lessons called directly: who may make and close them, what is
refused, closing twice, the reminders before and after the due date (once each), and the
lessons suggested to a new project and its first gate."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from bot.jobs import nudge_job
from storage.models import ActionStatus, AuditEvent, Lesson, Retro, RetroAction, RetroItem
from storage.workspaces import ensure_workspace
from tests.factories import MEMBER, OUTSIDER, PM, SPONSOR, TEAM, draft, make_project
from workflows.actor import Actor
from workflows.errors import InvalidInput, NotPermitted
from workflows.gates import GateDraft, store_request
from workflows.lesson_suggestions import LessonSuggestions
from workflows.lessons import LessonDraft, promote
from workflows.projects import new_project
from workflows.retro_actions import ActionDraft, close_action, make_action

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)  # a Monday
FACILITATOR = "UFACIL001"
LEAD = "ULEAD0001"


def utc(text):
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def add_item(database, project, text="Vendor reviews came too late", author=None, number=1):
    """A summarised retro with one item, stored as the retro's own code would."""
    with database.session() as session:
        retro = session.exec(
            select(Retro).where(Retro.project_id == project.id, Retro.number == number)
        ).first()
        if retro is None:
            retro = Retro(
                team_id=project.team_id,
                project_id=project.id,
                number=number,
                reason="manual",
                facilitator=FACILITATOR,
                opened_at=utc("2026-11-23 09:00"),
                closes_at=utc("2026-11-27 17:00"),
                status="summarised",
            )
            session.add(retro)
            session.flush()
        item = RetroItem(
            team_id=project.team_id,
            retro_id=retro.id,
            kind="didnt",
            text=text,
            author=author,
            given_on=date(2026, 11, 24),
        )
        session.add(item)
        session.flush()
        return item.id


def make(database, item_id, *, by=PM, owner=MEMBER, due=date(2026, 12, 4), title="Book reviews"):
    with database.session() as session:
        return make_action(
            session=session,
            actor=Actor(TEAM, by),
            item_id=item_id,
            draft=ActionDraft(title, owner, due),
            now=NOW,
        )


def close(database, action_id, *, by=MEMBER, outcome="Reviews booked monthly", now=NOW):
    with database.session() as session:
        return close_action(
            session=session, actor=Actor(TEAM, by), action_id=action_id, outcome=outcome, now=now
        )


@pytest.fixture
def project(database):
    return make_project(database)


def test_the_pm_facilitator_and_a_pmo_lead_make_actions_others_may_not(database, project):
    item = add_item(database, project)
    with database.session() as session:
        ensure_workspace(session=session, team_id=TEAM).pmo_leads = [LEAD]
    for who in (PM, FACILITATOR, LEAD):
        assert make(database, item, by=who).action.owner == MEMBER
    for who in (MEMBER, SPONSOR, OUTSIDER):
        with pytest.raises(NotPermitted, match="Only the PM or the retro's facilitator"):
            make(database, item, by=who)


def test_an_anonymous_item_becomes_an_action_revealing_nobody(database, project):
    item = add_item(database, project, author=None)
    made = make(database, item)
    [told] = made.messages
    assert (told.to, told.key) == (MEMBER, f"retro_action:{made.action.id}:assigned")
    with database.session() as session:
        [event] = session.exec(select(AuditEvent).where(AuditEvent.entity == "retro_action"))
    assert event.action == "retro_action.created" and "author" not in event.detail


def test_bad_actions_are_refused_with_the_field_and_the_limit(database, project):
    item = add_item(database, project)
    for values, field, said in (
        ({"title": "x" * 201}, "title", "at most 200 characters"),
        ({"title": "  "}, "title", "Say what is to be done"),
        ({"owner": "not-a-user"}, "owner", "Choose the person"),
        ({"due": date(2026, 11, 29)}, "due_on", "cannot be in the past"),
    ):
        with pytest.raises(InvalidInput) as refused:
            make(database, item, **values)
        assert said in refused.value.errors[field]
    with database.session() as session:
        assert session.exec(select(RetroAction)).all() == []


def test_the_owner_closes_with_an_outcome_once_and_a_second_close_changes_nothing(
    database, project
):
    action = make(database, add_item(database, project)).action
    with pytest.raises(InvalidInput, match="at most 300 characters"):
        close(database, action.id, outcome="y" * 301)
    with pytest.raises(InvalidInput, match="Say in a line"):
        close(database, action.id, outcome=" ")
    with pytest.raises(NotPermitted, match="Only its owner"):
        close(database, action.id, by=SPONSOR)
    assert close(database, action.id).already is False
    again = close(database, action.id, by=PM, outcome="something else", now=utc("2026-12-01 09:00"))
    assert again.already is True and again.action.outcome == "Reviews booked monthly"
    with database.session() as session:
        closes = session.exec(
            select(AuditEvent).where(AuditEvent.action == "retro_action.closed")
        ).all()
        stored = session.get(RetroAction, action.id)
    assert [e.actor for e in closes] == [MEMBER]
    assert (stored.status, stored.closed_at) == (ActionStatus.DONE, NOW)


# -- reminders --------------------------------------------------------------------------------


def reminders(runtime, when):
    runtime.clock.set(when)
    planned = nudge_job(database=runtime.database, sender=runtime.sender, now=when, clients=None)
    runtime.deliverer.deliver()
    return [(m.key.rsplit(":", 1)[-1], m.to) for m in planned if m.key.startswith("nudge:retro")]


def test_the_owner_is_reminded_the_working_day_before_and_after_at_10_their_time(
    runtime, database, slack_api
):
    project = make_project(database)
    with database.session() as session:
        ensure_workspace(session=session, team_id=TEAM).time_zone = "Europe/London"
    made = make(database, add_item(database, project), due=date(2026, 12, 7))  # a Monday
    assert reminders(runtime, utc("2026-12-03 10:00")) == []  # Thursday: too early
    assert reminders(runtime, utc("2026-12-04 09:59")) == []  # Friday, before 10:00
    assert reminders(runtime, utc("2026-12-04 10:00")) == [("before", MEMBER)]
    assert reminders(runtime, utc("2026-12-04 15:00")) == []
    assert reminders(runtime, utc("2026-12-07 11:00")) == []  # the due day itself
    assert reminders(runtime, utc("2026-12-08 10:30")) == [("after", MEMBER)]
    assert reminders(runtime, utc("2026-12-09 10:30")) == []
    [before, after] = slack_api.dms(MEMBER)[-2:]
    assert "is due Mon 7 Dec 2026" in before.text and "was due" in after.text
    closing = [e for b in after.blocks if b["type"] == "actions" for e in b["elements"]]
    assert [(e["text"]["text"], e["value"]) for e in closing] == [("Close", str(made.action.id))]


def test_a_closed_action_is_not_reminded_after_its_due_date(runtime, database):
    project = make_project(database)
    made = make(database, add_item(database, project), due=date(2026, 12, 4))
    close(database, made.action.id)
    assert reminders(runtime, utc("2026-12-03 12:00")) == []
    assert reminders(runtime, utc("2026-12-07 12:00")) == []


# -- lessons ------------------------------------------------------------------------------------


def lesson(database, project, tags="launch, vendor", by=MEMBER, **values):
    fields = {
        "title": "Book vendor reviews early",
        "what_happened": "Reviews came late.",
        "recommendation": "Book them at kickoff.",
        "tags": tags,
        **values,
    }
    with database.session() as session:
        return promote(
            session=session,
            actor=Actor(TEAM, by),
            item_id=add_item(database, project),
            draft=LessonDraft(**fields),
            now=NOW,
        )


def test_anyone_on_the_project_promotes_an_item_outsiders_may_not(database, project):
    assert lesson(database, project).lesson.tags == ["launch", "vendor"]
    with pytest.raises(NotPermitted, match="Only the people of APOLLO"):
        lesson(database, project, by=OUTSIDER)


def test_bad_lessons_name_the_field_and_the_limit(database, project):
    for values, field, said in (
        ({"title": "t" * 201}, "title", "at most 200 characters"),
        ({"what_happened": "w" * 3001}, "what_happened", "at most 3,000 characters"),
        ({"recommendation": "r" * 3001}, "recommendation", "at most 3,000 characters"),
        ({"recommendation": " "}, "recommendation", "cannot be empty"),
        ({"tags": "ok, <!channel>"}, "tags", "is not a tag"),
    ):
        with pytest.raises(InvalidInput) as refused:
            lesson(database, project, **values)
        assert said in refused.value.errors[field]
    with database.session() as session:
        assert session.exec(select(Lesson)).all() == []


def suggested(messages):
    return [
        (m.to, [lesson.title for lesson, _ in m.content.found])
        for m in messages
        if isinstance(m.content, LessonSuggestions)
    ]


def test_a_new_project_and_its_first_gate_are_offered_matching_lessons(database, project):
    lesson(database, project, tags="launch")
    lesson(database, project, tags="hiring", title="Hire early")
    with database.session() as session:
        created = new_project(
            session=session,
            actor=Actor(TEAM, PM),
            draft=draft(key="ZEUS", name="Zeus launch", channel_id=None),
            now=NOW,
        )
    assert suggested(created.messages) == [(PM, ["Book vendor reviews early"])]
    ready = GateDraft(evidence="ready", ticked=[0, 1, 2])
    with database.session() as session:
        first = store_request(
            session=session, project=created.project, requester=PM, draft=ready, now=NOW
        )
    assert suggested(first.messages) == [(PM, ["Book vendor reviews early"])]


def test_nothing_is_suggested_when_no_tag_matches(database, project):
    lesson(database, project, tags="hiring")
    with database.session() as session:
        created = new_project(
            session=session,
            actor=Actor(TEAM, PM),
            draft=draft(key="ZEUS", name="Zeus", channel_id=None),
            now=NOW,
        )
    assert suggested(created.messages) == []
