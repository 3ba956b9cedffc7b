"""Copy that reads right in Slack: counts, where the gate's buttons are, what a replaced
update says changed, an issue's number, and days in one style."""

from __future__ import annotations

import pytest

from tests.commands.test_gate import request, request_message
from tests.commands.test_risk import raise_via_form
from tests.factories import APPROVER, APPROVER_2, MEMBER, OUTSIDER, PM, SPONSOR, make_project


@pytest.mark.parametrize(
    ("approvers", "rule", "needs", "tally"),
    [
        ([APPROVER], "any", "Needs the approver.", "0 of 1 approval"),
        ([APPROVER, APPROVER_2], "all", "Needs all 2 approvers.", "0 of 2 approvals"),
        (
            [APPROVER, APPROVER_2, SPONSOR],
            "any",
            "Needs any one of 3 approvers.",
            "0 of 1 approval",
        ),
    ],
)
def test_a_gate_request_counts_its_approvers_and_approvals_in_words(
    slack, slack_api, database, approvers, rule, needs, tally
):
    make_project(database, approvers=approvers, gate_rule=rule)
    request(slack)
    text = request_message(slack_api).all_text()
    assert needs in text
    assert f":hourglass_flowing_sand: Pending · {tally}" in text


def test_the_approvers_dm_says_the_buttons_are_on_the_request_and_links_to_it(
    slack, slack_api, database
):
    make_project(database, approvers=[APPROVER], gate_rule="any")
    request(slack)
    message = request_message(slack_api)
    link = f"https://pmo-test.slack.com/archives/CAPOLLO01/p{message.ts.replace('.', '')}"
    [dm] = slack_api.dms(APPROVER)
    assert dm.text == (
        f"<@{PM}> asks you to decide *APOLLO-G1*: move APOLLO from Plan to Execute. "
        f"The buttons to approve, reject or request changes are on the request: {link}"
    )


@pytest.mark.parametrize(
    ("updates", "header"), [(1, "APOLLO · the last update"), (3, "APOLLO · the last 3 updates")]
)
def test_the_history_header_counts_updates_in_words(
    slack, slack_api, database, clock, updates, header
):
    make_project(database)
    for _ in range(updates):
        slack.command("/status", "APOLLO green week report", user=PM)
        clock.advance(days=7)
    slack.command("/status", "history APOLLO", user=OUTSIDER)
    blocks = slack_api.last_reply()["blocks"]
    assert blocks[0]["text"]["text"] == header
    assert blocks[2]["text"]["text"].startswith("week of Mon 23 Nov 2026 · :large_green_circle:")


def test_a_status_post_names_its_week_in_words(slack, slack_api, database):
    make_project(database)
    slack.command("/status", "APOLLO green week report", user=PM)
    [post] = slack_api.posts("CAPOLLO01")
    byline = post.blocks[1]["elements"][0]["text"]
    assert byline == f":large_green_circle: Status by <@{PM}> · week of Mon 23 Nov 2026"


def test_replacing_the_first_update_of_a_project_says_nothing_of_what_changed(
    slack, slack_api, database, clock
):
    make_project(database)
    slack.command("/status", "APOLLO green first take", user=PM)
    clock.advance(hours=2)
    slack.command("/status", "APOLLO amber second take path: weekly vendor calls", user=PM)
    newer = slack_api.posts("CAPOLLO01")[-1].all_text()
    assert "replaces the earlier update of this period" in newer
    assert "What changed" not in newer
    assert "first update for this project" not in newer


def test_a_replacement_says_what_changed_since_the_update_before_the_one_it_replaces(
    slack, slack_api, database, clock
):
    make_project(database)
    slack.command("/status", "APOLLO amber last week path: weekly vendor calls", user=PM)
    clock.advance(days=7)
    slack.command("/status", "APOLLO red this week path: escalate to the vendor", user=PM)
    clock.advance(hours=2)
    slack.command("/status", "APOLLO green this week, corrected", user=PM)
    newer = slack_api.posts("CAPOLLO01")[-1].all_text()
    assert "replaces the earlier update of this period" in newer
    assert "Overall: :large_yellow_circle: At risk → :large_green_circle: On track" in newer


def test_an_issue_raised_from_a_risk_names_the_risk_and_the_shared_numbering(
    slack, slack_api, database
):
    make_project(database)
    slack.command("/risk", "APOLLO p2 i3 Vendor may slip the API", user=MEMBER)
    slack.click(slack_api.posts("CAPOLLO01")[0], "risk.convert", user=MEMBER)
    issue_card = slack_api.posts("CAPOLLO01")[-1]
    assert issue_card.blocks[0]["text"]["text"] == "APOLLO-I2 · Vendor may slip the API"
    assert issue_card.blocks[1]["elements"][0]["text"] == (
        "Issue on *APOLLO* · Apollo launch · raised from APOLLO-R1 · APOLLO's risks, issues, "
        "assumptions and decisions share one numbering"
    )


def test_a_risk_raised_directly_keeps_the_short_context(slack, slack_api, database):
    make_project(database)
    slack.command("/risk", "APOLLO p2 i3 Vendor may slip the API", user=MEMBER)
    [card] = slack_api.posts("CAPOLLO01")
    assert card.blocks[1]["elements"][0]["text"] == "Risk on *APOLLO* · Apollo launch"


def test_the_risk_list_shows_review_dates_as_days(slack, slack_api, database):
    make_project(database)
    raise_via_form(slack)
    slack.command("/risk", "list APOLLO", user=OUTSIDER)
    text = str(slack_api.last_reply()["blocks"])
    assert " · review Fri 4 Dec 2026" in text
    assert "2026-12-04" not in text
