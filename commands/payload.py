"""Reading what Slack sent: every part a listener uses, checked in one place.

Slack signs what it sends, but a signed request can still be one Slack never made (a
leaked secret, a replay tool, a client bug). Each reader here returns the value a listener
needs, of the shape Slack gives it, or raises BadPayload: a PmoError saying what is wrong,
which the one error handler (bot/errors.py) answers like any other refusal, with no
apology and no error id. Form values are read by commands/view_state.py, with these
checks, and refused inline on their own field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from datetime import date
from typing import Any
from urllib.parse import parse_qsl

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from commands.mrkdwn import is_channel_id, is_team_id, is_user_id, quoted
from workflows.actor import Actor
from workflows.errors import PmoError

# Ids in our buttons are database ids: PostgreSQL's integer, from 1.
ID_MAX = 2**31 - 1
# ASCII digits only: int() also reads Arabic-Indic and other digits.
_DIGITS = re.compile(r"[0-9]{1,10}")
_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,9}")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class BadPayload(PmoError):
    """The request is not one Slack would send; the message says what is wrong with it."""


# -- who and where ----------------------------------------------------------------------
def team_id(body: dict[str, Any]) -> str:
    """The workspace the request came from (`team.id`, or `team_id` in a command)."""
    team = body.get("team")
    value = team.get("id") if isinstance(team, dict) else body.get("team_id")
    if not is_team_id(value):
        raise BadPayload("This request names no Slack workspace, so pmo-bot can't act on it.")
    return value


def user_id(body: dict[str, Any]) -> str:
    """The person who sent the request (`user.id`, or `user_id` in a command)."""
    user = body.get("user")
    value = user.get("id") if isinstance(user, dict) else body.get("user_id")
    if not is_user_id(value):
        raise BadPayload("This request names no Slack user, so pmo-bot can't act on it.")
    return value


def sender(body: dict[str, Any]) -> Actor:
    """Who clicked or submitted, and in which workspace."""
    return Actor(team_id=team_id(body), user_id=user_id(body))


def command_sender(command: dict[str, Any]) -> Actor:
    """Who typed the slash command, in which workspace and channel."""
    channel = command.get("channel_id")
    if not is_channel_id(channel):
        raise BadPayload("This command names no Slack channel, so pmo-bot can't act on it.")
    return Actor(team_id=team_id(command), user_id=user_id(command), channel_id=channel)


def event_user(event: dict[str, Any]) -> str:
    """The person an Events API event is about (`event.user`)."""
    value = event.get("user")
    if not is_user_id(value):
        raise BadPayload("This event names no Slack user.")
    return value


# -- what they sent -----------------------------------------------------------------------
def command_text(command: dict[str, Any]) -> str:
    """What was typed after the slash command (empty when nothing was)."""
    text = command.get("text", "")
    if not isinstance(text, str):
        raise BadPayload("This command's text is not text.")
    return text


def trigger_id(body: dict[str, Any]) -> str:
    """The trigger a form is opened with."""
    value = body.get("trigger_id")
    if not isinstance(value, str) or not value:
        raise BadPayload("This request carries no trigger, so no form can open.")
    return value


def action(body: dict[str, Any]) -> dict[str, Any]:
    """The button or menu that was used (Slack sends one per click)."""
    actions = body.get("actions")
    if not isinstance(actions, list) or not actions or not isinstance(actions[0], dict):
        raise BadPayload("This request names no button or menu.")
    return actions[0]


def action_id(body: dict[str, Any]) -> str:
    """Which button or menu was used."""
    value = action(body).get("action_id")
    if not isinstance(value, str):
        raise BadPayload("This request names no button or menu.")
    return value


def button_value(body: dict[str, Any]) -> str:
    """The value a button carries (a project key, for the buttons that carry one)."""
    value = action(body).get("value")
    if not isinstance(value, str) or not value:
        raise BadPayload("That button carries no value.")
    return value


def button_id(body: dict[str, Any], what: str) -> int:
    """The id of the `what` (a risk, a gate) the button points at."""
    value = record_id(action(body).get("value"))
    if value is None:
        raise BadPayload(f"That button does not point at any {what}.")
    return value


def record_id(value: object) -> int | None:
    """`value` (ASCII digits, or a JSON number from a form's metadata) as a database id
    from 1 to 2,147,483,647; else None."""
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        number = int(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        return None
    return number if 1 <= number <= ID_MAX else None


def picked_option(body: dict[str, Any]) -> str:
    """The value of the option picked in a menu that sends an action when used."""
    picked = action(body).get("selected_option")
    value = picked.get("value") if isinstance(picked, dict) else None
    if not isinstance(value, str) or not value:
        raise BadPayload("Nothing was picked in that menu.")
    return value


def typed(body: dict[str, Any]) -> str:
    """What was typed into a searchable menu (an options request)."""
    value = body.get("value", "")
    return value if isinstance(value, str) else ""


def view(body: dict[str, Any]) -> dict[str, Any]:
    """The modal the request came from."""
    value = body.get("view")
    if not isinstance(value, dict):
        raise BadPayload("This request names no form.")
    return value


def from_home(body: dict[str, Any]) -> bool:
    """True when the click came from the person's App Home tab (not a message)."""
    container = body.get("container")
    return (
        isinstance(container, dict)
        and container.get("type") == "view"
        and (isinstance(body.get("view"), dict) and body["view"].get("type") == "home")
    )


def view_version(body: dict[str, Any]) -> tuple[str, str]:
    """The modal's id and hash, to update it only if nobody else did meanwhile."""
    modal = view(body)
    view_id, version = modal.get("id"), modal.get("hash")
    if not isinstance(view_id, str) or not isinstance(version, str):
        raise BadPayload("This request names no form.")
    return view_id, version


# -- values in forms -----------------------------------------------------------------------
def selected_date(value: object) -> date | None:
    """A datepicker's `selected_date` (YYYY-MM-DD, a day that exists), or None if empty."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    shown = quoted(value) if isinstance(value, str) else "That"
    raise BadPayload(f"{shown} is not a date; pick one in the calendar.")


def selected_option(value: object, offered: Collection[str] | None) -> str | None:
    """The value of the option picked, if it is one of those `offered` (None: the caller's
    rule checks it, as for a project or a time zone searched for); None if none is."""
    if value is None:
        return None
    if not isinstance(value, str) or (offered is not None and value not in offered):
        raise BadPayload("That is not one of the options offered; pick one from the list.")
    return value


def whole_number(text: str) -> int:
    """A whole number as typed: an optional minus and ASCII digits; ValueError otherwise."""
    if not _WHOLE_NUMBER.fullmatch(text):
        raise ValueError(f"{text!r} is not a whole number")
    return int(text)


def checked_user(value: object) -> str:
    """A user id picked in a form, if it has the shape of one."""
    if not is_user_id(value):
        shown = quoted(value) if isinstance(value, str) else "That"
        raise BadPayload(f"{shown} is not a Slack user; pick people from the list.")
    return value


def checked_channel(value: object) -> str:
    """A conversation id picked in a form, if it has the shape of one."""
    if not is_channel_id(value):
        shown = quoted(value) if isinstance(value, str) else "That"
        raise BadPayload(f"{shown} is not a Slack channel; pick one from the list.")
    return value


# -- the request as a whole ----------------------------------------------------------------
class _Envelope(BaseModel):
    # The parts Bolt itself reads before any listener runs, in the types it expects.
    model_config = ConfigDict(extra="allow", strict=True)

    type: str | None = None
    user: dict[str, Any] | str | None = None
    team: dict[str, Any] | str | None = None
    channel: dict[str, Any] | str | None = None
    enterprise: dict[str, Any] | str | None = None
    view: dict[str, Any] | None = None
    event: dict[str, Any] | None = None
    message: dict[str, Any] | None = None
    actions: list[dict[str, Any]] | None = Field(default=None, min_length=1)
    response_urls: list[dict[str, Any]] | None = None
    authorizations: list[dict[str, Any]] | None = None


def unreadable(raw_body: str, content_type: str | None) -> str | None:
    """Why Bolt could not read this request body, or None when it can.

    Read the way Bolt reads it (JSON, a form with a JSON `payload`, or a plain form), so
    the HTTP layer can answer 400 instead of letting Bolt fail with a 500 and a traceback.
    """
    media_type = (content_type or "").split(";")[0].strip()
    try:
        if media_type == "application/json" or raw_body.startswith("{"):
            body = json.loads(raw_body) if raw_body else {}
        elif "payload" in raw_body:
            payload = dict(parse_qsl(raw_body, keep_blank_values=True)).get("payload")
            body = json.loads(payload) if payload is not None else {}
        else:
            return None  # a plain form: a slash command
    except ValueError:
        return "The request's payload is not JSON."
    if not isinstance(body, dict):
        return "The request's payload is not a JSON object."
    try:
        _Envelope.model_validate(body)
    except ValidationError as exc:
        where = ".".join(str(part) for part in exc.errors()[0]["loc"][:1])
        return f"The request's payload has a malformed `{where}`."
    return None
