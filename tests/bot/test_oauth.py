"""Multi-workspace install: /slack/install, /slack/oauth_redirect, then tokens per workspace."""

from __future__ import annotations

import re
import threading
from urllib.parse import parse_qs, urlparse

import pytest
from sqlmodel import select
from werkzeug.serving import make_server

from bot.app import build_runtime
from bot.web import create_web_app
from storage.models import AuditEvent
from storage.workspaces import ensure_workspace
from tests.conftest import SIGNING_SECRET, make_settings
from tests.factories import PM, TEAM
from tests.slack_requests import SlackClient

OAUTH = {
    "SLACK_BOT_TOKEN": None,
    "SLACK_CLIENT_ID": "1111.2222",
    "SLACK_CLIENT_SECRET": "client-secret",
    "SLACK_STATE_SECRET": "state-secret",
}


@pytest.fixture
def oauth_slack(database, slack_api, executor, clock):
    settings = make_settings(SLACK_API_URL=slack_api.url, DATABASE_URL=database.url, **OAUTH)
    runtime = build_runtime(settings, database=database, clock=clock, listener_executor=executor)
    server = make_server("127.0.0.1", 0, create_web_app(runtime), threaded=True)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield SlackClient(
        app_url=f"http://127.0.0.1:{server.server_port}",
        signing_secret=SIGNING_SECRET,
        api=slack_api,
        settle=executor.wait_idle,
        team_id=slack_api.team_id,
    )
    server.shutdown()
    server.server_close()


def start_install(slack):
    page = slack.raw("GET", "/slack/install")
    assert page.status == 200
    link = re.search(r'href="(https://slack.com/oauth/v2/authorize[^"]+)"', page.body).group(1)
    query = parse_qs(urlparse(link.replace("&amp;", "&")).query)
    assert query["client_id"] == ["1111.2222"]
    assert "commands" in query["scope"][0]
    cookie = page.headers["set-cookie"].split(";")[0]
    return query["state"][0], cookie


def test_install_then_commands_use_the_installed_token(oauth_slack, slack_api):
    state, cookie = start_install(oauth_slack)
    done = oauth_slack.raw(
        "GET", f"/slack/oauth_redirect?code=good-code&state={state}", headers={"Cookie": cookie}
    )
    assert done.status == 200, done.body
    assert slack_api.installed_tokens == ["xoxb-installed-T0PMO0001"]

    oauth_slack.command("/pmo", "new", user=PM)
    views_open = slack_api.last("views.open")
    assert views_open.token == "xoxb-installed-T0PMO0001"


def test_a_forged_state_is_refused(oauth_slack, slack_api):
    _, cookie = start_install(oauth_slack)
    done = oauth_slack.raw(
        "GET", "/slack/oauth_redirect?code=good-code&state=forged", headers={"Cookie": cookie}
    )
    assert done.status == 400
    assert slack_api.installed_tokens == []


def test_a_state_is_good_once(oauth_slack, slack_api):
    state, cookie = start_install(oauth_slack)
    path = f"/slack/oauth_redirect?code=good-code&state={state}"
    assert oauth_slack.raw("GET", path, headers={"Cookie": cookie}).status == 200
    assert oauth_slack.raw("GET", path, headers={"Cookie": cookie}).status in (400, 401)
    assert len(slack_api.installed_tokens) == 1


def test_a_workspace_that_never_installed_is_told_to_install_and_nothing_runs(
    oauth_slack, slack_api
):
    oauth_slack.command("/pmo", "help", user=PM)
    [reply] = slack_api.ephemeral_replies()
    assert "blocks" not in reply
    assert "install" in reply["text"].lower()


INSTALLER = "UINSTALL1"  # the authed user of the local Slack's oauth.v2.access


def install(slack):
    state, cookie = start_install(slack)
    done = slack.raw(
        "GET", f"/slack/oauth_redirect?code=good-code&state={state}", headers={"Cookie": cookie}
    )
    assert done.status == 200, done.body


def leads_and_audit(database):
    with database.session() as session:
        leads = ensure_workspace(session=session, team_id=TEAM).pmo_leads
        rows = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
        return list(leads), [(r.actor, r.action, r.detail) for r in rows]


def test_the_installer_becomes_the_first_pmo_lead_audited(oauth_slack, database):
    install(oauth_slack)
    leads, audit = leads_and_audit(database)
    assert leads == [INSTALLER]
    assert audit == [
        (
            INSTALLER,
            "workspace.pmo_lead_added",
            {"pmo_leads": [[], [INSTALLER]], "why": "installed pmo-bot"},
        )
    ]


def test_a_reinstall_adds_no_lead_when_the_workspace_has_one(oauth_slack, database):
    with database.session() as session:
        workspace = ensure_workspace(session=session, team_id=TEAM)
        workspace.pmo_leads = [PM]
        session.add(workspace)
    install(oauth_slack)
    install(oauth_slack)
    assert leads_and_audit(database) == ([PM], [])
