"""The App Home tab and the events Slack sends: answered, idempotent under retries."""

from __future__ import annotations

import logging

from sqlmodel import select

from storage.models import AuditEvent, OutboxMessage
from tests.factories import APPROVER, MEMBER, OUTSIDER, PM, make_project

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
