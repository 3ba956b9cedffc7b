"""`/pmo api`: the read-only API's tokens, for PMO leads.

`/pmo api` lists them, `/pmo api token NAME` creates one and shows it once, in a reply only
its creator sees (never in a channel, never logged), `/pmo api revoke NAME` revokes one.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from slack_bolt import Respond
from slack_sdk.webhook import WebhookClient

from commands.mrkdwn import escape, mention, when
from storage.models import ApiToken
from workflows import api_tokens
from workflows.errors import PmoError

if TYPE_CHECKING:
    from commands.pmo import PmoAsk

# The logger of the reply that carries a secret: disabled, so no level or handler prints it.
SILENT = logging.getLogger("pmo_bot.api_tokens.secret_reply")
SILENT.disabled = True

USAGE = "`/pmo api` · `/pmo api token NAME` · `/pmo api revoke NAME`"


def api_verb(ask: PmoAsk) -> None:
    """`/pmo api [token NAME | revoke NAME]`: list, create or revoke the workspace's tokens."""
    action, _, name = ask.rest.partition(" ")
    action = action.lower()
    if not action or action == "list":
        _list(ask)
    elif action == "token":
        _create(ask, name)
    elif action == "revoke":
        _revoke(ask, name)
    else:
        raise PmoError(f"I don't know that one. {USAGE}")


def _list(ask: PmoAsk) -> None:
    with ask.db.session() as session:
        tokens = api_tokens.list_tokens(session=session, actor=ask.actor)
    if not tokens:
        ask.respond(text=f"No API tokens yet. {USAGE}", response_type="ephemeral")
        return
    lines = "\n".join(token_line(token) for token in tokens)
    ask.respond(text=f"*API tokens*\n{lines}", response_type="ephemeral")


def _create(ask: PmoAsk, name: str) -> None:
    with ask.db.session() as session:
        issued = api_tokens.create_token(
            session=session, actor=ask.actor, name=name, now=ask.clock()
        )
        label = escape(issued.token.name)
    text = (
        f"API token *{label}* created. Copy it now: it is shown only this once.\n"
        f"`{issued.secret}`\n"
        "Send it as `Authorization: Bearer <token>` to `GET /api/v1/...`; "
        f"`/pmo api revoke {label}` turns it off."
    )
    say_privately(ask.respond, text)


def say_privately(respond: Respond, text: str) -> None:
    """Answer only the person who asked (ephemeral), through a client whose log stays
    silent even at DEBUG: slack_sdk would otherwise log the body, secret and all."""
    if not respond.response_url:
        raise PmoError("Slack gave me nowhere private to answer; try the command again.")
    client = WebhookClient(
        url=respond.response_url, proxy=respond.proxy, ssl=respond.ssl, logger=SILENT
    )
    client.send(text=text, response_type="ephemeral")


def _revoke(ask: PmoAsk, name: str) -> None:
    with ask.db.session() as session:
        token = api_tokens.revoke_token(
            session=session, actor=ask.actor, name_or_id=name, now=ask.clock()
        )
        label = escape(token.name)
    ask.respond(text=f"API token *{label}* is revoked.", response_type="ephemeral")


def token_line(token: ApiToken) -> str:
    """One token as listed: name, who created it and when, last use, whether revoked."""
    used = when(token.last_used_at) if token.last_used_at else "never"
    line = (
        f"• *{escape(token.name)}* (#{token.id}) created {when(token.created_at)} by "
        f"{mention(token.created_by)}, last used {used}"
    )
    if token.revoked_at:
        line += f", revoked {when(token.revoked_at)}"
    return line
