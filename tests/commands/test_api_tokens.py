"""`/pmo api`: PMO leads create, list and revoke the read-only API's tokens, through signed
requests; a token is shown once, only to its creator, and only its hash is stored."""

from __future__ import annotations

import hashlib
import logging
import re

import pytest
from sqlmodel import select

from storage.models import ApiToken, AuditEvent
from storage.workspaces import ensure_workspace
from tests.factories import PM, TEAM

LEAD = "ULEAD0001"
TOKEN = re.compile(r"pmo_[A-Za-z0-9_-]{43}")


@pytest.fixture
def leads(database):
    with database.session() as session:
        ensure_workspace(session=session, team_id=TEAM).pmo_leads = [LEAD]


def tokens(database) -> list[ApiToken]:
    with database.session() as session:
        return list(session.exec(select(ApiToken).order_by(ApiToken.id)))


def create(slack, slack_api, name: str = "Power BI") -> str:
    slack_api.reset_calls()
    slack.command("/pmo", f"api token {name}", user=LEAD)
    found = TOKEN.findall(slack_api.last_reply()["text"])
    assert len(found) == 1, slack_api.last_reply()
    return found[0]


def test_a_lead_gets_the_token_once_in_an_ephemeral_reply_and_only_its_hash_is_stored(
    slack, slack_api, database, leads, caplog
):
    caplog.set_level(logging.DEBUG)
    secret = create(slack, slack_api)
    reply = slack_api.last_reply()
    assert reply.get("response_type", "ephemeral") == "ephemeral"
    # Nowhere else: no channel post, no DM, no log line.
    elsewhere = [call.args for call in slack_api.calls if call.method != "response_url"]
    assert secret not in str(elsewhere)
    assert secret not in caplog.text
    [stored] = tokens(database)
    assert (stored.team_id, stored.name, stored.created_by) == (TEAM, "Power BI", LEAD)
    assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    with database.session() as session:
        [event] = session.exec(select(AuditEvent).where(AuditEvent.entity == "api_token"))
        assert (event.action, event.detail) == ("api_token.create", {"name": "Power BI"})
    assert secret not in str(event.detail) and stored.token_hash not in str(event.detail)


def test_only_pmo_leads_manage_tokens_and_are_named_to_others(slack, slack_api, database, leads):
    for text in ("api token Sneaky", "api", "api revoke Sneaky"):
        slack.command("/pmo", text, user=PM)
        said = slack_api.last_reply()["text"]
        assert "Only the PMO leads" in said and LEAD in said
    assert tokens(database) == []


def test_without_pmo_leads_nobody_may_and_is_told_who_names_them(slack, slack_api, database):
    slack.command("/pmo", "api token Tableau", user=PM)
    assert "none are named yet" in slack_api.last_reply()["text"]
    assert tokens(database) == []


@pytest.mark.parametrize(
    ("name", "said"), [("", "Name the token"), ("x" * 101, "at most 100 characters")]
)
def test_a_token_needs_a_name_of_1_to_100_characters(slack, slack_api, database, leads, name, said):
    slack.command("/pmo", f"api token {name}", user=LEAD)
    assert said in slack_api.last_reply()["text"]
    assert tokens(database) == []


def test_a_live_name_is_not_given_twice(slack, slack_api, database, leads):
    create(slack, slack_api, "Looker")
    slack.command("/pmo", "api token looker", user=LEAD)
    assert "exists already" in slack_api.last_reply()["text"]
    assert len(tokens(database)) == 1


def test_revoking_by_name_is_audited_and_listed(slack, slack_api, database, leads, clock):
    create(slack, slack_api, "Looker")
    clock.advance(hours=1)
    slack.command("/pmo", "api revoke Looker", user=LEAD)
    assert "is revoked" in slack_api.last_reply()["text"]
    [stored] = tokens(database)
    assert stored.revoked_at == clock.now
    slack.command("/pmo", "api", user=LEAD)
    listed = slack_api.last_reply()["text"]
    assert "Looker" in listed and "revoked" in listed and "last used never" in listed
    with database.session() as session:
        actions = session.exec(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert [a for a in actions if a.startswith("api_token")] == [
        "api_token.create",
        "api_token.revoke",
    ]


def test_revoking_by_id_works_and_an_unknown_name_is_said(slack, slack_api, database, leads):
    create(slack, slack_api, "Looker")
    [stored] = tokens(database)
    slack.command("/pmo", f"api revoke {stored.id}", user=LEAD)
    assert tokens(database)[0].revoked_at is not None
    slack.command("/pmo", "api revoke Looker", user=LEAD)
    assert "no live API token" in slack_api.last_reply()["text"]


def test_the_help_names_the_api_verb(slack, slack_api):
    slack.command("/pmo", "help", user=PM)
    assert "/pmo api [token NAME | revoke NAME]" in str(slack_api.last_reply()["blocks"])
