"""Limits on what is stored: every free-text field has one, said in the refusal, inline in
forms; a forged command with megabytes of text stores nothing and echoes little."""

from __future__ import annotations

import pytest
from sqlmodel import select

from storage.models import Gate, Kudos, Project, Risk, StatusUpdate
from tests.factories import APPROVER, MEMBER, PM, make_project

HUGE = "x" * 2**21  # 2 MB, far past what Slack lets anyone type
HUGE_COUNT = "2,097,152"


def rows(database, table):
    with database.session() as session:
        return session.exec(select(table)).all()


# -- the short forms ---------------------------------------------------------------------
def test_a_status_summary_over_3000_characters_is_refused(slack, slack_api, database):
    make_project(database)
    slack.command("/status", f"APOLLO green {HUGE}", user=PM)
    assert slack_api.last_reply()["text"] == (
        f"The summary can be at most 3,000 characters; yours has {HUGE_COUNT}."
    )
    assert rows(database, StatusUpdate) == []


def test_a_path_to_green_over_3000_characters_is_refused(slack, slack_api, database):
    make_project(database)
    slack.command("/status", f"APOLLO red Vendor slipped path: {HUGE}", user=PM)
    assert slack_api.last_reply()["text"] == (
        f"The path to green can be at most 3,000 characters; yours has {HUGE_COUNT}."
    )
    assert rows(database, StatusUpdate) == []


def test_a_risk_title_over_200_characters_is_refused(slack, slack_api, database):
    make_project(database)
    slack.command("/risk", f"APOLLO p4 i5 {HUGE}", user=MEMBER)
    assert slack_api.last_reply()["text"].startswith(
        f"The title can be at most 200 characters; yours has {HUGE_COUNT}. `/risk"
    )
    assert rows(database, Risk) == []


def test_a_thank_you_over_1000_characters_is_refused(slack, slack_api, database):
    slack.command("/kudos", f"<@{MEMBER}> {HUGE}", user=PM)
    assert slack_api.last_reply()["text"].startswith(
        f"A thank-you can be at most 1,000 characters; yours has {HUGE_COUNT}. `/kudos"
    )
    assert rows(database, Kudos) == []


@pytest.mark.parametrize(
    ("command", "text"),
    [
        ("/pmo", HUGE),
        ("/pmo", f"show {HUGE}"),
        ("/pmo", f"archive {HUGE}"),
        ("/pmo", f"pause until {HUGE}"),
        ("/status", HUGE),
        ("/status", f"APOLLO {HUGE}"),
        ("/risk", f"list {HUGE}"),
        ("/risk", f"APOLLO p{'9' * 5000} i1 x"),
        ("/gate", HUGE),
    ],
    ids=["pmo", "show", "archive", "pause", "status", "not-a-status", "risks", "score", "gate"],
)
def test_megabytes_in_any_other_command_store_nothing_and_echo_little(
    slack, slack_api, database, command, text
):
    make_project(database)
    slack.command(command, text, user=PM)
    reply = slack_api.last_reply()
    assert len(str(reply)) < 5000
    assert "Sorry, something went wrong" not in str(reply)
    assert len(rows(database, Project)) == 1
    assert rows(database, Risk) == [] and rows(database, StatusUpdate) == []


# -- forms: inline, and each text input says its limit to Slack ----------------------------
def submit(slack, modal, user):
    return slack.submit(modal, user=user).json()["errors"]


def test_status_form_texts_over_the_limit_are_inline_errors(slack, database):
    make_project(database)
    slack.command("/status", "", user=PM, channel="CAPOLLO01")
    modal = slack.last_modal().enter({"Summary": "s" * 3001, "Blockers": "b" * 4000})
    assert submit(slack, modal, PM) == {
        "summary": "The summary can be at most 3,000 characters; yours has 3,001.",
        "blockers": "The blockers can be at most 3,000 characters; yours has 4,000.",
    }
    assert rows(database, StatusUpdate) == []


def test_risk_form_texts_over_the_limit_are_inline_errors(slack, database):
    make_project(database)
    slack.command("/risk", "", user=MEMBER, channel="CAPOLLO01")
    modal = slack.last_modal().enter(
        {"Title": "t" * 201, "Probability": "1", "Impact": "1", "Mitigation": "m" * 3001}
    )
    assert submit(slack, modal, MEMBER) == {
        "title": "The title can be at most 200 characters; yours has 201.",
        "mitigation": "The mitigation can be at most 3,000 characters; yours has 3,001.",
    }
    assert rows(database, Risk) == []


def test_a_resolution_over_the_limit_is_an_inline_error(slack, slack_api, database):
    make_project(database)
    slack.command("/risk", "APOLLO p1 i1 Vendor may slip", user=MEMBER, channel="CAPOLLO01")
    slack.click(slack_api.posts("CAPOLLO01")[0], "risk.close", user=MEMBER)
    modal = slack.last_modal().enter({"Resolution": "r" * 3001})
    assert submit(slack, modal, MEMBER) == {
        "resolution": "The resolution can be at most 3,000 characters; yours has 3,001."
    }
    assert rows(database, Risk)[0].status == "open"


def test_gate_evidence_and_reasons_over_the_limit_are_inline_errors(slack, slack_api, database):
    make_project(database)
    slack.command("/gate", "", user=PM, channel="CAPOLLO01")
    modal = slack.last_modal()
    required = [o["value"] for o in modal.block("Entry criteria")["element"]["options"]][:3]
    too_long = modal.enter({"Evidence": "e" * 3001, "Entry criteria": required})
    assert submit(slack, too_long, PM) == {
        "evidence": "The evidence can be at most 3,000 characters; yours has 3,001."
    }
    assert rows(database, Gate) == []
    slack.submit(modal.enter({"Evidence": "Plan baselined"}), user=PM)
    [request] = [m for m in slack_api.posts("CAPOLLO01") if "gate.reject" in str(m.blocks)]
    slack.click(request, "gate.reject", user=APPROVER)
    reason = slack.last_modal().enter({"Reason": "r" * 3001})
    assert submit(slack, reason, APPROVER) == {
        "reason": "The reason can be at most 3,000 characters; yours has 3,001."
    }
    assert rows(database, Gate)[0].status == "pending"


def test_project_and_kudos_forms_say_their_limits_inline(slack, database):
    slack.command("/pmo", "new", user=PM)
    modal = slack.last_modal().enter({"Key": "APOLLO", "Name": "n" * 201})
    assert submit(slack, modal, PM) == {
        "name": "The name can be at most 200 characters; yours has 201."
    }
    slack.command("/kudos", "", user=PM, channel="CTEAM0001")
    modal = slack.last_modal().enter({"Who are you thanking?": [MEMBER], "For what?": "k" * 1001})
    assert slack.submit(modal, user=PM, channel="CTEAM0001").json()["errors"] == {
        "reason": "A thank-you can be at most 1,000 characters; yours has 1,001."
    }
    assert rows(database, Project) == [] and rows(database, Kudos) == []


def test_every_text_input_of_every_form_tells_slack_its_limit(slack, slack_api, database):
    make_project(database)
    slack.command("/pmo", "new", user=PM)
    slack.command("/pmo", "edit APOLLO", user=PM)
    slack.command("/status", "", user=PM, channel="CAPOLLO01")
    slack.command("/risk", "APOLLO p1 i1 Vendor may slip", user=MEMBER, channel="CAPOLLO01")
    slack.command("/risk", "", user=MEMBER, channel="CAPOLLO01")
    slack.click(slack_api.posts("CAPOLLO01")[0], "risk.close", user=MEMBER)
    slack.command("/gate", "", user=PM, channel="CAPOLLO01")
    slack.command("/kudos", "", user=PM)
    opened = [call["view"] for call in slack_api.calls_to("views.open")]
    assert len(opened) == 7
    inputs = [
        (view["callback_id"], block["block_id"], block["element"].get("max_length"))
        for view in opened
        for block in view["blocks"]
        if block["type"] == "input" and block["element"]["type"] == "plain_text_input"
    ]
    assert inputs and all(limit for _, _, limit in inputs), inputs
