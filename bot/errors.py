"""One error handler for every listener: rule refusals become replies, bugs get an id."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient

from workflows.errors import PmoError

logger = logging.getLogger("pmo_bot.errors")


def apology(error_id: str) -> str:
    """What a person reads when something broke on our side."""
    return (
        f":warning: Sorry, something went wrong on our side (error id `{error_id}`). "
        "Please try again; if it keeps happening, give that id to whoever runs pmo-bot."
    )


def handle_error(
    error: Exception,
    body: dict[str, Any],
    client: WebClient,
    respond: Callable[..., Any] | None = None,
) -> None:
    """Tell the person what went wrong: the rule's own words, or an apology with an error id."""
    if isinstance(error, PmoError):
        text = str(error)
    else:
        error_id = uuid.uuid4().hex[:8]
        logger.error(
            "error id %s in %s from user %s of team %s",
            error_id,
            describe(body),
            user_of(body),
            team_of(body),
            exc_info=error,
        )
        text = apology(error_id)
    try:
        reply(body=body, client=client, respond=respond, text=text)
    except Exception:
        logger.exception("could not tell user %s about an error", user_of(body))


def reply(
    *, body: dict[str, Any], client: WebClient, respond: Callable[..., Any] | None, text: str
) -> None:
    """An ephemeral answer where Slack gave us a response_url, else a direct message."""
    if respond is not None and (body.get("response_url") or body.get("response_urls")):
        respond(text=text, response_type="ephemeral", replace_original=False)
        return
    user = user_of(body)
    if user:
        client.chat_postMessage(channel=user, text=text)


def user_of(body: dict[str, Any]) -> str | None:
    """Who sent the request."""
    user = body.get("user")
    if isinstance(user, dict):
        return user.get("id")
    return body.get("user_id")


def team_of(body: dict[str, Any]) -> str | None:
    """Which workspace the request came from."""
    team = body.get("team")
    if isinstance(team, dict):
        return team.get("id")
    return body.get("team_id")


def describe(body: dict[str, Any]) -> str:
    """The request in a few words, for the log."""
    if "command" in body:
        return f"command {body['command']} {body.get('text', '')!r}"
    kind = body.get("type", "request")
    if kind in ("view_submission", "view_closed"):
        return f"{kind} {body.get('view', {}).get('callback_id')}"
    if kind == "block_actions":
        actions = [action.get("action_id") for action in body.get("actions", [])]
        return f"block_actions {actions}"
    if kind == "block_suggestion":
        return f"block_suggestion {body.get('action_id')}"
    return str(kind)
