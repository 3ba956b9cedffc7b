"""Reading what a person entered in a modal, from the `view.state` Slack submits."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

PRIVATE_METADATA_MAX = 3000


class ViewState:
    """The submitted values of a modal, looked up by block id (one input per block)."""

    def __init__(self, view: dict[str, Any]) -> None:
        self._values: dict[str, dict[str, Any]] = view.get("state", {}).get("values", {})

    def _element(self, block_id: str) -> dict[str, Any]:
        actions = self._values.get(block_id) or {}
        return next(iter(actions.values()), {})

    def text(self, block_id: str) -> str:
        """A text input's value, stripped; empty when left blank."""
        return (self._element(block_id).get("value") or "").strip()

    def user(self, block_id: str) -> str | None:
        """The user picked in a users_select."""
        return self._element(block_id).get("selected_user")

    def users(self, block_id: str) -> list[str]:
        """The users picked in a multi_users_select, without repeats."""
        return list(dict.fromkeys(self._element(block_id).get("selected_users") or []))

    def conversation(self, block_id: str) -> str | None:
        """The channel picked in a conversations_select or channels_select."""
        element = self._element(block_id)
        return element.get("selected_conversation") or element.get("selected_channel")

    def option(self, block_id: str) -> str | None:
        """The value of the option picked in a select or radio buttons."""
        selected = self._element(block_id).get("selected_option")
        return selected.get("value") if selected else None

    def options(self, block_id: str) -> list[str]:
        """The values of the options ticked in checkboxes or a multi-select."""
        return [option["value"] for option in self._element(block_id).get("selected_options") or []]

    def time(self, block_id: str) -> str:
        """The time picked in a timepicker, as Slack sends it ("09:00"); empty when none."""
        return self._element(block_id).get("selected_time") or ""

    def date(self, block_id: str) -> date | None:
        """The date picked in a datepicker."""
        picked = self._element(block_id).get("selected_date")
        return date.fromisoformat(picked) if picked else None


def pack_metadata(**values: Any) -> str:
    """Values a modal carries back to us on submit, within Slack's 3,000 characters."""
    packed = json.dumps(values, separators=(",", ":"))
    if len(packed) > PRIVATE_METADATA_MAX:
        raise ValueError(f"private_metadata too long ({len(packed)} characters)")
    return packed


def unpack_metadata(view: dict[str, Any]) -> dict[str, Any]:
    """What `pack_metadata` stored in the view (empty when there is nothing)."""
    raw = view.get("private_metadata") or ""
    try:
        values = json.loads(raw) if raw else {}
    except json.JSONDecodeError:
        return {}
    return values if isinstance(values, dict) else {}
