"""Reading what a person entered in a modal, from the `view.state` Slack submits.

Each value is checked for the shape Slack gives it (commands/payload.py); one that
Slack's own form could not have sent is refused inline on its field, as InvalidInput.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from datetime import date
from typing import Any

from commands import payload
from commands.payload import BadPayload
from workflows.errors import InvalidInput

PRIVATE_METADATA_MAX = 3000


class ViewState:
    """The submitted values of a modal, looked up by block id (one input per block)."""

    def __init__(self, view: dict[str, Any]) -> None:
        state = view.get("state") if isinstance(view, dict) else None
        values = state.get("values") if isinstance(state, dict) else None
        self._values: dict[str, Any] = values if isinstance(values, dict) else {}

    def _element(self, block_id: str) -> dict[str, Any]:
        actions = self._values.get(block_id)
        element = next(iter(actions.values()), {}) if isinstance(actions, dict) else {}
        return element if isinstance(element, dict) else {}

    def _get(self, block_id: str, key: str, kind: type | tuple[type, ...]) -> Any:
        value = self._element(block_id).get(key)
        if value is not None and not isinstance(value, kind):
            raise InvalidInput({block_id: "This field's value could not be read."})
        return value

    def text(self, block_id: str) -> str:
        """A text input's value, stripped; empty when left blank."""
        return (self._get(block_id, "value", str) or "").strip()

    def user(self, block_id: str) -> str | None:
        """The user picked in a users_select."""
        picked = self._get(block_id, "selected_user", str)
        return self._checked(block_id, payload.checked_user, picked) if picked else None

    def users(self, block_id: str) -> list[str]:
        """The users picked in a multi_users_select, without repeats."""
        picked = self._get(block_id, "selected_users", list) or []
        return list(dict.fromkeys(self._checked(block_id, payload.checked_user, u) for u in picked))

    def conversation(self, block_id: str) -> str | None:
        """The channel picked in a conversations_select or channels_select."""
        picked = self._get(block_id, "selected_conversation", str) or self._get(
            block_id, "selected_channel", str
        )
        return self._checked(block_id, payload.checked_channel, picked) if picked else None

    def option(self, block_id: str, offered: Collection[str] | None) -> str | None:
        """The value of the option picked in a select or radio buttons, if it was offered
        (`offered` None: the caller's rule checks it, as for a project searched for)."""
        picked = self._get(block_id, "selected_option", dict)
        value = picked.get("value") if picked else None
        return self._checked(block_id, payload.selected_option, value, offered)

    def options(self, block_id: str, offered: Collection[str] | None) -> list[str]:
        """The values of the options ticked in checkboxes or a multi-select, if offered."""
        ticked = self._get(block_id, "selected_options", list) or []
        values = [option.get("value") if isinstance(option, dict) else option for option in ticked]
        return [
            self._checked(block_id, payload.selected_option, value, offered)
            for value in values
            if value is not None
        ]

    def time(self, block_id: str) -> str:
        """The time picked in a timepicker, as Slack sends it ("09:00"); empty when none."""
        return self._get(block_id, "selected_time", str) or ""

    def date(self, block_id: str) -> date | None:
        """The date picked in a datepicker."""
        picked = self._element(block_id).get("selected_date")
        return self._checked(block_id, payload.selected_date, picked)

    @staticmethod
    def _checked(block_id: str, reader: Callable[..., Any], *args: Any) -> Any:
        # The reader's refusal, shown on the field it is about.
        try:
            return reader(*args)
        except BadPayload as exc:
            raise InvalidInput({block_id: str(exc)}) from None


def pack_metadata(**values: Any) -> str:
    """Values a modal carries back to us on submit, within Slack's 3,000 characters."""
    packed = json.dumps(values, separators=(",", ":"))
    if len(packed) > PRIVATE_METADATA_MAX:
        raise ValueError(f"private_metadata too long ({len(packed)} characters)")
    return packed


def metadata_text(view: dict[str, Any], name: str) -> str | None:
    """A text `pack_metadata` stored in the view, such as a project key (None if absent)."""
    value = unpack_metadata(view).get(name)
    return value if isinstance(value, str) and value else None


def metadata_id(view: dict[str, Any], name: str) -> int | None:
    """A database id `pack_metadata` stored in the view, such as a risk's (None if absent)."""
    return payload.record_id(unpack_metadata(view).get(name))


def unpack_metadata(view: dict[str, Any]) -> dict[str, Any]:
    """What `pack_metadata` stored in the view (empty when there is nothing)."""
    raw = view.get("private_metadata") if isinstance(view, dict) else None
    if not isinstance(raw, str) or not raw:
        return {}
    try:
        values = json.loads(raw)
    except json.JSONDecodeError:
        return {}
    return values if isinstance(values, dict) else {}
