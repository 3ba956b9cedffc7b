"""The listeners are matched on the body alone (bot/listener_matching.py): the same listener
answers each kind of request as with Bolt's own matchers."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.listener.custom_listener import CustomListener
from slack_bolt.listener_matcher.builtins import BuiltinListenerMatcher

from bot.listener_matching import BodyMatcher
from commands import status_form
from tests.conftest import TEAM
from tests.factories import PM

FORM = "application/x-www-form-urlencoded"


def _command(command: str) -> tuple[str, str]:
    fields = {"command": command, "text": "", "team_id": TEAM, "user_id": PM, "trigger_id": "1.2"}
    return urlencode(fields), FORM


def _interaction(payload: dict) -> tuple[str, str]:
    return urlencode({"payload": json.dumps({"team": {"id": TEAM}, **payload})}), FORM


def _event(event: dict) -> tuple[str, str]:
    return json.dumps(
        {"type": "event_callback", "team_id": TEAM, "event": event}
    ), "application/json"


REQUESTS = {
    "/status": _command("/status"),
    "/pmo": _command("/pmo"),
    "/kudos": _command("/kudos"),
    "/unknown": _command("/unknown"),
    "picker picked": _interaction(
        {
            "type": "block_actions",
            "user": {"id": PM},
            "actions": [{"action_id": status_form.PROJECT_ACTION, "block_id": "b"}],
        }
    ),
    "unknown action": _interaction(
        {"type": "block_actions", "user": {"id": PM}, "actions": [{"action_id": "nope"}]}
    ),
    "status form saved": _interaction(
        {
            "type": "view_submission",
            "user": {"id": PM},
            "view": {
                "type": "modal",
                "callback_id": status_form.CALLBACK_ID,
                "state": {"values": {}},
            },
        }
    ),
    "picker searched": _interaction(
        {"type": "block_suggestion", "user": {"id": PM}, "action_id": status_form.PROJECT_ACTION}
    ),
    "home opened": _event({"type": "app_home_opened", "user": PM, "tab": "home"}),
    "direct message": _event({"type": "message", "channel_type": "im", "user": PM, "text": "hi"}),
    "uninstalled": _event({"type": "app_uninstalled"}),
}


def _request(name: str) -> BoltRequest:
    body, content_type = REQUESTS[name]
    return BoltRequest(body=body, headers={"content-type": [content_type]})


def _listeners(runtime) -> list[CustomListener]:
    return [lst for lst in runtime.app._listeners if isinstance(lst, CustomListener)]


def test_every_built_in_matcher_that_asks_for_the_body_alone_was_swapped(runtime):
    matchers = [m for listener in _listeners(runtime) for m in listener.matchers]
    assert len([m for m in matchers if isinstance(m, BodyMatcher)]) >= 50
    assert not [
        m for m in matchers if type(m) is BuiltinListenerMatcher and m.arg_names == ["body"]
    ]


@pytest.mark.parametrize("name", sorted(REQUESTS))
def test_each_listener_answers_a_request_as_bolts_own_matcher_does(runtime, name):
    request, response = _request(name), BoltResponse(status=404)
    ours, bolts = [], []
    for listener in _listeners(runtime):
        for matcher in listener.matchers:
            if isinstance(matcher, BodyMatcher):
                ours.append(matcher.matches(request, response))
                bolts.append(BuiltinListenerMatcher(func=matcher.func).matches(request, response))
    assert ours == bolts


@pytest.mark.parametrize(
    ("name", "matched"),
    [("/status", True), ("picker picked", True), ("home opened", True), ("/unknown", False)],
)
def test_a_known_request_finds_its_listener_and_an_unknown_one_none(runtime, name, matched):
    request, response = _request(name), BoltResponse(status=404)
    found = [lst for lst in _listeners(runtime) if lst.matches(req=request, resp=response)]
    assert bool(found) is matched
