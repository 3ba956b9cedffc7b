"""One error handler for every listener: rule refusals become replies, bugs get an id."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltResponse
from slack_sdk import WebClient

from workflows.errors import InvalidInput, PmoError

logger = logging.getLogger("pmo_bot.errors")
MAX_INLINE_ERROR = 2000


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
    response: BoltResponse | None = None,
    respond: Callable[..., Any] | None = None,
) -> BoltResponse | None:
    """Tell the person what went wrong: the rule's own words, or an apology with an error id.

    A form submitted but not yet acknowledged shows it inline and stays open, so nothing
    the person typed is lost: InvalidInput's fields on their own blocks, anything else on
    the first input. So form handlers just raise; none needs a try/except.
    """
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
    if response is not None and body.get("type") == "view_submission":
        errors = inline_errors(error, text, body.get("view", {}))
        if errors:
            return BoltResponse(status=200, body={"response_action": "errors", "errors": errors})
    try:
        reply(body=body, client=client, respond=respond, text=text)
    except Exception:
        logger.exception("could not tell user %s about an error", user_of(body))
    return None


def inline_errors(error: Exception, text: str, view: dict[str, Any]) -> dict[str, str]:
    """Errors by block id: each invalid field on its own input, the rest on the first one."""
    inputs = [
        block["block_id"]
        for block in view.get("blocks", [])
        if block.get("type") == "input" and block.get("block_id")
    ]
    if not inputs:
        return {}
    fields = error.errors if isinstance(error, InvalidInput) else {"": text}
    errors: dict[str, str] = {}
    for field, message in fields.items():
        block = field if field in inputs else inputs[0]
        errors[block] = f"{errors[block]} {message}" if block in errors else message
    return {block: message[:MAX_INLINE_ERROR] for block, message in errors.items()}


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
