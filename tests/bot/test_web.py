"""The HTTP gate: a request Slack did not sign reaches nothing, whatever its headers say."""

from __future__ import annotations

import logging
import time
from urllib.parse import urlencode

import pytest
from slack_sdk.signature import SignatureVerifier

from bot.app import build_runtime
from bot.web import create_web_app, signed_by_slack
from tests.conftest import SIGNING_SECRET, make_settings
from tests.factories import PM
from tests.slack_requests import sign

CANARY = "canary-body-7f3a"
FORGED = "v0=" + "0" * 64


def now() -> str:
    return str(int(time.time()))


def signed(body: str, *, seconds_from_now: int = 0) -> dict[str, str]:
    timestamp = int(time.time()) + seconds_from_now
    return {
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": sign(SIGNING_SECRET, body, timestamp),
    }


# Header sets that fail verification; each either names the signature headers or omits them.
BAD_HEADERS = {
    "a timestamp of letters": lambda body: {"X-Slack-Request-Timestamp": "abc"},
    "a timestamp in exponent form": lambda body: {"X-Slack-Request-Timestamp": "1e9"},
    "an empty timestamp": lambda body: {"X-Slack-Request-Timestamp": ""},
    "a timestamp of spaces": lambda body: {"X-Slack-Request-Timestamp": "   "},
    "a 5,000-digit timestamp": lambda body: {"X-Slack-Request-Timestamp": "9" * 5000},
    "no timestamp": lambda body: {"X-Slack-Request-Timestamp": None},
    "no signature": lambda body: {"X-Slack-Request-Timestamp": now(), "X-Slack-Signature": None},
    "an empty signature": lambda body: {
        "X-Slack-Request-Timestamp": now(),
        "X-Slack-Signature": "",
    },
    "a signature of garbage": lambda body: {
        "X-Slack-Request-Timestamp": now(),
        "X-Slack-Signature": "not a signature at all",
    },
    "no headers at all": lambda body: {
        "X-Slack-Request-Timestamp": None,
        "X-Slack-Signature": None,
    },
    "a signature ten minutes old": lambda body: signed(body, seconds_from_now=-600),
    "a signature ten minutes ahead": lambda body: signed(body, seconds_from_now=600),
    "a signature over another timestamp": lambda body: {
        **signed(body, seconds_from_now=-1000),
        "X-Slack-Request-Timestamp": now(),
    },
    "a signature over another body": lambda body: signed(body.replace("pmo", "kudos")),
}


@pytest.fixture
def debug_logs(caplog):
    """Everything logged at DEBUG, from before the app is built: Bolt's loggers take the
    root logger's level when the app is built."""
    caplog.set_level(logging.DEBUG)
    return caplog


def attack_body(slack) -> str:
    """A slash command that, if handled, would answer at its response_url or DM the user."""
    return urlencode(
        {
            "team_id": slack.team_id,
            "user_id": PM,
            "channel_id": "CGENERAL",
            "command": "/pmo",
            "text": f"list {CANARY}",  # /pmo list answers at the response_url
            "response_url": slack.api.response_url(),
            "trigger_id": "1.2.3",
        }
    )


def send(slack, body: str, headers: dict[str, str | None]):
    """POST with exactly these signature headers (None leaves a header out)."""
    sent = {"Content-Type": "application/x-www-form-urlencoded"}
    sent.update({name: value for name, value in headers.items() if value is not None})
    if "X-Slack-Signature" not in headers:
        sent["X-Slack-Signature"] = FORGED
    reply = slack.raw("POST", "/slack/events", body, sent)
    slack.settle()
    return reply


@pytest.mark.parametrize("variant", list(BAD_HEADERS))
def test_a_request_failing_verification_gets_401_and_makes_the_bot_say_nothing(
    debug_logs, slack, slack_api, variant
):
    body = attack_body(slack)
    slack_api.reset_calls()
    reply = send(slack, body, BAD_HEADERS[variant](body))
    assert reply.status == 401
    assert CANARY not in reply.body
    # No Web API call, no DM, and nothing at the response_url the request carried.
    assert slack_api.calls == []
    assert slack_api.ephemeral_replies() == []
    logged = [record.getMessage() for record in debug_logs.records]
    assert logged, "the test should see the app's logs"
    assert not [message for message in logged if CANARY in message], logged
    assert CANARY not in debug_logs.text


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (b"text=\xff\xfe", {"X-Slack-Request-Timestamp": "0", "X-Slack-Signature": FORGED}),
        (b"text=x", {"X-Slack-Request-Timestamp": "1e9", "X-Slack-Signature": FORGED}),
        (b"text=x", {"x-slack-request-timestamp": "\x00", "x-slack-signature": FORGED}),
        (b"text=x", {}),
    ],
)
def test_the_signature_check_answers_false_instead_of_raising(body, headers):
    verifier = SignatureVerifier(SIGNING_SECRET)
    assert signed_by_slack(verifier, body, headers) is False
    assert signed_by_slack(None, body, headers) is False


def test_a_properly_signed_request_still_gets_through(slack, slack_api):
    body = attack_body(slack)
    reply = send(slack, body, signed(body))
    assert reply.status == 200
    assert slack_api.ephemeral_replies()


def test_without_a_signing_secret_every_http_request_is_refused(
    database, slack_api, clock, executor
):
    # Socket Mode needs no signing secret; nothing may then come in over HTTP.
    settings = make_settings(
        SLACK_API_URL=slack_api.url,
        DATABASE_URL=database.url,
        SLACK_SIGNING_SECRET=None,
        SLACK_APP_TOKEN="xapp-1-test",
    )
    runtime = build_runtime(settings, database=database, clock=clock, listener_executor=executor)
    web = create_web_app(runtime).test_client()
    slack_api.reset_calls()
    body = "command=%2Fpmo&text=help&user_id=UPM000001"
    timestamp = int(time.time())
    reply = web.post(
        "/slack/events",
        data=body,
        content_type="application/x-www-form-urlencoded",
        headers={
            "X-Slack-Request-Timestamp": str(timestamp),
            "X-Slack-Signature": sign("", body, timestamp),
        },
    )
    executor.wait_idle()
    assert reply.status_code == 401
    assert slack_api.calls == []
