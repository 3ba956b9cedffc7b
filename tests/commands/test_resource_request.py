"""`/capacity request`: the form and its inline errors, the card the PMO leads decide on,
its buttons and their forms, the thread replies and direct messages, and the refusals."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlmodel import select

from storage.models import Allocation, ResourceRequest
from storage.workspaces import ensure_people, ensure_workspace
from tests.commands.forgery import with_button_value
from tests.factories import MEMBER, OTHER_TEAM, PM, TEAM, make_project
from workflows.actor import Actor
from workflows.capacity import AllocationDraft, Amount, allocate
from workflows.projects import get_project
from workflows.resource_requests import RequestDraft, request_person

LEAD, LEAD_2 = "ULEAD0001", "ULEAD0002"
ANA, BEN, CARL = "UANA00001", "UBEN00001", "UCARL0001"
RESOURCES = "CRESOURCE"
FROM, UNTIL = date(2026, 11, 30), date(2026, 12, 25)  # four working weeks
GOOD = {"Skill": "backend", "Hours a week": "20h", "From": FROM, "Until (inclusive)": UNTIL}


def workspace(database, **fields):
    with database.session() as session:
        row = ensure_workspace(session=session, team_id=TEAM)
        for name, value in {"pmo_leads": [LEAD], "resource_channel": RESOURCES, **fields}.items():
            setattr(row, name, value)


def skilled(database, user_id, *skills):
    with database.session() as session:
        ensure_people(session=session, team_id=TEAM, user_ids=[user_id])[user_id].skills = [*skills]


def allocated(database, user_id, hours):
    with database.session() as session:
        allocate(
            session=session,
            actor=Actor(TEAM, LEAD),
            project=get_project(session=session, team_id=TEAM, key="ZEUS"),
            draft=AllocationDraft(user_id, FROM, UNTIL, Amount(hours=Decimal(hours))),
            now=datetime(2026, 11, 23, 9, 0, tzinfo=UTC),
        )


def portfolio(database, **settings):
    """APOLLO (its PM asks), ZEUS (where the backend people work), the PMO leads."""
    workspace(database, **settings)
    make_project(database)
    zeus = [ANA, BEN, CARL]
    make_project(database, key="ZEUS", name="Zeus", channel_id="CZEUS0001", members=zeus)
    skilled(database, ANA, "backend")
    skilled(database, BEN, "backend", "design")
    skilled(database, CARL, "design")


def ask(slack, values=None, *, user=PM, channel="CAPOLLO01", text="request"):
    slack.command("/capacity", text, user=user, channel=channel)
    modal = slack.last_modal()
    return slack.submit(modal.enter({**GOOD, **(values or {})}), user=user)


def card(slack_api, channel=RESOURCES):
    return next(m for m in slack_api.posts(channel) if m.thread_ts is None and "-RQ" in m.text)


def buttons(message):
    actions = [block for block in message.blocks if block["type"] == "actions"]
    return [element["text"]["text"] for block in actions for element in block["elements"]]


def requests(database):
    with database.session() as session:
        return session.exec(select(ResourceRequest).order_by(ResourceRequest.id)).all()


def allocations(database):
    with database.session() as session:
        return [(a.user_id, a.request_id) for a in session.exec(select(Allocation))]


def decide(slack, message, action, values, *, user=LEAD):
    slack.click(message, f"resource_request.{action}", user=user)
    return slack.submit(slack.last_modal().enter(values), user=user)


# -- the form --------------------------------------------------------------------------------


def test_the_form_is_for_the_channel_s_project_and_hints_the_skills_people_have(slack, database):
    portfolio(database)
    slack.command("/capacity", "request", user=PM, channel="CAPOLLO01")
    modal = slack.last_modal()
    assert modal.title == "Ask for a person"
    assert "For *APOLLO* · Apollo launch" in str(modal.view["blocks"])
    assert modal.labels() == ["Skill", "Hours a week", "From", "Until (inclusive)", "Note"]
    hint = modal.block("Skill")["hint"]["text"]
    assert hint == "One skill. People here have: backend, design."
    assert modal.initial("From") == "2026-11-30"  # next Monday


def test_a_key_names_the_project_and_elsewhere_you_pick_one_you_run(slack, slack_api, database):
    portfolio(database)
    slack.command("/capacity", "request ZEUS", user=PM, channel="CGENERAL")
    assert "For *ZEUS* · Zeus" in str(slack.last_modal().view["blocks"])
    slack.command("/capacity", "request", user=PM, channel="CGENERAL")
    modal = slack.last_modal()
    assert modal.labels()[0] == "Project"
    assert modal.options("Project") == ["APOLLO", "ZEUS"]
    assert slack.submit(modal.enter({**GOOD, "Project": "ZEUS"}), user=PM).body == ""
    assert "ZEUS-RQ1 · backend" in card(slack_api).all_text()


def test_someone_who_is_not_the_pm_is_refused_before_the_form(slack, slack_api, database):
    portfolio(database)
    slack.command("/capacity", "request", user=MEMBER, channel="CAPOLLO01")
    assert slack_api.last_reply()["text"] == (
        f"Only the PM of APOLLO (<@{PM}>) or a PMO lead asks for people for it."
    )
    assert slack_api.calls_to("views.open") == []


def test_without_pmo_leads_the_form_says_where_to_name_them(slack, slack_api, database):
    portfolio(database, pmo_leads=[])
    slack.command("/capacity", "request", user=PM, channel="CAPOLLO01")
    assert "`/pmo settings`" in slack_api.last_reply()["text"]
    assert slack_api.calls_to("views.open") == []


def test_each_bad_field_is_an_inline_error_and_nothing_is_stored(slack, slack_api, database):
    portfolio(database)
    errors = ask(
        slack, {"Skill": "bakend", "Hours a week": "169", "From": UNTIL, "Until (inclusive)": FROM}
    ).json()["errors"]
    assert errors == {
        "skill": "Nobody here has the skill `bakend`. Did you mean `backend`?",
        "hours": "Hours must be between 0 and 168 a week.",
        "end": "The last day is before the first.",
    }
    errors = ask(slack, {"Skill": "backend design", "Hours a week": "0"}).json()["errors"]
    assert set(errors) == {"skill", "hours"}
    errors = ask(slack, {"From": date(2026, 11, 2)}).json()["errors"]
    assert errors == {"start": "The first day can be at most a week ago."}
    assert requests(database) == []
    assert slack_api.posts(RESOURCES) == []


# -- where the card goes ---------------------------------------------------------------------


def test_the_card_in_the_resource_channel_suggests_the_most_free_first(slack, slack_api, database):
    portfolio(database, digest_channel="CDIGEST01")
    allocated(database, ANA, 30)
    assert ask(slack, {"Note": "Payments API <!channel>"}).body == ""
    message = card(slack_api)
    text = message.all_text()
    assert "APOLLO-RQ1 · backend" in text
    assert f"<@{PM}> asks for someone on *APOLLO* (Apollo launch)" in text
    assert "*backend* · 20 h a week · Mon 30 Nov 2026 to Fri 25 Dec 2026" in text
    assert "Payments API &lt;!channel&gt;" in text
    lines = [line for line in text.split("\n") if line.startswith("• ")]
    assert lines == [
        f"• <@{BEN}> · 160 h free, at least 40 h every week :white_check_mark:",
        f"• <@{ANA}> · 40 h free, only 10 h in the tightest week",
    ]
    assert buttons(message) == ["Assign", "Propose someone else", "Decline"]
    assert slack_api.posts("CDIGEST01") == []


def test_without_a_resource_channel_the_digest_channel_gets_it(slack, slack_api, database):
    portfolio(database, resource_channel=None, digest_channel="CDIGEST01")
    ask(slack)
    assert buttons(card(slack_api, "CDIGEST01")) == ["Assign", "Propose someone else", "Decline"]


def test_without_either_each_pmo_lead_gets_a_copy_by_direct_message(slack, slack_api, database):
    portfolio(database, resource_channel=None, pmo_leads=[LEAD, LEAD_2])
    ask(slack)
    for lead in (LEAD, LEAD_2):
        [copy_] = slack_api.dms(lead)
        assert "APOLLO-RQ1 · backend" in copy_.all_text()
        assert buttons(copy_) == ["Assign", "Propose someone else", "Decline"]
    decide(slack, slack_api.dms(LEAD_2)[0], "decline", {"Reason": "No budget."}, user=LEAD)
    for lead in (LEAD, LEAD_2):
        [copy_, reply] = slack_api.dms(lead)
        assert buttons(copy_) == []
        assert reply.text == f":no_entry: <@{LEAD}> declined it: No budget."
    [notice] = slack_api.dms(PM)
    assert "declined your request APOLLO-RQ1" in notice.text
    assert "{link}" not in notice.text


# -- deciding --------------------------------------------------------------------------------


def test_assign_lists_the_suggestions_and_allocates_the_person(slack, slack_api, database):
    portfolio(database)
    ask(slack)
    message = copy.deepcopy(card(slack_api))
    slack.click(message, "resource_request.assign", user=LEAD)
    modal = slack.last_modal()
    assert modal.title == "Assign someone"
    assert f"• <@{ANA}> · 160 h free" in str(modal.view["blocks"])
    assert modal.initial("Assign") == ANA  # the most free; ties by id
    assert slack.submit(modal.enter({"Assign": BEN}), user=LEAD).body == ""
    [request] = requests(database)
    assert (request.status, request.assigned_to, request.decided_by) == ("assigned", BEN, LEAD)
    assert allocations(database) == [(BEN, request.id)]
    updated = card(slack_api)
    assert buttons(updated) == []
    assert f":white_check_mark: Assigned to <@{BEN}> by <@{LEAD}>" in updated.all_text()
    assert "Suggestions" not in updated.all_text()
    [reply] = slack_api.replies(RESOURCES, updated.ts)
    assert reply.text == (
        f":white_check_mark: <@{LEAD}> assigned <@{BEN}>: 20 h a week on APOLLO, "
        "Mon 30 Nov 2026 to Fri 25 Dec 2026."
    )
    [notice] = slack_api.dms(PM)
    assert f"<@{LEAD}> assigned <@{BEN}> to your request APOLLO-RQ1" in notice.text
    assert f"/archives/{RESOURCES}/p{updated.ts.replace('.', '')}" in notice.text
    [told] = slack_api.dms(BEN)
    assert "allocated you to *APOLLO*" in told.text


def test_assigning_someone_already_busy_warns_of_the_over_allocation(slack, slack_api, database):
    portfolio(database)
    allocated(database, ANA, 32)
    ask(slack)
    decide(slack, card(slack_api), "assign", {"Assign": ANA})
    assert allocations(database)[-1][0] == ANA
    warning = [m.text for m in slack_api.dms(LEAD) if ":warning:" in m.text]
    assert warning and f"<@{ANA}>'s allocations add up to more than their capacity" in warning[0]


def test_propose_someone_else_keeps_it_open_and_tells_the_pm(slack, slack_api, database):
    portfolio(database)
    ask(slack)
    reply = decide(
        slack, card(slack_api), "propose", {"Propose": CARL, "Note for the PM": "Learns fast"}
    )
    assert reply.body == ""
    [request] = requests(database)
    assert (request.status, request.proposed) == ("open", [CARL])
    updated = card(slack_api)
    assert f"*Proposed instead:* <@{CARL}>" in updated.all_text()
    assert buttons(updated) == ["Assign", "Propose someone else", "Decline"]
    [thread] = slack_api.replies(RESOURCES, updated.ts)
    assert thread.text == f":bust_in_silhouette: <@{LEAD}> proposes <@{CARL}> instead: Learns fast"
    [notice] = slack_api.dms(PM)
    assert f"<@{LEAD}> proposes <@{CARL}> for your request APOLLO-RQ1" in notice.text
    slack.click(updated, "resource_request.assign", user=LEAD)
    assert slack.last_modal().initial("Assign") == CARL  # the newest proposal


def test_decline_needs_a_reason_and_tells_the_pm(slack, slack_api, database):
    portfolio(database)
    ask(slack)
    blank = decide(slack, card(slack_api), "decline", {"Reason": "  "})
    assert set(blank.json()["errors"]) == {"reason"}
    decide(slack, card(slack_api), "decline", {"Reason": "Hire a <contractor>"})
    assert requests(database)[0].status == "declined"
    updated = card(slack_api)
    assert f":no_entry: Declined by <@{LEAD}>" in updated.all_text()
    assert "Hire a &lt;contractor&gt;" in updated.all_text()
    [notice] = slack_api.dms(PM)
    assert "declined your request APOLLO-RQ1" in notice.text
    assert "Hire a &lt;contractor&gt;" in notice.text


def test_someone_who_is_not_a_pmo_lead_is_refused_and_no_form_opens(slack, slack_api, database):
    portfolio(database)
    ask(slack)
    for action in ("assign", "propose", "decline"):
        slack.click(card(slack_api), f"resource_request.{action}", user=PM)
        assert slack_api.last_reply()["text"] == (
            f"Only the PMO leads (<@{LEAD}>) decide requests for people such as APOLLO-RQ1."
        )
    assert [c["view"]["title"]["text"] for c in slack_api.calls_to("views.open")] == [
        "Ask for a person"
    ]
    assert requests(database)[0].status == "open"


def test_a_decided_request_says_who_decided_it(slack, slack_api, database):
    portfolio(database, pmo_leads=[LEAD, LEAD_2])
    ask(slack)
    stale = copy.deepcopy(card(slack_api))
    slack.click(stale, "resource_request.assign", user=LEAD_2)
    second = slack.last_modal()
    decide(slack, stale, "assign", {"Assign": ANA}, user=LEAD)
    # The other lead's form, opened before: refused on the form itself.
    errors = slack.submit(second.enter({"Assign": BEN}), user=LEAD_2).json()["errors"]
    already = f"APOLLO-RQ1 is already assigned to <@{ANA}> by <@{LEAD}>. Nothing changed."
    assert errors == {"person": already}
    # A click on the stale card: refused politely.
    slack.click(stale, "resource_request.decline", user=LEAD_2)
    assert slack_api.last_reply()["text"] == already
    assert allocations(database) == [(ANA, requests(database)[0].id)]


def test_a_forged_request_id_from_another_workspace_changes_nothing(slack, slack_api, database):
    portfolio(database)
    ask(slack)
    with database.session() as session:
        other = ensure_workspace(session=session, team_id=OTHER_TEAM)
        other.pmo_leads = [LEAD]
    project = make_project(database, team_id=OTHER_TEAM, key="HERMES", channel_id="CHERMES01")
    with database.session() as session:
        theirs = request_person(
            session=session,
            actor=Actor(OTHER_TEAM, PM),
            key=project.key,
            draft=RequestDraft("backend", "20h", FROM, UNTIL),
            now=datetime(2026, 11, 23, 9, 0, tzinfo=UTC),
        ).request
    forged = with_button_value(card(slack_api), "resource_request.assign", str(theirs.id))
    slack.click(forged, "resource_request.assign", user=LEAD)
    assert slack_api.last_reply()["text"] == "That request for a person no longer exists."
    assert [r.status for r in requests(database)] == ["open", "open"]
    assert allocations(database) == []


# -- the open requests -----------------------------------------------------------------------


def test_requests_lists_the_open_ones_and_the_pm_may_withdraw_theirs(
    slack, slack_api, database, clock
):
    portfolio(database)
    ask(slack)
    ask(slack, {"Skill": "design", "Hours a week": "8"})
    decide(slack, card(slack_api), "decline", {"Reason": "No."})
    clock.advance(days=3)
    slack.command("/capacity", "requests", user=MEMBER)
    listed = slack_api.last_reply()
    text = str(listed["blocks"])
    assert "Open requests for people (1)" in text
    assert "APOLLO-RQ2" in text and "APOLLO-RQ1" not in text
    assert f"for *APOLLO* (Apollo launch), asked by <@{PM}> 3 days ago" in text
    assert "resource_request.withdraw" not in text  # not theirs to withdraw
    slack.command("/capacity", "requests", user=PM)
    mine = slack_api.last_reply()["blocks"]
    slack.click_in_blocks(mine, "resource_request.withdraw", user=PM)
    assert slack_api.last_reply()["text"] == "APOLLO-RQ2 is withdrawn."
    assert [r.status for r in requests(database)] == ["declined", "withdrawn"]
    slack.command("/capacity", "requests", user=PM)
    assert "No open requests for people" in str(slack_api.last_reply()["blocks"])
