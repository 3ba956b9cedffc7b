"""Signed requests into the app, shaped the way Slack sends them.

`SlackClient` plays the Slack platform: it sends slash commands, view submissions,
button clicks and option requests as signed HTTP POSTs to /slack/events, then waits
until the app has finished the work it did after acknowledging.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode, urlparse

from tests.slack_api import FakeSlackAPI, Message

APP_ID = "APMO0001"
# Slack's trigger_ids and event_ids are unique across workspaces, so every client shares one.
_unique_ids = itertools.count(1)


@dataclass
class Reply:
    """The app's HTTP answer to one request."""

    status: int
    body: str
    headers: dict[str, str]

    def json(self) -> dict[str, Any]:
        return json.loads(self.body) if self.body else {}


@dataclass(frozen=True)
class Sent:
    """A request as it went over the wire, to send again."""

    path: str
    body: str
    headers: dict[str, str]


def sign(secret: str, body: str, timestamp: int) -> str:
    """Slack's v0 request signature."""
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


class Modal:
    """A modal the app opened, filled in the way a person would, by its labels."""

    def __init__(self, view: dict[str, Any]) -> None:
        self.view = view
        self._entered: dict[str, Any] = {}

    @property
    def title(self) -> str:
        return self.view["title"]["text"]

    @property
    def callback_id(self) -> str:
        return self.view["callback_id"]

    def inputs(self) -> dict[str, dict[str, Any]]:
        """Input blocks by label."""
        return {
            block["label"]["text"]: block
            for block in self.view["blocks"]
            if block["type"] == "input"
        }

    def labels(self) -> list[str]:
        return list(self.inputs())

    def block(self, label: str) -> dict[str, Any]:
        inputs = self.inputs()
        assert label in inputs, f"no input labelled {label!r}; the modal has {list(inputs)}"
        return inputs[label]

    def enter(self, values: dict[str, Any]) -> Modal:
        """Type or pick values by label; None clears a field."""
        for label, value in values.items():
            self.block(label)
            self._entered[label] = value
        return self

    def initial(self, label: str) -> Any:
        """What the field shows before anyone touches it."""
        element = self.block(label)["element"]
        for key in (
            "initial_value",
            "initial_user",
            "initial_users",
            "initial_conversation",
            "initial_channel",
            "initial_date",
            "initial_time",
            "initial_option",
            "initial_options",
        ):
            if key in element:
                value = element[key]
                if key == "initial_option":
                    return value["value"]
                if key == "initial_options":
                    return [option["value"] for option in value]
                return value
        return None

    def options(self, label: str) -> list[str]:
        return [option["value"] for option in _options(self.block(label)["element"])]

    def state(self, *, current_channel: str | None = None, partial: bool = False) -> dict[str, Any]:
        """`view.state.values` as Slack would submit it now (`partial`: mid-edit, not submitted)."""
        values: dict[str, Any] = {}
        for label, block in self.inputs().items():
            element = block["element"]
            if label in self._entered:
                value = self._entered[label]
            else:
                value = self.initial(label)
                if value is None and element.get("default_to_current_conversation"):
                    value = current_channel
            empty = value is None or value == [] or value == ""
            if empty and not block.get("optional") and not partial:
                raise AssertionError(
                    f"Slack would not submit: the required field {label!r} is empty"
                )
            values[block["block_id"]] = {element["action_id"]: _element_state(element, value)}
        return values


def _options(element: dict[str, Any]) -> list[dict[str, Any]]:
    grouped = [o for group in element.get("option_groups", []) for o in group["options"]]
    return list(element.get("options", [])) + grouped


def _option(element: dict[str, Any], value: str) -> dict[str, Any]:
    for option in _options(element):
        if option["value"] == value or option["text"]["text"] == value:
            return option
    if element["type"] in ("external_select", "multi_external_select"):
        return {"text": {"type": "plain_text", "text": str(value)}, "value": str(value)}
    raise AssertionError(f"{value!r} is not an option of {element.get('action_id')}")


def _element_state(element: dict[str, Any], value: Any) -> dict[str, Any]:
    kind = element["type"]
    state: dict[str, Any] = {"type": kind}
    if kind in ("plain_text_input", "number_input", "email_text_input", "url_text_input"):
        state["value"] = None if value is None else str(value)
    elif kind == "users_select":
        state["selected_user"] = value
    elif kind == "multi_users_select":
        state["selected_users"] = list(value or [])
    elif kind == "conversations_select":
        state["selected_conversation"] = value
    elif kind == "channels_select":
        state["selected_channel"] = value
    elif kind == "datepicker":
        state["selected_date"] = value.isoformat() if isinstance(value, date) else value
    elif kind == "timepicker":
        state["selected_time"] = value
    elif kind in ("static_select", "external_select", "radio_buttons"):
        state["selected_option"] = None if value is None else _option(element, value)
    elif kind in ("checkboxes", "multi_static_select", "multi_external_select"):
        state["selected_options"] = [_option(element, v) for v in (value or [])]
    else:
        raise AssertionError(f"the test harness does not know {kind} inputs yet")
    return state


class SlackClient:
    """Sends signed requests to the app as Slack does, on behalf of people in one workspace."""

    def __init__(
        self,
        *,
        app_url: str,
        signing_secret: str,
        api: FakeSlackAPI,
        settle: Callable[[], None],
        team_id: str,
    ) -> None:
        self.app_url = app_url.rstrip("/")
        self.signing_secret = signing_secret
        self.api = api
        self.settle = settle
        self.team_id = team_id
        self.last_sent: Sent | None = None

    # -- transport -----------------------------------------------------------------
    def post(
        self,
        body: str,
        *,
        content_type: str = "application/x-www-form-urlencoded",
        timestamp: int | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
        path: str = "/slack/events",
        settle: bool = True,
    ) -> Reply:
        """POST a raw body, signed unless a signature is given; waits for background work."""
        timestamp = int(time.time()) if timestamp is None else timestamp
        all_headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(timestamp),
            "X-Slack-Signature": signature or sign(self.signing_secret, body, timestamp),
            **(headers or {}),
        }
        self.last_sent = Sent(path, body, all_headers)
        reply = self.raw("POST", path, body, all_headers)
        if settle:
            self.settle()
        return reply

    def replay(self, sent: Sent | None = None, *, settle: bool = True) -> Reply:
        """Send a request again byte for byte, signature and all (the last one by default):
        what anyone who captured it could do within Slack's five minutes."""
        sent = sent or self.last_sent
        assert sent, "nothing was sent yet"
        reply = self.raw("POST", sent.path, sent.body, sent.headers)
        if settle:
            self.settle()
        return reply

    def redeliver(self, retry: int = 1, **kwargs: Any) -> Reply:
        """Slack's retry of the last request: the same body, signed anew a little later,
        with X-Slack-Retry-Num."""
        sent = self.last_sent
        assert sent, "nothing was sent yet"
        later = int(sent.headers["X-Slack-Request-Timestamp"]) + retry
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        return self.post(
            sent.body,
            content_type=sent.headers["Content-Type"],
            timestamp=later,
            headers=headers,
            path=sent.path,
            **kwargs,
        )

    def raw(
        self, method: str, path: str, body: str | None = None, headers: dict[str, str] | None = None
    ) -> Reply:
        parsed = urlparse(self.app_url)
        connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
        try:
            connection.request(
                method, path, body=body.encode() if body else None, headers=headers or {}
            )
            response = connection.getresponse()
            headers = {name.lower(): value for name, value in response.getheaders()}
            return Reply(response.status, response.read().decode(), headers)
        finally:
            connection.close()

    def _trigger(self) -> str:
        return f"{next(_unique_ids)}.{int(time.time())}.trigger"

    def _user(self, user: str) -> dict[str, Any]:
        return {"id": user, "username": user.lower(), "name": user.lower(), "team_id": self.team_id}

    def _team(self) -> dict[str, Any]:
        return {"id": self.team_id, "domain": "pmo-test"}

    def _interactive(self, payload: dict[str, Any], **kwargs: Any) -> Reply:
        return self.post(urlencode({"payload": json.dumps(payload)}), **kwargs)

    # -- what people do ------------------------------------------------------------
    def command(
        self, command: str, text: str = "", *, user: str, channel: str = "CGENERAL", **kwargs: Any
    ) -> Reply:
        """A slash command typed by `user` in `channel`."""
        form = {
            "token": "verification-token-unused",
            "team_id": self.team_id,
            "team_domain": "pmo-test",
            "channel_id": channel,
            "channel_name": channel.lower(),
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": self.api.response_url(),
            "trigger_id": self._trigger(),
        }
        settle = kwargs.pop("settle", True)
        reply = self.post(urlencode(form), settle=False, **kwargs)
        # Slack shows a message the app answers with as it shows one sent to response_url.
        if (
            reply.status == 200
            and reply.body
            and reply.headers.get("content-type", "").startswith("application/json")
        ):
            self.api.answered_in_ack(reply.json())
        if settle:
            self.settle()
        return reply

    def event(self, event: dict[str, Any], *, retry: int | None = None, **kwargs: Any) -> Reply:
        """An Events API delivery (`retry`: Slack's X-Slack-Retry-Num on a redelivery)."""
        body = {
            "token": "verification-token-unused",
            "team_id": self.team_id,
            "api_app_id": APP_ID,
            "event": {"event_ts": f"{time.time():.6f}", **event},
            "type": "event_callback",
            "event_id": f"Ev{next(_unique_ids):08d}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": self.team_id, "user_id": "UBOTPMO01", "is_bot": True}],
        }
        headers = {}
        if retry is not None:
            headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        return self.post(
            json.dumps(body), content_type="application/json", headers=headers, **kwargs
        )

    def last_modal(self) -> Modal:
        """The modal the app opened (or pushed, or updated) most recently."""
        view_id = self.api.last_view_id
        assert view_id, f"the app opened no modal; it called {[c.method for c in self.api.calls]}"
        return Modal(self.api.views[view_id])

    def submit(
        self, modal: Modal, *, user: str, channel: str | None = None, **kwargs: Any
    ) -> Reply:
        """Press the modal's submit button."""
        view = {
            "id": modal.view.get("id", "V0SUBMIT01"),
            "team_id": self.team_id,
            "type": "modal",
            "blocks": modal.view["blocks"],
            "private_metadata": modal.view.get("private_metadata", ""),
            "callback_id": modal.view["callback_id"],
            "state": {"values": modal.state(current_channel=channel)},
            "hash": "156772938.1827394",
            "title": modal.view["title"],
            "clear_on_close": False,
            "notify_on_close": False,
            "close": modal.view.get("close"),
            "submit": modal.view.get("submit"),
            "previous_view_id": None,
            "root_view_id": "V0SUBMIT01",
            "app_id": APP_ID,
            "external_id": "",
            "app_installed_team_id": self.team_id,
            "bot_id": "BPMO0001",
        }
        payload = {
            "type": "view_submission",
            "team": self._team(),
            "user": self._user(user),
            "api_app_id": APP_ID,
            "token": "verification-token-unused",
            "trigger_id": self._trigger(),
            "view": view,
            "response_urls": self._response_urls(modal, view["state"]["values"]),
            "is_enterprise_install": False,
            "enterprise": None,
        }
        return self._interactive(payload, **kwargs)

    def _response_urls(self, modal: Modal, values: dict[str, Any]) -> list[dict[str, Any]]:
        # Slack hands a response_url for each channel picked in a select that asks for one.
        urls = []
        for block in modal.inputs().values():
            element = block["element"]
            if not element.get("response_url_enabled"):
                continue
            picked = values[block["block_id"]][element["action_id"]]
            channel = picked.get("selected_conversation") or picked.get("selected_channel")
            if channel:
                urls.append(
                    {
                        "block_id": block["block_id"],
                        "action_id": element["action_id"],
                        "channel_id": channel,
                        "response_url": self.api.response_url(),
                    }
                )
        return urls

    def click(
        self,
        message: Message,
        action_id: str,
        *,
        user: str,
        value: str | None = None,
        **kwargs: Any,
    ) -> Reply:
        """Click the button `action_id` in a message the app posted."""
        block_id, element = _find_element(message.blocks, action_id, value)
        action = {
            "action_id": action_id,
            "block_id": block_id,
            "text": element.get("text"),
            "value": element.get("value"),
            "type": element["type"],
            "action_ts": f"{time.time():.6f}",
        }
        if element.get("style"):
            action["style"] = element["style"]
        payload = {
            "type": "block_actions",
            "user": self._user(user),
            "api_app_id": APP_ID,
            "token": "verification-token-unused",
            "container": {
                "type": "message",
                "message_ts": message.ts,
                "channel_id": message.channel,
                "is_ephemeral": False,
            },
            "trigger_id": self._trigger(),
            "team": self._team(),
            "enterprise": None,
            "is_enterprise_install": False,
            "channel": {"id": message.channel, "name": message.channel.lower()},
            "message": message.as_slack(),
            "state": {"values": {}},
            "response_url": self.api.response_url(),
            "actions": [action],
        }
        return self._interactive(payload, **kwargs)

    def click_in_blocks(
        self,
        blocks: list[dict[str, Any]],
        action_id: str,
        *,
        user: str,
        channel: str = "CGENERAL",
        **kwargs: Any,
    ) -> Reply:
        """Click a button in an ephemeral reply (blocks only, no stored message)."""
        message = Message(channel=channel, ts=f"{time.time():.6f}", text="", blocks=blocks)
        return self.click(message, action_id, user=user, **kwargs)

    def choose_overflow(
        self, message: Message, action_id: str, option: str, *, user: str, **kwargs: Any
    ) -> Reply:
        """Choose the option valued `option` in the overflow menu `action_id` of a message,
        as Slack sends it: an `overflow` action with its `selected_option`."""
        block_id, element = next(
            (block.get("block_id", ""), element)
            for block in message.blocks
            for element in [*block.get("elements", []), block.get("accessory") or {}]
            if element.get("action_id") == action_id
            and any(o["value"] == option for o in element.get("options", []))
        )
        chosen = next(o for o in element["options"] if o["value"] == option)
        payload = {
            "type": "block_actions",
            "user": self._user(user),
            "api_app_id": APP_ID,
            "token": "verification-token-unused",
            "container": {
                "type": "message",
                "message_ts": message.ts,
                "channel_id": message.channel,
                "is_ephemeral": False,
            },
            "trigger_id": self._trigger(),
            "team": self._team(),
            "enterprise": None,
            "is_enterprise_install": False,
            "channel": {"id": message.channel, "name": message.channel.lower()},
            "message": message.as_slack(),
            "state": {"values": {}},
            "response_url": self.api.response_url(),
            "actions": [
                {
                    "type": "overflow",
                    "action_id": action_id,
                    "block_id": block_id,
                    "selected_option": chosen,
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
        return self._interactive(payload, **kwargs)

    def click_in_home(
        self,
        view: dict[str, Any],
        action_id: str,
        *,
        user: str,
        value: str | None = None,
        **kwargs: Any,
    ) -> Reply:
        """Click a button on the person's App Home tab, as Slack sends it: the container is
        the view, the view rides along, and there is no response_url."""
        block_id, element = _find_element(view["blocks"], action_id, value)
        view_id = view.get("id") or "VHOME0001"
        payload = {
            "type": "block_actions",
            "user": self._user(user),
            "api_app_id": APP_ID,
            "token": "verification-token-unused",
            "container": {"type": "view", "view_id": view_id},
            "trigger_id": self._trigger(),
            "team": self._team(),
            "enterprise": None,
            "is_enterprise_install": False,
            "view": {
                **view,
                "id": view_id,
                "type": "home",
                "hash": view.get("hash") or "h0",
                "state": {"values": {}},
            },
            "actions": [
                {
                    "action_id": action_id,
                    "block_id": block_id,
                    "text": element.get("text"),
                    "value": element.get("value"),
                    "type": element["type"],
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
        return self._interactive(payload, **kwargs)

    def pick(self, modal: Modal, label: str, option: str, *, user: str, **kwargs: Any) -> Reply:
        """Pick an option in a modal's select that dispatches actions (block_actions in a view)."""
        block = modal.block(label)
        element = block["element"]
        modal.enter({label: option})
        view_id = modal.view.get("id") or "V0SUBMIT01"
        payload = {
            "type": "block_actions",
            "user": self._user(user),
            "api_app_id": APP_ID,
            "token": "verification-token-unused",
            "container": {"type": "view", "view_id": view_id},
            "trigger_id": self._trigger(),
            "team": self._team(),
            "enterprise": None,
            "is_enterprise_install": False,
            "view": {
                **modal.view,
                "id": view_id,
                "hash": modal.view.get("hash") or "h0",
                "state": {"values": modal.state(partial=True)},
            },
            "actions": [
                {
                    "type": element["type"],
                    "action_id": element["action_id"],
                    "block_id": block["block_id"],
                    "selected_option": _option(element, option),
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
        return self._interactive(payload, **kwargs)

    def suggest(self, modal: Modal, label: str, typed: str, *, user: str, **kwargs: Any) -> Reply:
        """Type into an external select: Slack asks the app for options (block_suggestion)."""
        block = modal.block(label)
        payload = {
            "type": "block_suggestion",
            "user": self._user(user),
            "container": {"type": "view", "view_id": modal.view.get("id", "V0SUBMIT01")},
            "api_app_id": APP_ID,
            "token": "verification-token-unused",
            "action_id": block["element"]["action_id"],
            "block_id": block["block_id"],
            "value": typed,
            "team": self._team(),
            "enterprise": None,
            "is_enterprise_install": False,
            "view": {**modal.view, "state": {"values": modal.state(partial=True)}},
        }
        return self._interactive(payload, **kwargs)


def _find_element(
    blocks: list[dict[str, Any]], action_id: str, value: str | None
) -> tuple[str, dict[str, Any]]:
    for block in blocks:
        elements = list(block.get("elements") or [])
        if block.get("accessory"):
            elements.append(block["accessory"])
        for element in elements:
            if element.get("action_id") == action_id and (
                value is None or element.get("value") == value
            ):
                return block.get("block_id", ""), element
    raise AssertionError(f"no element {action_id!r} in the message")
