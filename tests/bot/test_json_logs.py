"""LOG_FORMAT=json: one JSON object per line, tied to the request, without what users typed."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlmodel import select

from bot.logs import ContextCarryingExecutor, JsonFormatter, current_request, request_context
from storage.models import OutboxMessage
from tests.factories import MEMBER, PM, TEAM

CANARY = "secret-plan-5e1d"


@pytest.fixture
def json_lines(caplog):
    caplog.set_level(logging.INFO)  # the answered-request line is INFO
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)


def test_a_request_logs_its_team_user_command_and_request_id_but_not_its_text(slack, json_lines):
    slack.command("/pmo", f"help {CANARY}", user=PM)
    lines = json_lines()
    [answered] = [line for line in lines if line.get("command") == "/pmo"]
    assert answered["team"] == TEAM
    assert answered["user"] == PM
    assert len(answered["request_id"]) == 16
    assert {"time", "level", "logger", "message"} <= answered.keys()
    assert not any(CANARY in json.dumps(line) for line in lines)


def test_each_request_gets_its_own_request_id(slack, json_lines):
    slack.command("/pmo", "help", user=PM)
    slack.command("/pmo", "help", user=PM)
    ids = {line["request_id"] for line in json_lines() if line.get("command") == "/pmo"}
    assert len(ids) == 2


def test_a_listener_thread_logs_with_the_request_that_started_it():
    with ThreadPoolExecutor(max_workers=1) as pool:
        listeners = ContextCarryingExecutor(pool)
        with request_context(request_id="r1", team=TEAM, command="/pmo"):
            future = listeners.submit(current_request)
        assert future.result() == {"request_id": "r1", "team": TEAM, "command": "/pmo"}


@pytest.mark.parametrize(("log_format", "is_json"), [("json", True), ("", False)])
def test_log_format_json_switches_lines_to_json_and_the_default_stays_text(log_format, is_json):
    script = (
        "import logging; from bot.logs import configure_logging; configure_logging(); "
        "logging.getLogger('pmo').warning('hello')"
    )
    env = {**os.environ, "LOG_FORMAT": log_format}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    [line] = done.stderr.splitlines()
    if is_json:
        assert json.loads(line) | {"time": None} == {
            "time": None,
            "level": "WARNING",
            "logger": "pmo",
            "message": "hello",
        }
    else:
        assert line.endswith(" WARNING pmo: hello")


def test_a_message_a_request_queued_is_delivered_under_that_requests_id(
    slack, slack_api, database, json_lines
):
    slack.command("/kudos", f"<@{MEMBER}> for the demo", user=PM, channel="CTEAM0001")
    lines = json_lines()
    [answered] = [line for line in lines if line.get("command") == "/kudos"]
    with database.session() as session:
        [queued] = session.exec(select(OutboxMessage)).all()
    assert queued.request_id == answered["request_id"]
    [delivered] = [
        line
        for line in lines
        if line["logger"] == "bot.delivery" and f"outbox {queued.key} sent" in line["message"]
    ]
    assert (delivered["request_id"], delivered["team"]) == (answered["request_id"], TEAM)
    assert slack_api.dms(MEMBER)


FORMATS_THE_BODY = """
import logging, sys
from slack_sdk import WebClient
from bot.logs import configure_logging

configure_logging()
seen = []


class Watched(str):
    # JSON sends the text; only a log line formats the body with repr().
    def __repr__(self):
        seen.append(1)
        return str.__repr__(self)


web = WebClient(token="xoxb-test", base_url=sys.argv[1])
web.views_open(trigger_id="1.2.abc", view={"type": "modal", "title": Watched("Status")})
print(len(seen))
"""


@pytest.mark.parametrize("level", ["INFO", "DEBUG"])
def test_slack_calls_never_format_their_body_for_the_log(slack_api, level):
    # slack_sdk asks its logger's own level, not the effective one: left unset, every call
    # would format its whole body (a modal's view, what people typed) for a debug line.
    env = {**os.environ, "LOG_LEVEL": level}
    done = subprocess.run(
        [sys.executable, "-c", FORMATS_THE_BODY, slack_api.url],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "0"
    assert "Sending a request" not in done.stderr
    assert slack_api.calls_to("views.open")
