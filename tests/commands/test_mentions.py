"""Ids become mentions only when they have Slack's shape, and text echoed back to its
author is escaped: no `<!channel>` reaches Slack from a form, a command or stored data."""

from __future__ import annotations

import pytest
from sqlmodel import select

from storage.models import Kudos, Project
from tests.commands.forgery import forge, pings_in
from tests.factories import MEMBER, OUTSIDER, PM, make_project

SMUGGLED = "U<!channel>"
NEW_PROJECT = {"Key": "APOLLO", "Name": "Apollo launch", "Home channel": "CAPOLLO01"}


def projects(database):
    with database.session() as session:
        return session.exec(select(Project)).all()


@pytest.mark.parametrize(
    ("label", "field", "picked"),
    [
        ("Project manager (PM)", "pm", {"selected_user": SMUGGLED}),
        ("Sponsor", "sponsor", {"selected_user": "W<!here>"}),
        ("Approvers", "approvers", {"selected_users": [MEMBER, SMUGGLED]}),
        ("Members", "members", {"selected_users": ["<!everyone>"]}),
        ("Home channel", "channel", {"selected_conversation": "C<!channel>"}),
    ],
)
def test_a_malformed_id_in_the_project_form_is_an_inline_error(
    slack, slack_api, database, label, field, picked
):
    slack.command("/pmo", "new", user=PM)
    modal = forge(slack.last_modal().enter(NEW_PROJECT), **{label: picked})
    errors = slack.submit(modal, user=PM).json()["errors"]
    assert list(errors) == [field]
    assert "is not a Slack" in errors[field]
    assert projects(database) == []
    assert pings_in(slack_api) == []


def test_a_malformed_id_in_the_kudos_form_is_an_inline_error(slack, slack_api, database):
    slack.command("/kudos", "", user=PM, channel="CTEAM0001")
    modal = forge(
        slack.last_modal().enter({"For what?": "The demo"}),
        **{"Who are you thanking?": {"selected_users": [MEMBER, SMUGGLED]}},
    )
    errors = slack.submit(modal, user=PM, channel="CTEAM0001").json()["errors"]
    # Inline errors are plain text in Slack: shown as typed, they ping nobody.
    assert errors == {"receivers": "U<!channel> is not a Slack user; pick people from the list."}
    with database.session() as session:
        assert session.exec(select(Kudos)).all() == []
    assert pings_in(slack_api) == []


def test_a_malformed_mention_typed_in_kudos_pings_nobody(slack, slack_api):
    slack.command("/kudos", f"<@{SMUGGLED}> <@{MEMBER}> for the demo", user=PM)
    assert slack_api.last_reply()["text"].startswith(f":clap: <@{PM}> thanks <@{MEMBER}>")
    assert pings_in(slack_api) == []


@pytest.mark.parametrize(
    ("command", "text"),
    [
        ("/pmo", "<!channel>"),
        ("/pmo", "show <!channel>"),
        ("/pmo", "edit <!here>"),
        ("/pmo", "archive <!everyone>"),
        ("/status", "<!channel>"),
        ("/status", "APOLLO <!channel> all fine"),
        ("/status", "history <!here>"),
        ("/risk", "<!channel> p1 i1 sneaky"),
        ("/risk", "list <!channel>"),
        ("/gate", "<!channel>"),
        ("/gate", "history <!channel>"),
    ],
)
def test_text_echoed_back_to_its_author_is_escaped(slack, slack_api, database, command, text):
    make_project(database)
    slack.command(command, text, user=PM)
    reply = slack_api.last_reply()["text"]
    assert "&lt;!" in reply
    assert pings_in(slack_api) == []


def test_a_suggested_key_is_shown_as_a_key(slack, slack_api, database):
    make_project(database)
    slack.command("/status", "APOLO<!here> green fine", user=PM)
    assert slack_api.last_reply()["text"] == (
        "There is no project `APOLO&lt;!HERE&gt;` in this workspace. Did you mean `APOLLO`?"
    )


def test_a_malformed_id_already_stored_is_shown_as_text(slack, slack_api, database):
    # Rows written before ids were checked, or by hand: shown, never as markup.
    make_project(database, pm=SMUGGLED, sponsor="W<!here>", channel_id="C<!channel>")
    slack.command("/pmo", "show APOLLO", user=PM)
    card = str(slack_api.last_reply()["blocks"])
    assert "U&lt;!channel&gt;" in card and "C&lt;!channel&gt;" in card
    slack.command("/pmo", "edit APOLLO", user=OUTSIDER)  # the refusal names the PM and sponsor
    assert "U&lt;!channel&gt;" in slack_api.last_reply()["text"]
    slack.command("/status", "APOLLO green fine", user=OUTSIDER)  # names the PM
    assert "U&lt;!channel&gt;" in slack_api.last_reply()["text"]
    assert pings_in(slack_api) == []
