"""Requests Slack would never send, signed all the same: what a leaked signing secret or a
buggy client could make. Built on tests/slack_requests.py's well-formed ones."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode

from tests.slack_api import FakeSlackAPI, Message
from tests.slack_requests import APP_ID, Modal, Reply, SlackClient

# Slack's broadcasts and a mention smuggled inside a malformed id.
PINGS = re.compile(r"<!(channel|here|everyone)|<@[^>]*<", re.IGNORECASE)


class ForgedModal(Modal):
    """A modal whose submission carries `forged` element states, by label, as given."""

    def __init__(self, modal: Modal, forged: dict[str, dict[str, Any]]) -> None:
        super().__init__(modal.view)
        self._entered = dict(modal._entered)
        self.forged = forged

    def state(self, *, current_channel: str | None = None, partial: bool = False) -> dict[str, Any]:
        # Forged fields stand in for required ones the base would find empty.
        values = super().state(current_channel=current_channel, partial=True)
        for label, element_state in self.forged.items():
            block = self.block(label)
            element = block["element"]
            values[block["block_id"]] = {
                element["action_id"]: {"type": element["type"], **element_state}
            }
        return values


def forge(modal: Modal, **forged_by_label: dict[str, Any]) -> ForgedModal:
    """`forge(modal, Probability={"selected_option": {...}})`; labels with spaces via **{}."""
    return ForgedModal(modal, forged_by_label)


def option(value: Any) -> dict[str, Any]:
    """A select's `selected_option` with any value at all."""
    return {"selected_option": {"text": {"type": "plain_text", "text": "x"}, "value": value}}


def with_button_value(message: Message, action_id: str, value: Any) -> Message:
    """A copy of the message whose button `action_id` carries `value` instead."""
    forged = copy.deepcopy(message)
    for block in forged.blocks:
        elements = list(block.get("elements") or [])
        if block.get("accessory"):
            elements.append(block["accessory"])
        for element in elements:
            if element.get("action_id") == action_id:
                element["value"] = value
    return forged


@contextmanager
def tampering(slack: SlackClient, *tampers: Callable[[dict[str, Any]], None]) -> Iterator[None]:
    """Within the block, every interactive payload the client sends (a submission, a
    click) is first changed by each of `tampers`, then signed and sent as usual."""
    send = slack._interactive

    def tampered(payload: dict[str, Any], **kwargs: Any) -> Reply:
        for tamper in tampers:
            tamper(payload)
        return send(payload, **kwargs)

    slack._interactive = tampered  # type: ignore[method-assign]
    try:
        yield
    finally:
        del slack._interactive


def without(*path: str) -> Callable[[dict[str, Any]], None]:
    """A tamper that removes the field at `path` (e.g. "view", "app_installed_team_id")."""

    def tamper(payload: dict[str, Any]) -> None:
        *parents, last = path
        for name in parents:
            payload = payload[name]
        payload.pop(last, None)

    return tamper


def post_payload(slack: SlackClient, payload: Any, **kwargs: Any) -> Reply:
    """An interactive request whose `payload=` is exactly `payload` (JSON-encoded)."""
    return slack.post(urlencode({"payload": json.dumps(payload)}), **kwargs)


def button_click(
    slack: SlackClient, action_id: str, value: str, *, drop: str | None = None, channel: str = "C1"
) -> dict[str, Any]:
    """A block_actions payload for a button in `channel`, without the field `drop`."""
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": "UMEMBER01", "team_id": slack.team_id},
        "api_app_id": APP_ID,
        "team": {"id": slack.team_id, "domain": "pmo-test"},
        "container": {"type": "message", "channel_id": channel, "message_ts": "1.000001"},
        "channel": {"id": channel},
        "trigger_id": "forged.trigger",
        "response_url": slack.api.response_url(),
        "actions": [{"action_id": action_id, "block_id": "b", "type": "button", "value": value}],
    }
    if drop:
        payload.pop(drop)
    return payload


def sent_to_slack(api: FakeSlackAPI) -> str:
    """Everything the app sent Slack (Web API calls and response_url answers), as text."""
    return "\n".join(json.dumps(call.args, ensure_ascii=False) for call in api.calls)


def pings_in(api: FakeSlackAPI) -> list[str]:
    """Every broadcast or smuggled mention in what the app sent Slack."""
    return [match.group(0) for match in PINGS.finditer(sent_to_slack(api))]
