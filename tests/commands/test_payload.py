"""Malformed payloads, signed all the same: each gets a clear refusal, never an apology, a
traceback, an ERROR log (the `error_log` fixture fails the test on one) or a message to
someone the malformed body names."""

from __future__ import annotations

import json
from datetime import date
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import select

from commands import payload
from commands.mrkdwn import is_user_id
from commands.payload import BadPayload
from commands.view_state import ViewState
from storage.models import GateDecision, Risk, StatusUpdate
from tests.commands.forgery import (
    button_click,
    forge,
    option,
    post_payload,
    tampering,
    with_button_value,
    without,
)
from tests.factories import APPROVER, MEMBER, PM, TEAM, make_project
from workflows.errors import InvalidInput

APOLOGY = "Sorry, something went wrong"
ARABIC_ONE = "\u0661"  # int() reads it as 1
SUPERSCRIPT_TWO = "\u00b2"  # str.isdigit() says yes, int() says no
OUT_OF_RANGE = ["0", "-1", "2147483648", "9" * 25, ARABIC_ONE, "1.0", " 1", "", "0x1"]


def risks(database):
    with database.session() as session:
        return session.exec(select(Risk).order_by(Risk.id)).all()


def raise_risk(slack, slack_api, database, user=MEMBER):
    make_project(database)
    slack.command("/risk", "APOLLO p2 i2 Vendor may slip", user=user, channel="CAPOLLO01")
    [card] = [m for m in slack_api.posts("CAPOLLO01") if "risk.own" in str(m.blocks)]
    return card


def web_api_calls(slack_api):
    return [call for call in slack_api.calls if call.method not in ("auth.test", "response_url")]


# -- the readers, for any input ----------------------------------------------------------
@given(st.text(max_size=30))
def test_a_button_id_is_ascii_digits_from_1_to_2_31_minus_1(value):
    accepted = payload.record_id(value)
    if value.isascii() and value.isdigit() and 1 <= int(value) <= 2**31 - 1 and len(value) <= 10:
        assert accepted == int(value)
    else:
        assert accepted is None


@given(st.integers())
def test_a_button_id_from_any_integer_is_taken_only_in_range(number):
    expected = number if 1 <= number <= 2**31 - 1 else None
    assert payload.record_id(str(number)) == expected


@given(st.one_of(st.text(max_size=12), st.dates().map(date.isoformat)))
def test_a_selected_date_is_a_real_day_written_yyyy_mm_dd(value):
    try:
        picked = payload.selected_date(value)
    except BadPayload as exc:
        assert "is not a date" in str(exc)
        assert "<" not in str(exc)
    else:
        assert picked is None if value == "" else picked.isoformat() == value


@given(st.text(), st.lists(st.text(), max_size=5))
def test_an_option_is_taken_only_if_it_was_offered(value, offered):
    if value in offered:
        assert payload.selected_option(value, offered) == value
    else:
        with pytest.raises(BadPayload):
            payload.selected_option(value, offered)


@given(
    st.one_of(st.none(), st.integers(), st.lists(st.text()), st.dictionaries(st.text(), st.text()))
)
def test_a_form_value_of_the_wrong_type_is_an_inline_error_on_its_field(value):
    view = {"state": {"values": {"title": {"title": {"type": "x", "value": value}}}}}
    if value is None:
        assert ViewState(view).text("title") == ""
        return
    with pytest.raises(InvalidInput) as refused:
        ViewState(view).text("title")
    assert set(refused.value.errors) == {"title"}


@given(st.text(max_size=20))
def test_a_picked_user_must_look_like_a_slack_user_id(value):
    view = {"state": {"values": {"pm": {"pm": {"selected_user": value}}}}}
    looks_right = is_user_id(value)
    try:
        picked = ViewState(view).user("pm")
    except InvalidInput as exc:
        assert not looks_right
        assert "<" not in exc.errors["pm"]
    else:
        assert picked == (value or None)


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(), st.lists, max_leaves=5))
def test_a_payload_that_is_not_a_json_object_is_unreadable(value):
    body = urlencode({"payload": json.dumps(value)})
    assert payload.unreadable(body, "application/x-www-form-urlencoded") == (
        "The request's payload is not a JSON object."
    )


def test_what_bolt_could_not_read_is_named_and_what_it_can_passes():
    form = "application/x-www-form-urlencoded"
    assert payload.unreadable(urlencode({"payload": "{not json"}), form) == (
        "The request's payload is not JSON."
    )
    empty_actions = {"type": "block_actions", "actions": []}
    assert "`actions`" in payload.unreadable(
        urlencode({"payload": json.dumps(empty_actions)}), form
    )
    assert "`view`" in payload.unreadable(
        urlencode({"payload": json.dumps({"type": "view_submission", "view": "x"})}), form
    )
    assert payload.unreadable(urlencode({"command": "/pmo", "text": "list"}), form) is None
    assert payload.unreadable(json.dumps({"type": "event_callback", "event": {}}), None) is None


# -- over HTTP: bodies Bolt itself can't read (answered by bot/web.py) ---------------------
@pytest.mark.parametrize(
    "raw",
    [
        "{not json",
        "[1, 2]",
        '"a string"',
        "5",
        json.dumps({"type": "block_actions", "actions": []}),
        json.dumps({"type": "view_submission", "view": "x"}),
    ],
    ids=["invalid-json", "list", "string", "number", "no-action", "view-not-object"],
)
def test_a_payload_bolt_cannot_read_gets_400_and_no_traceback(slack, slack_api, raw):
    reply = slack.post(urlencode({"payload": raw}))
    assert reply.status == 400
    assert web_api_calls(slack_api) == []


# -- over HTTP: who sent it --------------------------------------------------------------
@pytest.mark.parametrize(
    ("drop", "problem"),
    [("user", "names no Slack user"), ("team", "names no Slack workspace")],
)
def test_a_click_naming_no_user_or_no_workspace_is_refused_where_it_came_from(
    slack, slack_api, database, drop, problem
):
    card = raise_risk(slack, slack_api, database)
    slack_api.reset_calls()
    value = card.blocks[-1]["elements"][0]["value"]
    reply = post_payload(slack, button_click(slack, "risk.own", value, drop=drop))
    assert reply.status == 200
    assert problem in slack_api.last_reply()["text"]
    assert APOLOGY not in slack_api.last_reply()["text"]
    assert web_api_calls(slack_api) == []  # nobody named in the body is sent anything
    assert risks(database)[0].owner == MEMBER


@pytest.mark.parametrize(
    "user",
    [{"id": "U<!channel>"}, {"id": ["UMEMBER01"]}, "UMEMBER01", None],
    ids=["mention", "list", "string", "null"],
)
def test_a_click_from_a_malformed_user_is_refused_and_nobody_is_messaged(
    slack, slack_api, database, user
):
    card = raise_risk(slack, slack_api, database)
    slack_api.reset_calls()
    click = button_click(slack, "risk.own", card.blocks[-1]["elements"][0]["value"])
    click["user"] = user
    post_payload(slack, click)
    assert "names no Slack user" in slack_api.last_reply()["text"]
    assert web_api_calls(slack_api) == []


@pytest.mark.parametrize("missing", ["team_id", "user_id", "channel_id"])
def test_a_command_missing_who_or_where_is_refused(slack, slack_api, database, missing):
    form = {
        "team_id": TEAM,
        "channel_id": "CGENERAL",
        "user_id": PM,
        "command": "/status",
        "text": "APOLLO green fine",
        "response_url": slack_api.response_url(),
        "trigger_id": "1.2.forged",
    }
    make_project(database)
    del form[missing]
    reply = slack.post(urlencode(form))
    assert reply.status == 200
    text = slack_api.last_reply()["text"]
    assert "pmo-bot can't act on it" in text and APOLOGY not in text
    assert web_api_calls(slack_api) == []
    with database.session() as session:
        assert session.exec(select(StatusUpdate)).all() == []


def test_a_form_submitted_without_a_workspace_is_refused_inline(slack, slack_api, database):
    make_project(database)
    slack.command("/risk", "", user=MEMBER, channel="CAPOLLO01")
    modal = slack.last_modal().enter({"Title": "x", "Probability": "1", "Impact": "1"})
    with tampering(slack, without("team"), without("view", "app_installed_team_id")):
        errors = slack.submit(modal, user=MEMBER).json()["errors"]
    assert list(errors.values()) == [
        "This request names no Slack workspace, so pmo-bot can't act on it."
    ]
    assert risks(database) == []
    assert web_api_calls(slack_api) == [slack_api.last("views.open")]


# -- over HTTP: buttons ------------------------------------------------------------------
@pytest.mark.parametrize("value", OUT_OF_RANGE)
def test_a_risk_button_with_a_value_no_risk_could_have_is_refused(
    slack, slack_api, database, value
):
    card = raise_risk(slack, slack_api, database)
    slack.click(with_button_value(card, "risk.own", value), "risk.own", user=APPROVER)
    text = slack_api.last_reply()["text"]
    assert text == "That button does not point at any risk."
    assert risks(database)[0].owner == MEMBER  # not even risk 1, for ARABIC_ONE


@pytest.mark.parametrize("value", OUT_OF_RANGE)
def test_a_gate_button_with_a_value_no_gate_could_have_is_refused(
    slack, slack_api, database, value
):
    make_project(database)
    slack.command("/gate", "", user=PM, channel="CAPOLLO01")
    modal = slack.last_modal()
    required = [o["value"] for o in modal.block("Entry criteria")["element"]["options"]][:3]
    slack.submit(modal.enter({"Evidence": "Plan", "Entry criteria": required}), user=PM)
    [request] = [m for m in slack_api.posts("CAPOLLO01") if "gate.approve" in str(m.blocks)]
    slack.click(with_button_value(request, "gate.approve", value), "gate.approve", user=APPROVER)
    assert slack_api.last_reply()["text"] == "That button does not point at any gate."
    with database.session() as session:
        assert session.exec(select(GateDecision)).all() == []


# -- over HTTP: values in forms ----------------------------------------------------------
def open_risk_form(slack, database):
    make_project(database)
    slack.command("/risk", "", user=MEMBER, channel="CAPOLLO01")
    return slack.last_modal().enter({"Title": "Vendor may slip", "Probability": "4", "Impact": "5"})


@pytest.mark.parametrize("value", ["2026-02-30", "2026-13-01", "20260301", "2026-W09-1", "soon"])
def test_a_date_slack_could_not_send_is_an_inline_error(slack, database, value):
    modal = forge(open_risk_form(slack, database), **{"Review date": {"selected_date": value}})
    errors = slack.submit(modal, user=MEMBER).json()["errors"]
    assert errors == {"review_date": f"{value} is not a date; pick one in the calendar."}
    assert risks(database) == []


@pytest.mark.parametrize(
    ("label", "field", "value"),
    [
        ("Probability", "probability", "9"),
        ("Probability", "probability", ARABIC_ONE),
        ("Impact", "impact", "x"),
        ("Kind", "kind", "rumour"),
        ("Category", "category", "Gossip"),
        ("Probability", "probability", 4),
    ],
)
def test_an_option_that_was_not_offered_is_an_inline_error(slack, database, label, field, value):
    modal = forge(open_risk_form(slack, database), **{label: option(value)})
    errors = slack.submit(modal, user=MEMBER).json()["errors"]
    assert errors == {field: "That is not one of the options offered; pick one from the list."}
    assert risks(database) == []


def test_a_status_colour_that_was_not_offered_is_an_inline_error(slack, database):
    make_project(database)
    slack.command("/status", "", user=PM, channel="CAPOLLO01")
    modal = slack.last_modal().enter({"Summary": "Fine"})
    errors = slack.submit(forge(modal, Overall=option("purple")), user=PM).json()["errors"]
    assert errors == {"overall": "That is not one of the options offered; pick one from the list."}


@pytest.mark.parametrize("value", ["\u0665\u0660", "50.0", "5e1"])
def test_a_percent_in_other_digits_is_an_inline_error(slack, database, value):
    make_project(database)
    slack.command("/status", "", user=PM, channel="CAPOLLO01")
    modal = slack.last_modal().enter({"Summary": "Fine", "Percent complete": value})
    errors = slack.submit(modal, user=PM).json()["errors"]
    assert errors == {"percent_complete": "Percent complete is a whole number from 0 to 100."}
    with database.session() as session:
        assert session.exec(select(StatusUpdate)).all() == []


@pytest.mark.parametrize("value", ["9", SUPERSCRIPT_TWO, ARABIC_ONE, "-1"])
def test_a_checkbox_that_was_not_offered_is_an_inline_error(slack, database, value):
    make_project(database)
    slack.command("/gate", "", user=PM, channel="CAPOLLO01")
    modal = slack.last_modal()
    required = [o["value"] for o in modal.block("Entry criteria")["element"]["options"]][:3]
    ticked = [{"text": {"type": "plain_text", "text": "x"}, "value": v} for v in required]
    ticked.append({"text": {"type": "plain_text", "text": "x"}, "value": value})
    modal = forge(
        modal.enter({"Evidence": "Plan"}), **{"Entry criteria": {"selected_options": ticked}}
    )
    errors = slack.submit(modal, user=PM).json()["errors"]
    assert errors == {"checklist": "Tick only the criteria offered."}


def test_a_gate_option_that_was_not_offered_is_an_inline_error(slack, database):
    slack.command("/pmo", "new", user=PM)
    modal = slack.last_modal().enter({"Key": "APOLLO", "Name": "Apollo"})
    forged = {"text": {"type": "plain_text", "text": "x"}, "value": "skip_approvals"}
    modal = forge(modal, **{"Gate rules": {"selected_options": [forged]}})
    errors = slack.submit(modal, user=PM).json()["errors"]
    assert errors == {
        "gate_options": "That is not one of the options offered; pick one from the list."
    }
