"""The App Home tab and the events Slack sends: answered, idempotent under retries."""

from __future__ import annotations

import itertools
import logging
import re
from dataclasses import replace
from datetime import date
from decimal import Decimal

from sqlmodel import select

from commands.home import home_view, leader_view
from storage.models import (
    Acknowledgement,
    AuditEvent,
    Gate,
    OutboxMessage,
    Person,
    Project,
    Rag,
    Risk,
    RiskKind,
)
from storage.watchlist import Standing
from storage.workspaces import ensure_workspace
from tests.factories import APPROVER, MEMBER, OUTSIDER, PM, SPONSOR, TEAM, make_project
from tests.workflows.test_attention import HEALTHY, MONDAY, PROBLEMS, QUIET, plant_portfolio
from tests.workflows.test_digest_capacity import allocation, capacity
from workflows.attention import Attention, AttentionItem, Colour, Concern
from workflows.home import Home, HomeProject, LeaderHome, PendingAcknowledgement
from workflows.load import PersonLoad, WeekLoad
from workflows.risks import Severity

HOME_OPENED = {"type": "app_home_opened", "tab": "home", "channel": "DHOME0001"}


def open_home(slack, user, retry=None):
    return slack.event({**HOME_OPENED, "user": user}, retry=retry)


def test_the_home_tab_shows_projects_decisions_waiting_and_risks_owned(
    slack, slack_api, database, clock
):
    make_project(database, name="Apollo <!here>")
    slack.command("/risk", "APOLLO p4 i5 Vendor may slip", user=APPROVER)
    slack.command("/gate", "", user=PM, channel="CAPOLLO01")
    modal = slack.last_modal()
    required = [
        o["value"]
        for o in modal.block("Entry criteria")["element"]["options"]
        if "(required)" in o["text"]["text"]
    ]
    slack.submit(modal.enter({"Evidence": "ready", "Entry criteria": required}), user=PM)
    clock.advance(days=5)  # Saturday: the update is due (due Friday)
    reply = open_home(slack, APPROVER)
    assert reply.status == 200
    published = slack_api.last("views.publish")
    assert published["user_id"] == APPROVER
    text = str(published["view"]["blocks"])
    assert "*APOLLO* Apollo &lt;!here&gt; · Plan" in text
    assert "*Waiting for your decision* (1)" in text and "APOLLO-G1" in text
    assert "*Risks you own* (1)" in text and "APOLLO-R1" in text
    assert ":alarm_clock: update overdue" in text  # never posted one


def test_a_pm_sees_post_update_beside_a_project_that_owes_one(slack, slack_api, database, clock):
    make_project(database)
    clock.advance(days=5)
    open_home(slack, PM)
    view = slack_api.last("views.publish")["view"]
    buttons = [b["accessory"] for b in view["blocks"] if "accessory" in b]
    assert [(b["text"]["text"], b["value"]) for b in buttons] == [("Post update", "APOLLO")]
    slack.click_in_blocks(view["blocks"], "home.post_status", user=PM)
    assert slack.last_modal().initial("Project") == "APOLLO"


def test_the_home_buttons_open_the_project_and_risk_forms(slack, slack_api, database):
    make_project(database)
    open_home(slack, MEMBER)
    blocks = slack_api.last("views.publish")["view"]["blocks"]
    slack.click_in_blocks(blocks, "home.new_project", user=MEMBER)
    assert slack.last_modal().title == "New project"
    slack.click_in_blocks(blocks, "home.raise_risk", user=MEMBER)
    assert slack.last_modal().title == "Raise a risk"


def test_someone_on_no_project_sees_an_empty_home(slack, slack_api, database):
    open_home(slack, OUTSIDER)
    text = str(slack_api.last("views.publish")["view"]["blocks"])
    assert "You are on no project yet" in text


def test_a_retried_event_is_answered_and_creates_nothing(slack, slack_api, database):
    make_project(database)
    assert open_home(slack, PM).status == 200
    assert open_home(slack, PM, retry=1).status == 200
    assert len(slack_api.calls_to("views.publish")) == 2
    with database.session() as session:
        assert [e.action for e in session.exec(select(AuditEvent))] == ["project.created"]
        assert session.exec(select(OutboxMessage)).all() == []


def test_uninstall_and_token_revocation_events_are_acknowledged(slack, caplog):
    with caplog.at_level(logging.WARNING):
        assert slack.event({"type": "app_uninstalled"}).status == 200
        assert (
            slack.event({"type": "tokens_revoked", "tokens": {"bot": ["UBOTPMO01"]}}).status == 200
        )
    assert "app_uninstalled" in caplog.text


# -- the leaders' Home tab --------------------------------------------------------------
LEAD = "ULEAD0001"


def sections(blocks):
    """Each titled part of a Home view (a divider, then its title): its lines' text."""
    found, current = {}, None
    for block in blocks:
        if block["type"] == "divider":
            current = None
        elif block["type"] in ("section", "context"):
            text = block.get("text", {}).get("text") or block["elements"][0]["text"]
            if current is None:
                title, *rest = text.split("\n", 1)
                current = re.sub(r"[*:]| \(\d+\)$", "", title).strip()
                found[current] = rest
            else:
                found[current].append(text)
    return found


def keys_in(lines):
    return [key for line in lines for key in re.findall(r"\*([A-Z0-9-]+)\*", line)]


def leader_home(slack, slack_api, user):
    open_home(slack, user)
    published = slack_api.last("views.publish")
    assert published["user_id"] == user
    return published["view"]["blocks"]


def test_a_sponsor_sees_the_portfolio_naming_every_problem_once(slack, slack_api, database, clock):
    plant_portfolio(database)
    clock.set(MONDAY)
    blocks = leader_home(slack, slack_api, SPONSOR)
    found = sections(blocks)
    attention = keys_in(found["Needs attention"])
    assert attention == PROBLEMS  # most severe first, each once, FRESH for information last
    assert not set(HEALTHY + QUIET) & set(keys_in(line for part in found.values() for line in part))
    assert blocks[0]["text"]["text"] == "Your PMO · the portfolio"
    colours = found["15 active projects"][0]
    for count, label in ((9, "On track"), (2, "At risk"), (1, "Off track"), (1, "On hold")):
        assert f"{label} *{count}*" in colours
    assert "No update yet *2*" in colours


def test_a_sponsor_is_asked_to_acknowledge_what_they_have_not_read(
    slack, slack_api, database, clock
):
    plant_portfolio(database)  # the sponsor acknowledged AMBERACK's update
    clock.set(MONDAY)
    found = sections(leader_home(slack, slack_api, SPONSOR))
    assert keys_in(found["Waiting for your acknowledgement"]) == ["REDONE", "AMBERNEW"]
    assert found["Waiting for your decision"] == ["No gate is waiting for you."]


def test_a_pmo_lead_on_no_project_sees_every_update_they_have_not_acknowledged(
    slack, slack_api, database, clock
):
    plant_portfolio(database)
    with database.session() as session:
        workspace = ensure_workspace(session=session, team_id=TEAM)
        workspace.pmo_leads = [LEAD]
        session.add(workspace)
    clock.set(MONDAY)
    found = sections(leader_home(slack, slack_api, LEAD))
    assert keys_in(found["Waiting for your acknowledgement"]) == ["REDONE", "AMBERACK", "AMBERNEW"]
    assert keys_in(found["Needs attention"]) == PROBLEMS


def test_the_people_on_the_projects_keep_their_own_home(slack, slack_api, database, clock):
    plant_portfolio(database)
    clock.set(MONDAY)
    for user in (PM, MEMBER, APPROVER):
        found = sections(leader_home(slack, slack_api, user))
        assert "Your projects" in found and "Needs attention" not in found
    assert keys_in(found["Waiting for your decision"]) == ["GATED-G1", "CALM3-G1"]


def gates(projects, count):
    return [
        (
            Gate(
                id=n,
                team_id=TEAM,
                project_id=n,
                number=1,
                from_phase="Plan",
                to_phase="Execute",
                requested_by=PM,
                requested_at=MONDAY,
                evidence="e",
                rule="all",
                required=1,
            ),
            projects[n],
        )
        for n in range(count)
    ]


def long_own_home(projects):
    """A person on 30 projects, with 12 gates waiting for them and 25 risks to own."""
    risk = Risk(
        id=1,
        team_id=TEAM,
        project_id=0,
        number=1,
        kind=RiskKind.RISK,
        title="r",
        raised_by=PM,
        score=20,
    )
    return Home(
        projects=[HomeProject(p, Rag.GREEN, due=True, overdue=False) for p in projects[:30]],
        awaiting=gates(projects, 12),
        risks=[(risk, p, Severity.HIGH) for p in projects[:25]],
    )


def test_a_long_portfolio_fits_in_100_blocks_and_says_how_many_more():
    today = date(2026, 11, 30)
    projects = [
        Project(id=n, team_id=TEAM, key=f"P{n:04d}", name="p", phase="Plan", created_by=PM)
        for n in range(150)
    ]
    red = Colour(Concern.OFF_TRACK, today, 0, Rag.RED, "plan")
    updates = [Standing(n, n, MONDAY, PM, "red", "s", "plan", False, [], None) for n in range(150)]
    home = LeaderHome(
        attention=Attention(today, [AttentionItem(p, PM, [red]) for p in projects], projects),
        counts={"green": 0, "amber": 0, "red": 150, "hold": 0, "none": 0},
        acknowledgements=[
            PendingAcknowledgement(p, u, today) for p, u in zip(projects, updates, strict=True)
        ],
        own=long_own_home(projects),
    )
    blocks = leader_view(home)["blocks"]
    assert len(blocks) == 100
    found = sections(blocks)
    shown = keys_in(found["Needs attention"])
    assert shown == [p.key for p in projects[: len(shown)]]
    assert len(shown) >= 25  # the portfolio comes first: most of the room is its
    assert found["Needs attention"][-1] == f"…and {150 - len(shown)} more, less severe."
    assert found["Waiting for your acknowledgement"][-1] == "…and 140 more."
    assert found["Waiting for your decision"][-1] == "…and 2 more."
    assert found["Your projects"][-1] == "…and 20 more."
    assert found["Risks you own"][-1] == "…and 15 more."


def test_a_long_own_home_shows_twenty_of_each_and_says_how_many_more():
    projects = [
        Project(id=n, team_id=TEAM, key=f"P{n:04d}", name="p", phase="Plan", created_by=PM)
        for n in range(30)
    ]
    blocks = home_view(long_own_home(projects))["blocks"]
    assert len(blocks) <= 100
    found = sections(blocks)
    assert keys_in(found["Your projects"]) == [p.key for p in projects[:20]]
    assert found["Your projects"][-1] == "…and 10 more."
    assert found["Risks you own"][-1] == "…and 5 more."
    assert "…and" not in str(found["Waiting for your decision"])


def acknowledgements_of(database, user):
    with database.session() as session:
        rows = session.exec(select(Acknowledgement).where(Acknowledgement.user_id == user))
        return sorted(row.update_id for row in rows)


def waiting_update(blocks, key):
    """The update id on the Acknowledge button under the waiting update of project `key`."""
    start = next(n for n, b in enumerate(blocks) if "Waiting for your acknowledgement" in str(b))
    for block, after in itertools.pairwise(blocks[start:]):
        if block["type"] == "section" and f"*{key}*" in block["text"]["text"]:
            return int(after["elements"][0]["value"])
    raise AssertionError(f"{key} is not waiting")


def test_a_sponsor_acknowledges_from_the_home_tab_and_it_leaves_the_list(
    slack, slack_api, database, clock
):
    plant_portfolio(database)
    clock.set(MONDAY)
    blocks = leader_home(slack, slack_api, SPONSOR)
    red = waiting_update(blocks, "REDONE")
    before = acknowledgements_of(database, SPONSOR)  # AMBERACK's, planted
    view = slack_api.last("views.publish")["view"]
    reply = slack.click_in_home(view, "home.acknowledge", value=str(red), user=SPONSOR)
    assert reply.status == 200
    assert acknowledgements_of(database, SPONSOR) == sorted([*before, red])
    refreshed = slack_api.last("views.publish")
    assert refreshed["user_id"] == SPONSOR
    found = sections(refreshed["view"]["blocks"])
    assert keys_in(found["Waiting for your acknowledgement"]) == ["AMBERNEW"]
    [told] = slack_api.dms(PM)
    assert f"<@{SPONSOR}> acknowledged the REDONE status" in told.text
    with database.session() as session:
        audited = session.exec(select(AuditEvent.action).where(AuditEvent.actor == SPONSOR))
        assert list(audited) == ["status.acknowledged"]


def test_a_comment_from_the_home_tab_acknowledges_and_shows_the_tab_again(
    slack, slack_api, database, clock
):
    plant_portfolio(database)
    clock.set(MONDAY)
    blocks = leader_home(slack, slack_api, SPONSOR)
    amber = waiting_update(blocks, "AMBERNEW")
    view = slack_api.last("views.publish")["view"]
    slack.click_in_home(view, "status.comment", value=str(amber), user=SPONSOR)
    modal = slack.last_modal()
    assert modal.title == "Comment"
    published = len(slack_api.calls_to("views.publish"))
    reply = slack.submit(modal.enter({"Comment": "Thanks, call me Tuesday"}), user=SPONSOR)
    assert reply.status == 200
    with database.session() as session:
        [row] = session.exec(select(Acknowledgement).where(Acknowledgement.update_id == amber))
        assert (row.user_id, row.comment) == (SPONSOR, "Thanks, call me Tuesday")
    assert len(slack_api.calls_to("views.publish")) == published + 1
    found = sections(slack_api.last("views.publish")["view"]["blocks"])
    assert keys_in(found["Waiting for your acknowledgement"]) == ["REDONE"]


def test_a_comment_from_a_status_post_does_not_publish_the_home_tab(slack, slack_api, database):
    make_project(database)
    slack.command(
        "/status", "APOLLO amber Vendor slipped path: calls", user=PM, channel="CAPOLLO01"
    )
    post = slack_api.posts("CAPOLLO01")[-1]
    slack.click(post, "status.comment", user=SPONSOR)
    slack.submit(slack.last_modal().enter({"Comment": "Seen"}), user=SPONSOR)
    assert slack_api.calls_to("views.publish") == []


def test_someone_else_cannot_acknowledge_from_a_forged_home_click(
    slack, slack_api, database, clock
):
    plant_portfolio(database)
    clock.set(MONDAY)
    blocks = leader_home(slack, slack_api, SPONSOR)
    red = waiting_update(blocks, "REDONE")
    view = slack_api.last("views.publish")["view"]
    slack.click_in_home(view, "home.acknowledge", value=str(red), user=APPROVER)
    assert red not in acknowledgements_of(database, APPROVER)
    [refusal] = slack_api.dms(APPROVER)
    assert "Only the sponsor of REDONE" in refusal.text


def test_a_sponsor_who_is_also_a_pm_keeps_post_update_beside_the_portfolio(
    slack, slack_api, database, clock
):
    plant_portfolio(database)
    make_project(
        database, key="OWNWORK", name="Own work", pm=SPONSOR, sponsor=OUTSIDER, channel_id=None
    )
    clock.set(MONDAY)
    blocks = leader_home(slack, slack_api, SPONSOR)
    found = sections(blocks)
    assert "Needs attention" in found
    assert keys_in(found["Your projects"]) == ["OWNWORK"]  # not every project they sponsor
    buttons = [b["accessory"] for b in blocks if b.get("accessory")]
    assert [(b["text"]["text"], b["value"]) for b in buttons] == [("Post update", "OWNWORK")]
    view = slack_api.last("views.publish")["view"]
    slack.click_in_home(view, "home.post_status", user=SPONSOR)
    assert slack.last_modal().initial("Project") == "OWNWORK"


def test_a_pmo_lead_on_no_project_sees_no_empty_personal_sections(
    slack, slack_api, database, clock
):
    plant_portfolio(database)
    with database.session() as session:
        workspace = ensure_workspace(session=session, team_id=TEAM)
        workspace.pmo_leads = [LEAD]
        session.add(workspace)
    clock.set(MONDAY)
    found = sections(leader_home(slack, slack_api, LEAD))
    assert "Your projects" not in found and "Risks you own" not in found


# -- the person's load ------------------------------------------------------------------
def load_of_member(database):
    """MEMBER (40 h) on APOLLO 20 h a week through 25 Dec, and on HERMES 32 h the week of
    7 Dec: asked for 52 h of 40 h that week."""
    apollo = make_project(database)
    hermes = make_project(database, key="HERMES", channel_id=None)
    capacity(database, MEMBER)
    allocation(database, apollo, MEMBER, "20", date(2026, 11, 30), date(2026, 12, 25))
    allocation(database, hermes, MEMBER, "32", date(2026, 12, 7), date(2026, 12, 11))


def test_a_person_sees_their_next_8_weeks_with_the_weeks_over_marked(
    slack, slack_api, database, clock
):
    load_of_member(database)
    clock.set(MONDAY)
    found = sections(leader_home(slack, slack_api, MEMBER))
    weeks, note = found["Your load"]
    assert weeks.split(" · ") == [
        ":large_green_circle: Mon 30 Nov 2026 50 %",
        ":red_circle: Mon 7 Dec 2026 130 % *over*",
        ":large_green_circle: Mon 14 Dec 2026 50 %",
        ":large_green_circle: Mon 21 Dec 2026 50 %",
        ":white_circle: Mon 28 Dec 2026 0 %",
        ":white_circle: Mon 4 Jan 2027 0 %",
        ":white_circle: Mon 11 Jan 2027 0 %",
        ":white_circle: Mon 18 Jan 2027 0 %",
    ]
    assert note.startswith(
        "40 h a week. *over*: the plan asks more of you than you have in 1 week."
    )


def test_someone_with_nothing_allocated_is_told_so(slack, slack_api, database, clock):
    make_project(database)
    capacity(database, MEMBER, hours="32")
    clock.set(MONDAY)
    found = sections(leader_home(slack, slack_api, MEMBER))
    weeks, note = found["Your load"]
    assert weeks.count(":white_circle:") == 8 and "over" not in weeks
    assert note == "32 h a week; nothing is allocated to you in these weeks."


def test_a_leader_sees_their_own_load_only_when_they_have_allocations(
    slack, slack_api, database, clock
):
    load_of_member(database)
    with database.session() as session:
        workspace = ensure_workspace(session=session, team_id=TEAM)
        workspace.pmo_leads = [LEAD, MEMBER]
        session.add(workspace)
    clock.set(MONDAY)
    found = sections(leader_home(slack, slack_api, MEMBER))
    assert "Needs attention" in found
    assert ":red_circle: Mon 7 Dec 2026 130 % *over*" in found["Your load"][0]
    assert "Your load" not in sections(leader_home(slack, slack_api, LEAD))


def test_a_long_portfolio_with_a_load_still_fits_in_100_blocks():
    today = date(2026, 11, 30)
    projects = [
        Project(id=n, team_id=TEAM, key=f"P{n:04d}", name="p", phase="Plan", created_by=PM)
        for n in range(150)
    ]
    red = Colour(Concern.OFF_TRACK, today, 0, Rag.RED, "plan")
    person = Person(team_id=TEAM, user_id=SPONSOR)
    weeks = [WeekLoad(date(2026, 11, 30), Decimal(40), Decimal(60), {1: Decimal(60)})] * 8
    own = replace(long_own_home(projects), load=PersonLoad(person, weeks))
    home = LeaderHome(
        attention=Attention(today, [AttentionItem(p, PM, [red]) for p in projects], projects),
        counts={"green": 0, "amber": 0, "red": 150, "hold": 0, "none": 0},
        acknowledgements=[],
        own=own,
    )
    blocks = leader_view(home)["blocks"]
    assert len(blocks) == 100
    found = sections(blocks)
    assert found["Your load"][0].count("*over*") == 8
    assert found["Needs attention"][-1].startswith("…and ")
