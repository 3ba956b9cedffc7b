"""A local Slack Web API: real HTTP on loopback, recording every call, answering like Slack.

Tests point SLACK_API_URL at it. It also serves `response_url`s, keeps the messages the
app posted (so tests can click their buttons) and the files it shared (bytes and all,
through the three steps of files_upload_v2), and fails on demand: HTTP 429 with
Retry-After, 5xx, an `ok: false` error, or an odd answer (`ok: true` missing a field), for
the next N calls of a method. It can also be slow, to keep the app's work in flight.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlparse

from bot.manifest import BOT_SCOPES

BOT_USER = "UBOTPMO01"
JSON_FIELDS = {"blocks", "view", "attachments", "metadata", "users", "channels", "files"}
# The pseudo-method of the POST of a file's bytes to its upload URL (failures, delays).
UPLOAD = "upload_url"


@dataclass
class Call:
    """One request the app made: the API method and its arguments."""

    method: str
    args: dict[str, Any]
    token: str | None
    # When it arrived (time.monotonic(), one clock for every process of the machine).
    at: float = field(default_factory=time.monotonic)

    def __getitem__(self, name: str) -> Any:
        return self.args[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self.args.get(name, default)


@dataclass
class Failure:
    status: int
    error: str | None
    retry_after: int | None
    times: int
    body: dict[str, Any] | None = None


@dataclass
class Hold:
    """Calls kept waiting (FakeSlackAPI.hold): `arrived` once one is, `release()` lets them go."""

    arrived: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)

    def release(self) -> None:
        self.released.set()


@dataclass
class Message:
    """A message as Slack keeps it in a channel."""

    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]]
    thread_ts: str | None = None
    metadata: dict[str, Any] | None = None
    user: str = BOT_USER
    edits: list[dict[str, Any]] = field(default_factory=list)

    def as_slack(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": "message",
            "user": self.user,
            "ts": self.ts,
            "text": self.text,
            "blocks": self.blocks,
        }
        if self.thread_ts:
            body["thread_ts"] = self.thread_ts
        if self.metadata:
            body["metadata"] = self.metadata
        return body

    def all_text(self) -> str:
        """The text and every string inside the blocks, for assertions on what people see."""
        return self.text + "\n" + "\n".join(_strings(self.blocks))


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for key, v in value.items() if key not in ("type",) for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


@dataclass
class SharedFile:
    """A file the app uploaded and shared (files.completeUploadExternal), as Slack keeps it:
    a message in the conversation (in a thread when `thread_ts`) carrying the file."""

    id: str
    channel: str
    ts: str
    name: str
    title: str
    alt_txt: str | None
    data: bytes
    thread_ts: str | None = None
    initial_comment: str | None = None
    user: str = BOT_USER

    def as_slack(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": "message",
            "user": self.user,
            "ts": self.ts,
            "text": self.initial_comment or "",
            "upload": True,
            "files": [
                {
                    "id": self.id,
                    "name": self.name,
                    "title": self.title,
                    "mimetype": "image/png" if self.name.endswith(".png") else "text/plain",
                    "size": len(self.data),
                    "alt_txt": self.alt_txt,
                }
            ],
        }
        if self.thread_ts:
            body["thread_ts"] = self.thread_ts
        return body


@dataclass
class SlackUser:
    id: str
    name: str
    tz: str = "Europe/London"
    tz_offset: int = 0
    is_bot: bool = False
    is_admin: bool = False
    is_owner: bool = False
    # Someone of another workspace (a Slack Connect guest), or who has left.
    team_id: str | None = None
    deleted: bool = False


class FakeSlackAPI:
    """The Slack Web API and response_url endpoints, in a thread of the test process."""

    def __init__(
        self, team_id: str = "T0PMO0001", clock: Callable[[], datetime] | None = None
    ) -> None:
        self.team_id = team_id
        # Slack stamps messages with its own now; in tests that is the test's clock.
        self.clock = clock or (lambda: datetime.now(UTC))
        self.calls: list[Call] = []
        self.responses: list[dict[str, Any]] = []
        self.messages: dict[str, list[Message]] = defaultdict(list)
        self.users: dict[str, SlackUser] = {}
        self.views: dict[str, dict[str, Any]] = {}
        self.installed_tokens: list[str] = []
        # The scopes the token was granted: Slack names them in every answer's
        # x-oauth-scopes header.
        self.scopes: list[str] = list(BOT_SCOPES)
        # Channels conversations.info knows: their name, privacy and the bot's membership.
        self.channels: dict[str, dict[str, Any]] = {}
        # Files asked for with files.getUploadURLExternal: their name, length, alt text and,
        # once POSTed to the upload URL, their bytes.
        self.pending_files: dict[str, dict[str, Any]] = {}
        self.shared: list[SharedFile] = []
        self.last_view_id: str | None = None
        # Socket Mode: a fresh URL of the local server (tests/slack_socket.py) for each call.
        self.socket_mode_url: Callable[[], str] | None = None
        self._failures: dict[str, deque[Failure]] = defaultdict(deque)
        self._delays: dict[str, float] = {}
        self._holds: dict[tuple[str, str], Hold] = {}
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self._lock = threading.RLock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # -- lifecycle -------------------------------------------------------------------
    def start(self) -> FakeSlackAPI:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def url(self) -> str:
        """What SLACK_API_URL should be."""
        return f"{self.base}/api/"

    def response_url(self) -> str:
        """A fresh response_url, as Slack puts in commands and actions."""
        return f"{self.base}/response/{next(self._ids)}"

    # -- test controls ----------------------------------------------------------------
    def fail(
        self,
        method: str,
        *,
        status: int = 200,
        error: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next `times` calls to `method` fail: a status (429, 503...) or an error.
        UPLOAD (the POST of a file's bytes) fails with HTTP 500 unless given another status."""
        if status == 429 and retry_after is None:
            retry_after = 0
        with self._lock:
            self._failures[method].append(Failure(status, error, retry_after, times))

    def answer(self, method: str, body: dict[str, Any], *, times: int = 1) -> None:
        """Answer the next `times` calls to `method` with `body` as it is (e.g. `ok: true`
        without a `ts`), storing nothing."""
        with self._lock:
            self._failures[method].append(Failure(200, None, None, times, body))

    def hold(self, method: str, channel: str) -> Hold:
        """Keep every call to `method` for `channel` waiting until the test releases it."""
        self._holds[(method, channel)] = Hold()
        return self._holds[(method, channel)]

    def slow(self, method: str, seconds: float) -> None:
        """Answer every call to `method` (or "response_url", or UPLOAD) only after `seconds`."""
        self._delays[method] = seconds

    def add_user(
        self,
        user_id: str,
        name: str,
        tz: str = "Europe/London",
        tz_offset: int = 0,
        *,
        is_admin: bool = False,
        is_owner: bool = False,
        is_bot: bool = False,
        team_id: str | None = None,
        deleted: bool = False,
    ) -> None:
        """A person in the workspace; `is_admin`/`is_owner` make them a workspace admin/owner;
        `team_id` puts them in another workspace; `deleted`: they left."""
        self.users[user_id] = SlackUser(
            user_id,
            name,
            tz,
            tz_offset,
            is_bot=is_bot,
            is_admin=is_admin or is_owner,
            is_owner=is_owner,
            team_id=team_id,
            deleted=deleted,
        )

    def add_channel(
        self, channel_id: str, name: str, *, is_member: bool = True, is_private: bool = False
    ) -> None:
        """A channel of the workspace; `is_member`: the bot is in it. A private channel
        without the bot is invisible to it, as in Slack."""
        self.channels[channel_id] = {
            "id": channel_id,
            "name": name,
            "is_channel": not is_private,
            "is_private": is_private,
            "is_archived": False,
            "is_member": is_member,
        }

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [call for call in self.calls if call.method == method]

    def last(self, method: str) -> Call:
        calls = self.calls_to(method)
        assert calls, f"the app never called {method}; it called {[c.method for c in self.calls]}"
        return calls[-1]

    def posts(self, channel: str | None = None) -> list[Message]:
        """Messages the app posted (top level and replies), oldest first."""
        with self._lock:
            channels = [channel] if channel else list(self.messages)
            return [m for c in channels for m in self.messages.get(c, [])]

    def files(self, channel: str | None = None) -> list[SharedFile]:
        """Files the app shared (in `channel` when given), oldest first."""
        with self._lock:
            return [f for f in self.shared if channel is None or f.channel == channel]

    def replies(self, channel: str, thread_ts: str) -> list[Message]:
        return [m for m in self.posts(channel) if m.thread_ts == thread_ts]

    def dm_channel(self, user_id: str) -> str:
        return "D" + user_id[1:]

    def dms(self, user_id: str) -> list[Message]:
        return self.posts(self.dm_channel(user_id))

    def ephemeral_replies(self) -> list[dict[str, Any]]:
        """What the app said through response_url (ephemeral unless it said otherwise)."""
        with self._lock:
            return list(self.responses)

    def last_reply(self) -> dict[str, Any]:
        replies = self.ephemeral_replies()
        assert replies, "the app sent nothing to the response_url"
        return replies[-1]

    def reset_calls(self) -> None:
        with self._lock:
            self.calls.clear()
            self.responses.clear()

    # -- answering ----------------------------------------------------------------------
    def _answer(
        self, method: str, args: dict[str, Any], token: str | None
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        with self._lock:
            self.calls.append(Call(method, args, token))
            failure = self._take_failure(method)
            if failure is not None:
                headers = {}
                if failure.retry_after is not None:
                    headers["Retry-After"] = str(failure.retry_after)
                if failure.body is not None:
                    return 200, failure.body, headers
                if failure.status != 200:
                    error = failure.error or (
                        "ratelimited" if failure.status == 429 else "fatal_error"
                    )
                    return failure.status, {"ok": False, "error": error}, headers
                return 200, {"ok": False, "error": failure.error or "fatal_error"}, headers
            handler = getattr(self, "_api_" + method.replace(".", "_"), None)
            if handler is None:
                return 200, {"ok": False, "error": "unknown_method"}, {}
            return 200, handler(args), {"x-oauth-scopes": ",".join(self.scopes)}

    def _take_failure(self, method: str) -> Failure | None:
        # The failure planned for this call of `method`, if any (under the lock).
        queue = self._failures.get(method)
        if not queue:
            return None
        failure = queue[0]
        failure.times -= 1
        if failure.times <= 0:
            queue.popleft()
        return failure

    def _next_ts(self) -> str:
        # Unique and increasing like Slack's, at the clock's second.
        return f"{int(self.clock().timestamp())}.{next(self._ts):06d}"

    def _api_auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://pmo-test.slack.com/",
            "team": "PMO Test",
            "user": "pmo-bot",
            "team_id": self.team_id,
            "user_id": BOT_USER,
            "bot_id": "BPMO0001",
        }

    def _channel_for(self, channel: str) -> str:
        # Posting to a user id lands in the DM with that user.
        return self.dm_channel(channel) if channel.startswith(("U", "W")) else channel

    def _api_chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("text") and not args.get("blocks"):
            return {"ok": False, "error": "no_text"}
        if len(args.get("blocks") or []) > 50:
            return {"ok": False, "error": "invalid_blocks"}
        channel = self._channel_for(args["channel"])
        message = Message(
            channel=channel,
            ts=self._next_ts(),
            text=args.get("text", ""),
            blocks=args.get("blocks") or [],
            thread_ts=args.get("thread_ts"),
            metadata=args.get("metadata"),
        )
        self.messages[channel].append(message)
        return {"ok": True, "channel": channel, "ts": message.ts, "message": message.as_slack()}

    def _api_chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        for message in self.messages.get(args["channel"], []):
            if message.ts == args["ts"]:
                message.edits.append({"text": message.text, "blocks": message.blocks})
                message.text = args.get("text", message.text)
                if "blocks" in args:
                    message.blocks = args["blocks"]
                return {
                    "ok": True,
                    "channel": args["channel"],
                    "ts": args["ts"],
                    "text": message.text,
                }
        return {"ok": False, "error": "message_not_found"}

    def _api_chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "message_ts": self._next_ts()}

    def _api_chat_getPermalink(self, args: dict[str, Any]) -> dict[str, Any]:
        ts = args["message_ts"].replace(".", "")
        return {
            "ok": True,
            "channel": args["channel"],
            "permalink": f"https://pmo-test.slack.com/archives/{args['channel']}/p{ts}",
        }

    def _api_conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        users = args["users"]
        user = users[0] if isinstance(users, list) else users.split(",")[0]
        return {"ok": True, "channel": {"id": self.dm_channel(user)}}

    def _conversation(self, channel: str) -> list[Message | SharedFile]:
        # A conversation's messages and shared files, oldest first.
        found: list[Message | SharedFile] = [*self.messages.get(channel, [])]
        found += [f for f in self.shared if f.channel == channel]
        return sorted(found, key=lambda m: float(m.ts))

    def _api_conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        oldest = float(args.get("oldest") or 0)
        found = [
            m.as_slack()
            for m in reversed(self._conversation(args["channel"]))
            if m.thread_ts is None and float(m.ts) > oldest
        ]
        return {"ok": True, "messages": found, "has_more": False}

    def _api_conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        found = [
            m.as_slack() for m in self._conversation(args["channel"]) if m.thread_ts == args["ts"]
        ]
        return {"ok": True, "messages": found, "has_more": False}

    def _api_files_getUploadURLExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("filename") or not str(args.get("length") or "").isdigit():
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F{next(self._ids):08d}"
        self.pending_files[file_id] = {
            "name": args["filename"],
            "length": int(args["length"]),
            "alt_txt": args.get("alt_txt"),
            "data": None,
        }
        return {"ok": True, "upload_url": f"{self.base}/upload/v1/{file_id}", "file_id": file_id}

    def _receive_upload(self, file_id: str, data: bytes) -> tuple[int, str]:
        # The POST of a file's bytes to the URL files.getUploadURLExternal gave.
        with self._lock:
            self.calls.append(Call(UPLOAD, {"file_id": file_id, "length": len(data)}, None))
            failure = self._take_failure(UPLOAD)
            if failure is not None:
                return (failure.status if failure.status >= 400 else 500), "upload failed"
            pending = self.pending_files.get(file_id)
            if pending is None:
                return 404, "not found"
            pending["data"] = data
            return 200, f"OK - {len(data)}"

    def _api_files_completeUploadExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        files = args.get("files")
        if not isinstance(files, list) or not files:
            return {"ok": False, "error": "invalid_arguments"}
        channel = args.get("channel_id")
        if channel and channel.startswith(("U", "W")):
            return {"ok": False, "error": "channel_not_found"}  # a conversation id, not a user
        for item in files:
            pending = self.pending_files.get(item.get("id"))
            if pending is None or pending["data"] is None:
                return {"ok": False, "error": "file_not_found"}
            if len(pending["data"]) != pending["length"]:
                return {"ok": False, "error": "file_upload_size_mismatch"}
        answered = []
        for item in files:
            pending = self.pending_files.pop(item["id"])
            title = item.get("title") or pending["name"]
            if channel:
                self.shared.append(
                    SharedFile(
                        id=item["id"],
                        channel=channel,
                        ts=self._next_ts(),
                        name=pending["name"],
                        title=title,
                        alt_txt=pending["alt_txt"],
                        data=pending["data"],
                        thread_ts=args.get("thread_ts"),
                        initial_comment=args.get("initial_comment"),
                    )
                )
            answered.append({"id": item["id"], "title": title})
        return {"ok": True, "files": answered}

    def _api_conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self.channels.get(args.get("channel", ""))
        if channel is None or (channel["is_private"] and not channel["is_member"]):
            return {"ok": False, "error": "channel_not_found"}
        return {"ok": True, "channel": dict(channel)}

    def _api_users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(args["user"])
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        return {
            "ok": True,
            "user": {
                "id": user.id,
                "team_id": user.team_id or self.team_id,
                "deleted": user.deleted,
                "name": user.name.lower().replace(" ", "."),
                "real_name": user.name,
                "tz": user.tz,
                "tz_offset": user.tz_offset,
                "is_bot": user.is_bot,
                "is_admin": user.is_admin,
                "is_owner": user.is_owner,
                "is_primary_owner": False,
                "profile": {"real_name": user.name, "display_name": user.name.split()[0]},
            },
        }

    def _api_team_info(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "team": {"id": self.team_id, "name": "PMO Test", "domain": "pmo-test"}}

    def _open_view(self, args: dict[str, Any], previous: str | None = None) -> dict[str, Any]:
        view = dict(args["view"])
        view_id = previous or f"V{next(self._ids):08d}"
        view.update(
            {
                "id": view_id,
                "team_id": self.team_id,
                "state": {"values": {}},
                "hash": f"h{next(self._ids)}",
                "root_view_id": view_id,
                "app_id": "APMO0001",
                "bot_id": "BPMO0001",
            }
        )
        self.views[view_id] = view
        self.last_view_id = view_id
        return {"ok": True, "view": view}

    def _api_views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("trigger_id"):
            return {"ok": False, "error": "invalid_trigger_id"}
        return self._open_view(args)

    def _api_views_push(self, args: dict[str, Any]) -> dict[str, Any]:
        return self._open_view(args)

    def _api_views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        view_id = args.get("view_id")
        if view_id not in self.views:
            return {"ok": False, "error": "not_found"}
        return self._open_view(args, previous=view_id)

    def _api_views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        home = f"home-{args['user_id']}"
        self.views[home] = {**args["view"], "id": home}
        return {"ok": True, "view": self.views[home]}

    def _api_oauth_v2_access(self, args: dict[str, Any]) -> dict[str, Any]:
        if args.get("code") != "good-code":
            return {"ok": False, "error": "invalid_code"}
        self.installed_tokens.append(f"xoxb-installed-{self.team_id}")
        return {
            "ok": True,
            "access_token": f"xoxb-installed-{self.team_id}",
            "token_type": "bot",
            "scope": "commands,chat:write",
            "bot_user_id": BOT_USER,
            "app_id": "APMO0001",
            "team": {"name": "PMO Test", "id": self.team_id},
            "enterprise": None,
            "authed_user": {"id": "UINSTALL1"},
            "is_enterprise_install": False,
        }

    def _api_apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        # Called with the app-level token; answers a URL of the local Socket Mode server.
        if not (self.calls[-1].token or "").startswith("xapp-"):
            return {"ok": False, "error": "not_allowed_token_type"}
        if self.socket_mode_url is None:
            return {"ok": False, "error": "not_supported_in_tests"}
        return {"ok": True, "url": self.socket_mode_url()}

    def answered_in_ack(self, body: dict[str, Any]) -> None:
        """The message an app answered a slash command with, in its acknowledgement: shown
        like one sent to response_url (ephemeral unless it says otherwise)."""
        if "text" in body or "blocks" in body:
            with self._lock:
                self.responses.append({"url_path": None, **body})

    def _record_response(self, path: str, body: dict[str, Any]) -> None:
        with self._lock:
            self.calls.append(Call("response_url", body, None))
            self.responses.append({"url_path": path, **body})

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def _send(self, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            def _args(self) -> dict[str, Any]:
                parsed = urlparse(self.path)
                args: dict[str, Any] = dict(parse_qsl(parsed.query))
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode() if length else ""
                if raw:
                    if "json" in (self.headers.get("Content-Type") or ""):
                        args.update(json.loads(raw))
                    else:
                        args.update(dict(parse_qsl(raw)))
                for name in JSON_FIELDS:
                    if isinstance(args.get(name), str) and args[name][:1] in "[{":
                        args[name] = json.loads(args[name])
                return args

            def _token(self) -> str | None:
                auth = self.headers.get("Authorization") or ""
                return auth.removeprefix("Bearer ") or None

            def do_GET(self) -> None:
                self._dispatch()

            def do_POST(self) -> None:
                path = urlparse(self.path).path
                if path.startswith("/upload/v1/"):
                    self._upload(path.removeprefix("/upload/v1/"))
                else:
                    self._dispatch()

            def _upload(self, file_id: str) -> None:
                # Raw bytes, not a form: read them as they come.
                data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                time.sleep(fake._delays.get(UPLOAD, 0))
                status, body = fake._receive_upload(file_id, data)
                payload = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _dispatch(self) -> None:
                path = urlparse(self.path).path
                args = self._args()
                method = "response_url" if path.startswith("/response/") else path[5:]
                # Outside the lock: a slow or held answer holds up only its own caller.
                held = fake._holds.get((method, str(args.get("channel"))))
                if held is not None:
                    held.arrived.set()
                    held.released.wait(30)
                time.sleep(fake._delays.get(method, 0))
                if path.startswith("/response/"):
                    fake._record_response(path, args)
                    self._send(200, {"ok": True}, {})
                elif path.startswith("/api/"):
                    status, body, headers = fake._answer(
                        path.removeprefix("/api/"), args, self._token()
                    )
                    self._send(status, body, headers)
                else:
                    self._send(404, {"ok": False, "error": "not_found"}, {})

        return Handler
