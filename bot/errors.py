"""One error handler for every listener: rule refusals become replies, bugs get an id."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltResponse
from slack_sdk import WebClient

from bot import metrics
from commands.payload import BadPayload
from workflows.errors import InvalidInput, PmoError
from workflows.markup import is_team_id, is_user_id, unescape

logger = logging.getLogger("pmo_bot.errors")
MAX_INLINE_ERROR = 2000
# How much of a person's text the log keeps when describing a request.
LOGGED_TEXT_MAX = 100


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
    the first input. So form handlers just raise; none needs a try/except. A request that
    is not one Slack would send (BadPayload) is answered only where it came from, never
    by a direct message to someone it names.
    """
    if isinstance(error, PmoError):
        text = str(error)
    else:
        error_id = uuid.uuid4().hex[:8]
        kind, name = metrics.request_label(body)
        metrics.LISTENER_ERRORS.labels(kind=kind, name=name).inc()
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
        errors = inline_errors(error, text, body.get("view"))
        if errors:
            return BoltResponse(status=200, body={"response_action": "errors", "errors": errors})
    try:
        reply(
            body=body,
            client=client,
            respond=respond,
            text=text,
            direct=not isinstance(error, BadPayload),
        )
    except Exception:
        logger.exception("could not tell user %s about an error", user_of(body))
    return None


def inline_errors(error: Exception, text: str, view: object) -> dict[str, str]:
    """Errors by block id: each invalid field on its own input, the rest on the first one."""
    blocks = view.get("blocks") if isinstance(view, dict) else None
    inputs = [
        block["block_id"]
        for block in (blocks if isinstance(blocks, list) else [])
        if isinstance(block, dict)
        and block.get("type") == "input"
        and isinstance(block.get("block_id"), str)
        and block["block_id"]
    ]
    if not inputs:
        return {}
    fields = error.errors if isinstance(error, InvalidInput) else {"": text}
    errors: dict[str, str] = {}
    for field, message in fields.items():
        block = field if field in inputs else inputs[0]
        errors[block] = f"{errors[block]} {message}" if block in errors else message
    # Slack shows inline errors as plain text: escapes would show as `&lt;`.
    return {block: unescape(message)[:MAX_INLINE_ERROR] for block, message in errors.items()}


def reply(
    *,
    body: dict[str, Any],
    client: WebClient,
    respond: Callable[..., Any] | None,
    text: str,
    direct: bool = True,
) -> None:
    """An ephemeral answer where Slack gave us a response_url, else (if `direct`) a direct
    message to the sender, when the body names one with a well-formed id."""
    if respond is not None and (body.get("response_url") or body.get("response_urls")):
        respond(text=text, response_type="ephemeral", replace_original=False)
        return
    user = user_of(body)
    if user and direct:
        client.chat_postMessage(channel=user, text=text)


def user_of(body: object) -> str | None:
    """Who sent the request, if the body names a well-formed user id."""
    if not isinstance(body, dict):
        return None
    user = body.get("user")
    value = user.get("id") if isinstance(user, dict) else body.get("user_id")
    return value if is_user_id(value) else None


def team_of(body: object) -> str | None:
    """Which workspace the request came from, if the body names a well-formed one."""
    if not isinstance(body, dict):
        return None
    team = body.get("team")
    value = team.get("id") if isinstance(team, dict) else body.get("team_id")
    return value if is_team_id(value) else None


def describe(body: object) -> str:
    """The request in a few words, for the log (whatever shape it came in)."""
    if not isinstance(body, dict):
        return "request"
    if "command" in body:
        # What the person typed is theirs: the log says only how long it was.
        text = body.get("text")
        typed = len(text) if isinstance(text, str) else 0
        return f"command {_short(body['command'])} ({typed} characters typed)"
    kind = body.get("type", "request")
    if kind in ("view_submission", "view_closed"):
        view = body.get("view")
        return f"{kind} {_short(view.get('callback_id') if isinstance(view, dict) else None)}"
    if kind == "block_actions":
        actions = body.get("actions")
        ids = [
            _short(action.get("action_id"))
            for action in (actions if isinstance(actions, list) else [])
            if isinstance(action, dict)
        ]
        return f"block_actions [{', '.join(ids)}]"
    if kind == "block_suggestion":
        return f"block_suggestion {_short(body.get('action_id'))}"
    return _short(kind)


def _short(value: object) -> str:
    # A value from the request, quoted and cut, so a forged one can't flood the log.
    text = repr(value)
    return text if len(text) <= LOGGED_TEXT_MAX else text[: LOGGED_TEXT_MAX - 1] + "…"
