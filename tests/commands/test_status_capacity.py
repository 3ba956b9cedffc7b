"""The status update's "Team capacity for the next two weeks": the form, the short form,
the post, and a value the form never offered."""

from __future__ import annotations

import pytest

from commands.status_text import BadStatusText, Kind, StatusCommand, parse_status_text
from storage.models import Rag, TeamCapacity
from tests.commands.forgery import forge, option
from tests.commands.test_status import FIRST, open_form, post_via_form, updates
from tests.factories import PM, make_project

LABEL = "Team capacity for the next two weeks"
SHOWN = ":busts_in_silhouette: Team capacity for the next two weeks: *short*"


def test_the_form_asks_for_the_teams_capacity_optionally(slack, database):
    make_project(database)
    modal = open_form(slack)
    assert modal.options(LABEL) == ["enough", "stretched", "short"]
    assert modal.block(LABEL)["optional"] is True
    assert modal.initial(LABEL) is None  # a first update says nothing until the PM does


def test_the_teams_capacity_is_stored_and_shown_on_the_post(slack, slack_api, database):
    make_project(database)
    assert post_via_form(slack, {**FIRST, LABEL: "short"}).body == ""
    [update] = updates(database)
    assert update.team_capacity == TeamCapacity.SHORT
    [post] = slack_api.posts("CAPOLLO01")
    assert SHOWN in post.all_text()


def test_an_update_that_does_not_say_shows_no_capacity_line(slack, slack_api, database):
    make_project(database)
    post_via_form(slack, FIRST)
    [update] = updates(database)
    assert update.team_capacity is None
    [post] = slack_api.posts("CAPOLLO01")
    assert "Team capacity" not in post.all_text()


def test_the_form_is_prefilled_with_the_last_capacity(slack, database, clock):
    make_project(database)
    post_via_form(slack, {**FIRST, LABEL: "stretched"})
    clock.advance(days=7)
    modal = open_form(slack)
    assert modal.initial(LABEL) == "stretched"
    slack.submit(modal, user=PM)
    _, second = updates(database)
    assert second.team_capacity == TeamCapacity.STRETCHED


def test_the_last_update_card_shows_the_capacity(slack, slack_api, database):
    make_project(database)
    post_via_form(slack, {**FIRST, LABEL: "short"})
    slack.command("/status", "APOLLO", user=PM)
    assert SHOWN in str(slack_api.last_reply()["blocks"])


@pytest.mark.parametrize("value", ["overflowing", "SHORT", "", 3])
def test_a_capacity_the_form_never_offered_is_an_inline_error(slack, database, value):
    make_project(database)
    modal = open_form(slack).enter({"Summary": "Fine"})
    errors = slack.submit(forge(modal, **{LABEL: option(value)}), user=PM).json()["errors"]
    assert errors == {
        "team_capacity": "That is not one of the options offered; pick one from the list."
    }
    assert updates(database) == []


def test_the_short_form_takes_the_capacity(slack, slack_api, database):
    make_project(database)
    slack.command(
        "/status", "APOLLO amber Hiring is slow capacity: short path: borrow two", user=PM
    )
    [update] = updates(database)
    assert (update.summary, update.path_to_green) == ("Hiring is slow", "borrow two")
    assert update.team_capacity == TeamCapacity.SHORT
    assert SHOWN in slack_api.posts("CAPOLLO01")[0].all_text()


def test_the_short_form_carries_the_last_capacity(slack, database, clock):
    make_project(database)
    post_via_form(slack, {**FIRST, LABEL: "stretched"})
    clock.advance(days=7)
    slack.command("/status", "APOLLO green All good", user=PM)
    _, latest = updates(database)
    assert latest.team_capacity == TeamCapacity.STRETCHED


def test_the_short_form_refuses_an_unknown_capacity(slack, slack_api, database):
    make_project(database)
    slack.command("/status", "APOLLO green Fine capacity: plenty", user=PM)
    reply = slack_api.last_reply()["text"]
    assert "“plenty” is not a team capacity" in reply
    assert "capacity: enough|stretched|short" in reply
    assert updates(database) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "APOLLO green Fine capacity: enough",
            StatusCommand(Kind.POST, "APOLLO", Rag.GREEN, "Fine", None, TeamCapacity.ENOUGH),
        ),
        (
            "red Broke. Team capacity: Short. path: fix it",
            StatusCommand(Kind.POST, None, Rag.RED, "Broke.", "fix it", TeamCapacity.SHORT),
        ),
        (
            "amber Slow path: hire capacity: stretched",
            StatusCommand(Kind.POST, None, Rag.AMBER, "Slow", "hire", TeamCapacity.STRETCHED),
        ),
        (
            "amber Slow capacity:stretched and more",
            StatusCommand(
                Kind.POST, None, Rag.AMBER, "Slow and more", None, TeamCapacity.STRETCHED
            ),
        ),
    ],
)
def test_the_short_form_reads_capacity_anywhere_after_the_colour(text, expected):
    assert parse_status_text(text) == expected


def test_capacity_alone_is_no_summary():
    with pytest.raises(BadStatusText, match="Add a line"):
        parse_status_text("APOLLO green capacity: short")
