"""Requests for people, called directly: the checks on each field, where the request
goes, the suggestions, and what assigning, proposing, declining and withdrawing do."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import select

from storage import outbox
from storage.models import Allocation, AuditEvent, ResourceRequest
from storage.workspaces import ensure_people, ensure_workspace
from tests.factories import MEMBER, OTHER_TEAM, PM, TEAM, make_project
from workflows.actor import Actor
from workflows.capacity import AllocationDraft, Amount, OverAllocation, allocate
from workflows.errors import InvalidInput, NotPermitted, PmoError
from workflows.projects import get_project
from workflows.request_decisions import assign, decline, propose, withdraw
from workflows.resource_requests import (
    AssignmentNotice,
    RequestCard,
    RequestDraft,
    RequestNotice,
    RequestReply,
    check_draft,
    request_person,
)

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # a Monday
TODAY = NOW.date()
LEAD = "ULEAD0001"
LEAD_2 = "ULEAD0002"
ANA, BEN, CARL, DORA = "UANA00001", "UBEN00001", "UCARL0001", "UDORA0001"
# Four working weeks, Monday 30 November to Friday 25 December.
FOUR_WEEKS = (date(2026, 11, 30), date(2026, 12, 25))
GOOD = RequestDraft("backend", "20h", *FOUR_WEEKS, note="The payments API")


def workspace(database, *, team_id=TEAM, **fields):
    with database.session() as session:
        row = ensure_workspace(session=session, team_id=team_id)
        values = {"pmo_leads": [LEAD], **fields}
        for name, value in values.items():
            setattr(row, name, value)


def person(database, user_id, *skills, hours=40):
    with database.session() as session:
        row = ensure_people(session=session, team_id=TEAM, user_ids=[user_id])[user_id]
        row.skills = list(skills)
        row.capacity_hours = Decimal(hours)


def allocated(database, user_id, hours, *, start=FOUR_WEEKS[0], end=FOUR_WEEKS[1], key="ZEUS"):
    with database.session() as session:
        project = get_project(session=session, team_id=TEAM, key=key)
        allocate(
            session=session,
            actor=Actor(TEAM, LEAD),
            project=project,
            draft=AllocationDraft(user_id, start, end, Amount(hours=Decimal(hours))),
            now=NOW,
        )


def ask(database, draft=GOOD, *, user=PM, key="APOLLO", team_id=TEAM):
    with database.session() as session:
        made = request_person(
            session=session, actor=Actor(team_id, user), key=key, draft=draft, now=NOW
        )
        _sent(session, made.messages)
        return made


def _sent(session, messages):
    # What bot/sender.py does with the messages, without the rendering.
    for message in messages:
        outbox.enqueue(
            session=session,
            team_id=message.team_id,
            key=message.key,
            channel=message.to,
            text="",
            thread_key=message.thread_key,
            update_key=message.update_key,
            link_key=message.link_key,
            now=NOW,
        )


def act(database, action, user=LEAD, team_id=TEAM, **arguments):
    with database.session() as session:
        done = action(session=session, actor=Actor(team_id, user), now=NOW, **arguments)
        _sent(session, done.messages)
        return done


def stored(database):
    with database.session() as session:
        return session.exec(select(ResourceRequest).order_by(ResourceRequest.id)).all()


def errors_of(draft, known=frozenset({"backend", "design"})):
    return check_draft(draft, known_skills=set(known), today=TODAY)


@pytest.fixture
def apollo(database):
    workspace(database)
    person(database, MEMBER)
    return make_project(database)


# -- the checks ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("draft", "field", "words"),
    [
        (RequestDraft("", "20h", *FOUR_WEEKS), "skill", "Give the skill"),
        (RequestDraft("backend design", "20h", *FOUR_WEEKS), "skill", "One skill per request"),
        (RequestDraft("back_end!", "20h", *FOUR_WEEKS), "skill", "is not a skill tag"),
        (RequestDraft("bakend", "20h", *FOUR_WEEKS), "skill", "Did you mean `backend`?"),
        (RequestDraft("cobol", "20h", *FOUR_WEEKS), "skill", "Skills people have: backend"),
        (RequestDraft("backend", "0", *FOUR_WEEKS), "hours", "between 0 and 168"),
        (RequestDraft("backend", "169h", *FOUR_WEEKS), "hours", "between 0 and 168"),
        (RequestDraft("backend", "lots", *FOUR_WEEKS), "hours", "give hours a week"),
        (RequestDraft("backend", "20h", None, FOUR_WEEKS[1]), "start", "first day"),
        (RequestDraft("backend", "20h", date(2026, 11, 13), FOUR_WEEKS[1]), "start", "a week ago"),
        (RequestDraft("backend", "20h", FOUR_WEEKS[0], None), "end", "last day"),
        (
            RequestDraft("backend", "20h", FOUR_WEEKS[1], FOUR_WEEKS[0]),
            "end",
            "before the first",
        ),
        (
            RequestDraft("backend", "20h", FOUR_WEEKS[0], date(2030, 1, 1)),
            "end",
            "at most three years",
        ),
        (RequestDraft("backend", "20h", *FOUR_WEEKS, note="x" * 1001), "note", "at most 1,000"),
    ],
)
def test_each_bad_field_is_named(draft, field, words):
    errors = errors_of(draft)
    assert list(errors) == [field]
    assert words in errors[field]


def test_a_good_request_has_no_errors_and_may_start_up_to_a_week_ago():
    assert errors_of(GOOD) == {}
    assert errors_of(RequestDraft("backend", "7.5", date(2026, 11, 16), FOUR_WEEKS[1])) == {}


def test_any_skill_tag_goes_while_nobody_has_skills_recorded():
    assert errors_of(RequestDraft("cobol", "20h", *FOUR_WEEKS), known=set()) == {}


@settings(max_examples=60)
@given(st.decimals(min_value=0, max_value=999, places=2), st.sampled_from(["", "h", " h", "H"]))
def test_hours_are_more_than_0_and_at_most_168(hours, unit):
    errors = errors_of(RequestDraft("backend", f"{hours}{unit}", *FOUR_WEEKS))
    assert ("hours" not in errors) == (0 < hours <= 168)


# -- asking ----------------------------------------------------------------------------------


def test_a_request_is_numbered_per_project_and_audited(database, apollo):
    first, second = ask(database), ask(database)
    assert [r.number for r in stored(database)] == [1, 2]
    assert first.request.hours_per_week == Decimal("20")
    assert second.request.requested_by == PM
    with database.session() as session:
        [event, _] = session.exec(select(AuditEvent).where(AuditEvent.entity == "resource_request"))
    assert event.action == "resource_request.created"
    assert event.detail["request"] == "APOLLO-RQ1"
    assert event.detail["skill"] == "backend"


def test_only_the_pm_or_a_pmo_lead_asks(database, apollo):
    with pytest.raises(NotPermitted, match=f"Only the PM of APOLLO \\(<@{PM}>\\) or a PMO lead"):
        ask(database, user=MEMBER)
    assert ask(database, user=LEAD).request.requested_by == LEAD


def test_without_pmo_leads_the_request_is_refused_and_says_where_to_name_them(database):
    workspace(database, pmo_leads=[])
    make_project(database)
    with pytest.raises(PmoError, match=r"names none yet.*`/pmo settings`"):
        ask(database)
    assert stored(database) == []


def test_bad_fields_are_refused_together_and_nothing_is_stored(database, apollo):
    person(database, "UANY00001", "backend")
    with pytest.raises(InvalidInput) as refused:
        ask(database, RequestDraft("bakend", "200", FOUR_WEEKS[1], FOUR_WEEKS[0]))
    assert set(refused.value.errors) == {"skill", "hours", "end"}
    assert stored(database) == []


@pytest.mark.parametrize(
    ("settings_", "cards"),
    [
        ({"resource_channel": "CRESOURCE", "digest_channel": "CDIGEST01"}, ["CRESOURCE"]),
        ({"digest_channel": "CDIGEST01"}, ["CDIGEST01"]),
        ({"pmo_leads": [LEAD, LEAD_2]}, [LEAD, LEAD_2]),
    ],
)
def test_the_card_goes_to_the_resource_channel_else_the_digest_else_each_lead(
    database, settings_, cards
):
    workspace(database, **settings_)
    make_project(database)
    made = ask(database)
    assert [m.to for m in made.messages] == cards
    assert all(isinstance(m.content, RequestCard) for m in made.messages)


# -- suggestions -----------------------------------------------------------------------------


def test_suggestions_have_the_skill_and_free_hours_most_free_first(database):
    workspace(database)
    make_project(database)
    make_project(database, key="ZEUS", channel_id="CZEUS0001", members=[ANA, BEN, CARL, DORA])
    person(database, ANA, "backend")
    person(database, BEN, "backend", "design")
    person(database, CARL, "design")  # free, but not the skill
    person(database, DORA, "backend")
    allocated(database, ANA, 30)  # 10 h free a week
    allocated(database, DORA, 40)  # nothing free
    found = ask(database).suggestions
    assert [(s.user_id, s.free_hours) for s in found] == [(BEN, 160), (ANA, 40)]
    assert found[0].fits(Decimal(20)) and not found[1].fits(Decimal(20))
    assert found[1].least_weekly == 10


def test_at_most_five_suggestions(database):
    workspace(database)
    people = [f"UPERSON0{n}" for n in range(7)]
    make_project(database, members=people)
    for n, user in enumerate(people):
        person(database, user, "backend", hours=10 + n)
    found = ask(database).suggestions
    assert [s.user_id for s in found] == people[:1:-1]


# -- deciding --------------------------------------------------------------------------------


def test_assigning_allocates_the_person_and_tells_the_pm_and_them(database, apollo):
    workspace(database, resource_channel="CRESOURCE")
    person(database, ANA, "backend")
    made = ask(database)
    done = act(database, assign, request_id=made.request.id, user_id=ANA)
    [row] = stored(database)
    assert (row.status, row.assigned_to, row.decided_by, row.version) == ("assigned", ANA, LEAD, 2)
    with database.session() as session:
        [allocation] = session.exec(select(Allocation)).all()
    assert allocation.request_id == row.id
    assert (allocation.user_id, allocation.hours_per_week) == (ANA, Decimal("20"))
    assert (allocation.start_date, allocation.end_date) == FOUR_WEEKS
    kinds = [(type(m.content).__name__, m.to) for m in done.messages]
    assert ("RequestCard", "CRESOURCE") in kinds
    assert ("RequestReply", "CRESOURCE") in kinds
    assert ("RequestNotice", PM) in kinds
    # The person hears of it once: from the allocation, or else from the request.
    assert sum(1 for _, to in kinds if to == ANA) == 1
    edit = next(m for m in done.messages if isinstance(m.content, RequestCard))
    assert edit.update_key == f"resource-request:{row.id}"
    notice = next(m for m in done.messages if isinstance(m.content, RequestNotice))
    assert notice.link_key == f"resource-request:{row.id}"


def test_assigning_someone_already_busy_reports_the_over_allocation(database, apollo):
    make_project(database, key="ZEUS", channel_id="CZEUS0001", members=[ANA])
    person(database, ANA, "backend")
    allocated(database, ANA, 32)
    made = ask(database)
    done = act(database, assign, request_id=made.request.id, user_id=ANA)
    alerts = [m for m in done.messages if isinstance(m.content, OverAllocation)]
    assert {m.to for m in alerts} >= {LEAD, PM}
    assert alerts[0].content.person == ANA


def test_with_no_channel_each_lead_s_copy_is_edited_and_answered(database):
    workspace(database, pmo_leads=[LEAD, LEAD_2])
    make_project(database)
    made = ask(database)
    done = act(database, decline, request_id=made.request.id, reason="No budget left.")
    edits = [m for m in done.messages if m.update_key]
    replies = [m for m in done.messages if m.thread_key]
    assert [m.update_key for m in edits] == [
        f"resource-request:{made.request.id}:lead:{LEAD}",
        f"resource-request:{made.request.id}:lead:{LEAD_2}",
    ]
    assert len(replies) == 2
    notice = next(m for m in done.messages if isinstance(m.content, RequestNotice))
    assert notice.link_key is None  # a lead's direct messages are no place to link the PM to


def test_proposing_keeps_the_request_open_and_tells_the_pm(database, apollo):
    made = ask(database)
    act(database, propose, request_id=made.request.id, user_id=BEN, note="")
    done = act(database, propose, request_id=made.request.id, user_id=ANA, note="Frees up soon")
    [row] = stored(database)
    assert (row.status, row.proposed, row.version) == ("open", [BEN, ANA], 3)
    notice = next(m for m in done.messages if isinstance(m.content, RequestNotice))
    assert (notice.to, notice.content.person, notice.content.words) == (PM, ANA, "Frees up soon")
    reply = next(m for m in done.messages if isinstance(m.content, RequestReply))
    assert reply.key == f"resource-request:{row.id}:lead:{LEAD}:v3:reply"


def test_declining_needs_a_reason(database, apollo):
    made = ask(database)
    with pytest.raises(InvalidInput) as refused:
        act(database, decline, request_id=made.request.id, reason="  ")
    assert "reason" in refused.value.errors
    act(database, decline, request_id=made.request.id, reason="Hire a contractor.")
    [row] = stored(database)
    assert (row.status, row.reason, row.decided_by) == ("declined", "Hire a contractor.", LEAD)


def test_only_pmo_leads_decide(database, apollo):
    made = ask(database)
    for action, arguments in (
        (assign, {"user_id": ANA}),
        (propose, {"user_id": ANA, "note": ""}),
        (decline, {"reason": "no"}),
    ):
        with pytest.raises(NotPermitted, match=f"Only the PMO leads \\(<@{LEAD}>\\)"):
            act(database, action, user=PM, request_id=made.request.id, **arguments)
    assert stored(database)[0].status == "open"


def test_a_decided_request_says_who_decided_it_and_nothing_changes(database, apollo):
    made = ask(database)
    act(database, assign, request_id=made.request.id, user_id=ANA)
    with pytest.raises(PmoError) as refused:
        act(database, assign, request_id=made.request.id, user_id=BEN)
    assert str(refused.value) == (
        f"APOLLO-RQ1 is already assigned to <@{ANA}> by <@{LEAD}>. Nothing changed."
    )
    with pytest.raises(PmoError, match="already assigned"):
        act(database, decline, request_id=made.request.id, reason="no")
    with database.session() as session:
        assert len(session.exec(select(Allocation)).all()) == 1


def test_a_request_of_another_workspace_is_no_request_at_all(database, apollo):
    made = ask(database)
    workspace(database, team_id=OTHER_TEAM)
    with pytest.raises(PmoError, match="no longer exists"):
        act(database, assign, team_id=OTHER_TEAM, request_id=made.request.id, user_id=ANA)
    assert stored(database)[0].status == "open"


def test_the_pm_may_withdraw_an_open_request_and_a_member_may_not(database, apollo):
    made = ask(database)
    with pytest.raises(NotPermitted):
        act(database, withdraw, user=MEMBER, request_id=made.request.id)
    done = act(database, withdraw, user=PM, request_id=made.request.id)
    assert stored(database)[0].status == "withdrawn"
    assert not any(isinstance(m.content, (RequestNotice, AssignmentNotice)) for m in done.messages)
