"""The HTTP face: signatures, /healthz, error replies, and workspace isolation."""

from __future__ import annotations

import json
import time
from types import SimpleNamespace
from urllib.parse import urlencode

from sqlmodel import select

import workflows.projects
from bot.app import build_runtime
from bot.web import create_web_app
from storage.db import Database
from storage.models import AuditEvent, Project, ProjectRole
from tests.conftest import make_settings
from tests.factories import OTHER_TEAM, PM, make_project
from tests.slack_requests import SlackClient, sign


def command_body(slack, text="list"):
    return urlencode(
        {
            "team_id": slack.team_id,
            "user_id": PM,
            "channel_id": "CGENERAL",
            "command": "/pmo",
            "text": text,
            "response_url": slack.api.response_url(),
            "trigger_id": "1.2.3",
        }
    )


def test_a_request_with_a_bad_signature_gets_401_and_reaches_no_handler(slack, slack_api):
    reply = slack.post(command_body(slack), signature="v0=" + "0" * 64)
    assert reply.status == 401
    assert slack_api.ephemeral_replies() == []


def test_a_request_signed_with_another_secret_gets_401(slack, slack_api):
    body = command_body(slack)
    now = int(time.time())
    reply = slack.post(body, timestamp=now, signature=sign("not-our-secret", body, now))
    assert reply.status == 401
    assert slack_api.ephemeral_replies() == []


def test_a_replayed_old_request_gets_401(slack, slack_api):
    old = int(time.time()) - 10 * 60
    reply = slack.post(command_body(slack), timestamp=old)
    assert reply.status == 401
    assert slack_api.ephemeral_replies() == []


def test_a_tampered_body_gets_401(slack, slack_api, database):
    body = command_body(slack, "list")
    now = int(time.time())
    signature = sign(slack.signing_secret, body, now)
    reply = slack.post(body.replace("list", "new"), timestamp=now, signature=signature)
    assert reply.status == 401
    assert slack_api.calls_to("views.open") == []


def test_a_signed_request_is_acknowledged_with_200(slack):
    assert slack.post(command_body(slack)).status == 200


def test_healthz_answers_200_when_the_database_answers(slack):
    reply = slack.raw("GET", "/healthz")
    assert reply.status == 200
    assert json.loads(reply.body) == {"ok": True, "database": "ok"}


def test_healthz_answers_503_when_the_database_does_not(slack_api, tmp_path):
    unreachable = Database("postgresql+psycopg://nobody@127.0.0.1:1/none")
    settings = make_settings(SLACK_API_URL=slack_api.url, DATABASE_URL=unreachable.url)
    web = create_web_app(build_runtime(settings, database=unreachable)).test_client()
    reply = web.get("/healthz")
    assert reply.status_code == 503
    assert reply.get_json() == {
        "ok": False,
        "database": "unreachable",
        "reason": "the database does not answer",
    }


def test_unknown_paths_are_404(slack):
    assert slack.raw("GET", "/nope").status == 404
    assert slack.raw("GET", "/slack/install").status == 404  # OAuth is off


def test_a_failure_inside_a_handler_gives_an_apology_with_an_error_id_that_is_logged(
    slack, slack_api, database, monkeypatch, error_log
):
    def broken(**_):
        raise RuntimeError("the portfolio query fell over")

    monkeypatch.setattr(workflows.projects, "list_projects", broken)
    error_log.expect_errors()
    slack.command("/pmo", "list", user=PM)
    reply = slack_api.last_reply()
    assert reply["response_type"] == "ephemeral"
    assert "Sorry, something went wrong" in reply["text"]
    error_id = reply["text"].split("error id `")[1].split("`")[0]
    assert len(error_id) == 8
    [logged] = error_log.records
    assert error_id in logged.getMessage()
    assert "command '/pmo' (4 characters typed)" in logged.getMessage()
    assert "list" not in logged.getMessage()  # what was typed is never logged
    assert "the portfolio query fell over" in str(logged.exc_info[1])


def test_a_failure_while_saving_leaves_no_half_written_rows(
    slack, database, monkeypatch, error_log
):
    def audit_fails(**_):
        raise RuntimeError("disk full")

    monkeypatch.setattr(workflows.projects.audit, "record", audit_fails)
    error_log.expect_errors()
    slack.command("/pmo", "new", user=PM)
    modal = slack.last_modal().enter(
        {"Key": "APOLLO", "Name": "Apollo", "Home channel": "CAPOLLO01", "Phase": "Plan"}
    )
    reply = slack.submit(modal, user=PM)
    # The form stays open with the apology, so nothing typed is lost.
    errors = reply.json()["errors"]
    assert "error id" in errors["key"]
    with database.session() as session:
        assert session.exec(select(Project)).all() == []
        assert session.exec(select(ProjectRole)).all() == []
        assert session.exec(select(AuditEvent)).all() == []


def test_another_workspace_never_sees_this_ones_projects(slack, slack_api, database):
    make_project(database, key="APOLLO", channel_id="CAPOLLO01")
    other = SlackClient(
        app_url=slack.app_url,
        signing_secret=slack.signing_secret,
        api=slack_api,
        settle=slack.settle,
        team_id=OTHER_TEAM,
    )
    other.command("/pmo", "list", user="UOTHER001")
    assert "APOLLO" not in str(slack_api.last_reply()["blocks"])
    other.command("/pmo", "show APOLLO", user="UOTHER001")
    assert "There is no project `APOLLO`" in slack_api.last_reply()["text"]
    other.command("/pmo", "show", user="UOTHER001", channel="CAPOLLO01")
    assert "Which project?" in slack_api.last_reply()["text"]
    other.command("/pmo", "new", user="UOTHER001")
    modal = other.last_modal().enter(
        {"Key": "APOLLO", "Name": "Their Apollo", "Home channel": "CTHEIRS01", "Phase": "Plan"}
    )
    assert other.submit(modal, user="UOTHER001").body == ""
    with database.session() as session:
        teams = sorted(session.exec(select(Project.team_id)).all())
    assert teams == sorted([OTHER_TEAM, slack.team_id])


def test_socket_mode_needs_no_signing_secret_and_runs_the_same_handlers(
    database, slack_api, clock, executor
):
    from slack_bolt.request import BoltRequest

    settings = make_settings(
        SLACK_API_URL=slack_api.url,
        DATABASE_URL=database.url,
        SLACK_SIGNING_SECRET=None,
        SLACK_APP_TOKEN="xapp-1-test",
    )
    runtime = build_runtime(settings, database=database, clock=clock, listener_executor=executor)
    body = urlencode(
        {
            "team_id": slack_api.team_id,
            "user_id": PM,
            "channel_id": "CGENERAL",
            "command": "/pmo",
            "text": "help",
            "response_url": slack_api.response_url(),
            "trigger_id": "1.2.3",
        }
    )
    # What SocketModeHandler hands the app for each envelope Slack sends over the socket.
    response = runtime.app.dispatch(BoltRequest(body=body, mode="socket_mode"))
    executor.wait_idle()
    assert response.status == 200
    assert "/pmo new" in response.body  # the help is the acknowledgement itself


def test_a_listener_that_fails_just_after_acking_still_answers_slack_200(
    slack, slack_api, database
):
    # Bolt forgets the ack when a listener raises within its 10 ms polling window; the
    # request would then answer 404 after 3 s. Unknown keys fail that fast.
    for _ in range(5):
        reply = slack.command("/status", "NOSUCH green all fine", user=PM)
        assert reply.status == 200
    assert len(slack_api.ephemeral_replies()) == 5


def test_blank_oauth_variables_leave_the_app_on_its_bot_token(
    database, slack_api, clock, executor, monkeypatch
):
    # A Heroku config var left empty: Bolt would switch to its own file-based OAuth.
    from slack_bolt.request import BoltRequest

    monkeypatch.setenv("SLACK_CLIENT_ID", "")
    monkeypatch.setenv("SLACK_CLIENT_SECRET", "")
    settings = make_settings(SLACK_API_URL=slack_api.url, DATABASE_URL=database.url)
    runtime = build_runtime(settings, database=database, clock=clock, listener_executor=executor)
    body = command_body(SimpleNamespace(team_id=slack_api.team_id, api=slack_api), "help")
    response = runtime.app.dispatch(BoltRequest(body=body, mode="socket_mode"))
    executor.wait_idle()
    assert response.status == 200
    assert "/pmo new" in response.body  # the help is the acknowledgement itself
    assert runtime.app.oauth_flow is None
