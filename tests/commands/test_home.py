"""The App Home tab and the events Slack sends: answered, idempotent under retries."""

from __future__ import annotations

import logging
import re
from datetime import date

from sqlmodel import select

from commands.home import leader_view
from storage.models import AuditEvent, Gate, OutboxMessage, Project, Rag
from storage.watchlist import Standing
from storage.workspaces import ensure_workspace
from tests.factories import APPROVER, MEMBER, OUTSIDER, PM, SPONSOR, TEAM, make_project
from tests.workflows.test_attention import HEALTHY, MONDAY, PROBLEMS, QUIET, plant_portfolio
from workflows.attention import Attention, AttentionItem, Colour, Concern
from workflows.home import LeaderHome, PendingAcknowledgement

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
        awaiting=[
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
            for n in range(12)
        ],
    )
    blocks = leader_view(home)["blocks"]
    assert len(blocks) == 100
    found = sections(blocks)
    shown = keys_in(found["Needs attention"])
    assert shown == [p.key for p in projects[: len(shown)]]
    assert found["Needs attention"][-1] == f"…and {150 - len(shown)} more, less severe."
    assert found["Waiting for your acknowledgement"][-1] == "…and 140 more."
    assert found["Waiting for your decision"][-1] == "…and 2 more."
