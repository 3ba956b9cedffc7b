"""Attack drill: what do forged, replayed, malformed and interrupted requests do to pmo-bot?

Starts the local Slack Web API of the test suite, a fresh SQLite database with two
projects, and the web process as the Procfile's `web:` line runs it (gunicorn, bound to
loopback). Then it sends four classes of requests to POST /slack/events, as Slack shapes
them, and counts what came of them:

1. unverified: missing or wrong signatures, odd timestamps (`abc`, `1e9`, empty, ` 123`,
   an hour old, an hour ahead); any Web API call or response_url hit they cause counts;
2. replays: the same signed short form or form submission sent 2-5 times byte for byte
   (one after another, and all at once), and an event redelivered with X-Slack-Retry-Num;
   extra rows in status_updates, risks and kudos, extra posts, and requests answered 200
   that stored nothing count;
3. malformed but signed: broken payloads, button values out of range, impossible dates,
   options never offered, `U<!channel>` user ids, 2 MB of text;
4. kill mid-burst: SIGTERM to gunicorn during a burst of `/kudos` and `/status` short
   forms; a request answered 200 whose row is not in the database was lost.

Every class also counts 5xx answers, apologies ("error id" in an answer, on a
response_url or in a message) and `<!channel>`/`<!here>`/`<!everyone>` reaching Slack.
A sound build prints zeros everywhere but attempts. About 2,500 requests, under 5 minutes.

    python bench/drill.py [--details] [--strict] [--rounds 6] [--burst 200] [--log FILE]

`--details` lists each finding under the table, `--strict` exits 1 when there is any,
`--log` keeps the web process's log.
"""

from __future__ import annotations

import argparse
import copy
import http.client
import itertools
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as `python bench/drill.py`: the tests' helpers live in tests/

from sqlalchemy import create_engine, inspect, text  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

from storage import schema  # noqa: E402
from storage.db import Database  # noqa: E402
from tests.factories import APPROVER, APPROVER_2, MEMBER, PM, SPONSOR, make_project  # noqa: E402
from tests.slack_api import Call, FakeSlackAPI, Message  # noqa: E402
from tests.slack_requests import Modal, Reply, SlackClient, sign  # noqa: E402

SECRET = "drill-signing-secret-0123456789abcdef"
TEAM = "T0PMO0001"
PROJECTS = [("APOLLO", "Apollo launch", "CAPOLLO01"), ("HERMES", "Hermes CRM", "CHERMES01")]
PEOPLE = {PM: "Pat Manager", SPONSOR: "Sam Sponsor", APPROVER: "Alex Approver"}
PEOPLE |= {APPROVER_2: "Ari Approver", MEMBER: "Mo Member"}
APOLOGY = re.compile(r"error id|something went wrong on our side", re.IGNORECASE)
PING = re.compile(r"<!(?:channel|here|everyone)\b")
SPOKEN = ("text", "blocks", "attachments", "view")  # the arguments people get to read
NONCE_COLUMN = {"status_updates": "summary", "risks": "title", "kudos": "reason"}
TABLE_OF = {"/status": "status_updates", "/risk": "risks", "/kudos": "kudos"}
BIG = "x" * 2_000_000
ODD = "U<!channel>"


# -- the web process -----------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def procfile_web(port: int) -> list[str]:
    """The Procfile's `web:` command for `port`, bound to loopback instead of every interface."""
    line = next(
        line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:")
    )
    command = line.removeprefix("web:").replace("${PORT}", str(port)).replace("$PORT", str(port))
    words = [word.replace("0.0.0.0", "127.0.0.1") for word in shlex.split(command)]
    gunicorn = Path(sys.executable).parent / words[0]
    if gunicorn.exists():  # the gunicorn of this Python's environment, not whatever is on PATH
        words[0] = str(gunicorn)
    return words


class WebProcess:
    """The web process (gunicorn master and workers) in a process group of its own."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.command = procfile_web(self.port)
        self.url = f"http://127.0.0.1:{self.port}"
        with open(log, "a") as out:
            self.process = subprocess.Popen(
                self.command,
                cwd=ROOT,
                env={**env, "PORT": str(self.port)},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches the drill only; the drill stops it
            )

    def workers(self) -> int:
        words = self.command
        return int(words[words.index("--workers") + 1]) if "--workers" in words else 1

    def wait_healthy(self, log: Path, limit: float = 60) -> None:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"the web process exited:\n{log.read_text()[-3000:]}")
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            try:
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.1)
            finally:
                connection.close()
        raise SystemExit(f"GET /healthz did not answer 200 in {limit:.0f} s")

    def terminate(self) -> None:
        """SIGTERM to the master, as Heroku does on a restart."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def stop(self) -> None:
        """Stop the master and its workers, whatever state they are in."""
        self.terminate()
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


# -- talking to the app ----------------------------------------------------------------------
@dataclass
class Exchange(Reply):
    """The app's answer, with the request that got it: method, path, body, headers."""

    request: tuple[str, str, str, dict[str, str]] = ("", "", "", {})

    @property
    def body_sent(self) -> str:
        return self.request[2]

    def response_paths(self) -> list[str]:
        """The paths of the response_urls the request handed the app (on the fake API)."""
        return re.findall(r"/response/\d+", unquote(self.body_sent))


class Recorder(SlackClient):
    """Slack, remembering each request it sent so that it can be sent again byte for byte.

    While `holding`, requests are composed and remembered but not sent.
    """

    holding = False

    def raw(
        self, method: str, path: str, body: str | None = None, headers: dict[str, str] | None = None
    ) -> Exchange:
        request = (method, path, body or "", dict(headers or {}))
        if self.holding:
            return Exchange(0, "", {}, request)
        try:
            reply = super().raw(method, path, body, headers)
        except OSError as exc:  # refused or cut off: the web process is going away
            return Exchange(0, repr(exc), {}, request)
        return Exchange(reply.status, reply.body, reply.headers, request)

    def hold(self, send: Callable[[], Exchange]) -> Exchange:
        """The request `send` would make, signed, without sending it (see `resend`)."""
        self.holding = True
        try:
            return send()
        finally:
            self.holding = False

    def compose(self, send: Callable[[], Exchange]) -> tuple[str, str]:
        """The body and content type of the request `send` would make."""
        _, _, body, headers = self.hold(send).request
        return body, headers["Content-Type"]

    def resend(self, reply: Exchange) -> Exchange:
        """The request that got `reply`, again: same body, timestamp and signature."""
        return self.raw(*reply.request)

    def edited(
        self, send: Callable[[], Exchange], edit: Callable[[dict[str, Any]], Any]
    ) -> Exchange:
        """The request `send` would make with `edit` applied to its fields, signed and sent."""
        body, content_type = self.compose(send)
        if content_type == "application/json":
            fields = json.loads(body)
            edit(fields)
            return self.post(json.dumps(fields), content_type=content_type)
        form = dict(parse_qsl(body))
        if "payload" in form:
            payload = json.loads(form["payload"])
            edit(payload)
            form["payload"] = json.dumps(payload)
        else:
            edit(form)
        return self.post(urlencode(form))


class ForgedModal(Modal):
    """A modal submitted with values its inputs never offered (`forged`, by label)."""

    def __init__(self, view: dict[str, Any], forged: dict[str, dict[str, Any]]) -> None:
        super().__init__(view)
        self.forged = forged

    def state(self, **kwargs: Any) -> dict[str, Any]:
        values = super().state(**{**kwargs, "partial": True})  # forged fields may be empty
        for label, picked in self.forged.items():
            element = self.block(label)["element"]
            values[self.block(label)["block_id"]] = {
                element["action_id"]: {"type": element["type"], **picked}
            }
        return values


def option(value: str) -> dict[str, Any]:
    return {"selected_option": {"text": {"type": "plain_text", "text": value}, "value": value}}


def home_opened(user: str) -> dict[str, Any]:
    return {"type": "app_home_opened", "user": user, "channel": "D" + user[1:], "tab": "home"}


@dataclass
class Drill:
    """What the attack classes work with: Slack (both sides), the database and the process."""

    api: FakeSlackAPI
    slack: Recorder
    db: Engine
    web: WebProcess

    def settle(self, quiet: float = 0.75, limit: float = 60) -> None:
        """Wait for the work the app does after acknowledging: Slack quiet, outbox drained."""
        deadline = time.monotonic() + limit
        seen, since = -1, time.monotonic()
        while time.monotonic() < deadline:
            count = len(self.api.calls)
            if count != seen:
                seen, since = count, time.monotonic()
            elif time.monotonic() - since >= quiet and not self.outbox_due():
                return
            time.sleep(0.05)
        print(f"  (the app was still busy after {limit:.0f} s; counting anyway)", file=sys.stderr)

    def outbox_due(self) -> int:
        # Pending messages due within seconds (a message backing off for minutes is not awaited).
        soon = (datetime.now(UTC) + timedelta(seconds=10)).strftime("%Y-%m-%d %H:%M:%S.%f")
        query = "SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending') AND "
        with self.db.connect() as connection:
            return connection.execute(
                text(query + "next_attempt_at <= :soon"), {"soon": soon}
            ).scalar_one()

    def rows_with(self, table: str, nonce: str) -> int:
        column = NONCE_COLUMN[table]
        with self.db.connect() as connection:
            return connection.execute(
                text(f"SELECT count(*) FROM {table} WHERE {column} LIKE :nonce"),
                {"nonce": f"%{nonce}%"},
            ).scalar_one()

    def row_counts(self) -> dict[str, int]:
        with self.db.connect() as connection:
            tables = [t for t in inspect(connection).get_table_names() if t != "alembic_version"]
            return {
                t: connection.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                for t in tables
            }

    def calls_since(self, start: int) -> list[Call]:
        return list(self.api.calls[start:])

    def said_since(self, start: int) -> list[tuple[Call, str | None]]:
        """Calls since `start`, each response_url hit with its path (the fake API records
        the hits in `calls` and, with their paths, in `responses`, in the same order)."""
        calls = list(self.api.calls)
        responses = self.api.ephemeral_replies()
        hit = sum(call.method == "response_url" for call in calls[:start])
        said: list[tuple[Call, str | None]] = []
        for call in calls[start:]:
            path = None
            if call.method == "response_url":
                path, hit = responses[hit]["url_path"], hit + 1
            said.append((call, path))
        return said

    def posts_with(self, nonce: str) -> int:
        """Messages people see in a channel or DM that carry `nonce`."""
        return sum(is_post(call) and nonce in spoken(call) for call in list(self.api.calls))

    def open_modal(self, command: str, *, user: str, channel: str, tally: Tally) -> Modal | None:
        """Type `command` alone and return the modal the app opened with its trigger_id."""
        self.settle(quiet=0.3)
        start = len(self.api.calls)
        reply = self.slack.command(command, user=user, channel=channel)
        tally.answered(f"{command} (to open the form)", reply)
        trigger = dict(parse_qsl(reply.body_sent))["trigger_id"]
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            for call in self.calls_since(start):
                if call.method == "views.open" and call.get("trigger_id") == trigger:
                    assert self.api.last_view_id
                    return Modal(self.api.views[self.api.last_view_id])
            time.sleep(0.05)
        return None


def spoken(call: Call) -> str:
    """What a call to Slack puts in front of people, as one string."""
    return json.dumps([call.args.get(name) for name in SPOKEN], ensure_ascii=False)


def markup(call: Call) -> str:
    """The text Slack reads as mrkdwn (where `<!channel>` pings): a message's text and every
    mrkdwn text object; not plain_text, nor what an input shows."""
    found = [str(call.get("text") or "")]

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if value.get("type") == "mrkdwn":
                found.append(str(value.get("text", "")))
            for inner in value.values():
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk([call.get(name) for name in ("blocks", "attachments", "view")])
    return "\n".join(found)


def is_post(call: Call) -> bool:
    in_channel = call.method == "response_url" and call.get("response_type") == "in_channel"
    return call.method == "chat.postMessage" or in_channel


# -- counting ----------------------------------------------------------------------------------
@dataclass
class Tally:
    """One attack class: attempts and findings (None where the class does not measure it)."""

    name: str
    attempts: int = 0
    server_errors: int = 0
    apologies: int = 0
    pings: int = 0
    unverified_calls: int | None = None
    duplicate_rows: int | None = None
    duplicate_posts: int | None = None
    lost: int | None = None
    notes: list[str] = field(default_factory=list)
    origins: dict[str, str] = field(default_factory=dict)  # response_url path: request

    def answered(self, label: str, reply: Exchange) -> None:
        """Count one request and what its HTTP answer shows."""
        self.attempts += 1
        self.origins.update(dict.fromkeys(reply.response_paths(), label))
        if reply.status >= 500:
            self.server_errors += 1
            self.notes.append(f"{label}: HTTP {reply.status}")
        if APOLOGY.search(reply.body):
            self.apologies += 1
            self.notes.append(f"{label}: apology in the answer")

    def heard(self, said: list[tuple[Call, str | None]]) -> None:
        """Count apologies and channel-wide pings in what the app said to Slack."""
        for call, path in said:
            where = f"{call.method} to {call.get('channel')}"
            if path:
                where = f"the response_url of {self.origins.get(path, 'an earlier request')}"
            if call.method in ("response_url", "chat.postMessage") and APOLOGY.search(spoken(call)):
                self.apologies += 1
                self.notes.append(f"apology via {where}")
            text = markup(call)
            for ping in PING.finditer(text):
                self.pings += 1
                context = text[max(ping.start() - 40, 0) : ping.end() + 10].replace("\n", " ")
                self.notes.append(f"{ping[0]} reached Slack via {where}: …{context}…")


COLUMNS = [
    ("attack class", "name"),
    ("attempts", "attempts"),
    ("5xx", "server_errors"),
    ("apologies", "apologies"),
    ("<!channel>", "pings"),
    ("unverified calls", "unverified_calls"),
    ("dup rows", "duplicate_rows"),
    ("dup posts", "duplicate_posts"),
    ("lost acked", "lost"),
]


def total(tallies: list[Tally]) -> Tally:
    summed = Tally("total")
    for _, name in COLUMNS[1:]:
        values = [getattr(t, name) for t in tallies if getattr(t, name) is not None]
        setattr(summed, name, sum(values))
    return summed


def print_table(tallies: list[Tally], details: bool) -> None:
    rows = [[title for title, _ in COLUMNS]]
    for tally in [*tallies, total(tallies)]:
        values = [getattr(tally, name) for _, name in COLUMNS]
        rows.append([str(v) if v is not None else "-" for v in values])
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    for n, row in enumerate(rows):
        if n == len(rows) - 1:
            print("  ".join("-" * w for w in widths))
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        print("  ".join(cells))
    if details:
        for tally in tallies:
            for note, times in Counter(tally.notes).items():
                print(f"  {tally.name}: {note}" + (f" (x{times})" if times > 1 else ""))


def findings(tallies: list[Tally]) -> int:
    summed = total(tallies)
    return sum(getattr(summed, name) for _, name in COLUMNS[2:])


# -- 1. unverified requests ------------------------------------------------------------------
SIGNATURES = ["no signature", "empty", "zeros", "another secret", "another body"]


def forged_headers(body: str, stamp: str | None, how: str) -> dict[str, str]:
    """Timestamp and signature headers for `body` that nobody holding the secret would send."""
    signature = {
        "no signature": None,
        "empty": "",
        "zeros": "v0=" + "0" * 64,
        "another secret": sign("not-the-signing-secret", body, stamp or ""),
        "another body": sign(SECRET, body + "&x=1", stamp or ""),
        "the real secret": sign(SECRET, body, stamp or ""),
    }[how]
    headers = {} if stamp is None else {"X-Slack-Request-Timestamp": stamp}
    return headers if signature is None else {**headers, "X-Slack-Signature": signature}


def forgeries() -> list[tuple[str | None, str]]:
    """(timestamp, how it is signed): odd timestamps with bad signatures, and requests signed
    for real an hour ago or an hour ahead (a captured request replayed)."""
    now = int(time.time())
    stamps = [str(now), "abc", "1e9", "", " 123", str(now - 3600), str(now + 3600), None]
    stale = [(str(now - 3600), "the real secret"), (str(now + 3600), "the real secret")]
    return [(stamp, how) for stamp in stamps for how in SIGNATURES] + stale


def unverified_bodies(drill: Drill) -> dict[str, Callable[[], tuple[str, str]]]:
    """Requests that name a user and carry a response_url of their own on the fake API."""
    slack = drill.slack
    button = [
        {
            "type": "actions",
            "block_id": "drill",
            "elements": [{"type": "button", "action_id": "risk.own", "value": "1"}],
        }
    ]

    def broken() -> tuple[str, str]:
        form = {"payload": "{not json", "response_url": drill.api.response_url(), "user_id": PM}
        return urlencode(form), "application/x-www-form-urlencoded"

    return {
        "/status": lambda: slack.compose(
            lambda: slack.command("/status", "APOLLO green forged", user=PM, channel="CAPOLLO01")
        ),
        "/kudos": lambda: slack.compose(
            lambda: slack.command("/kudos", f"<@{MEMBER}> for forged", user=PM, channel="C1")
        ),
        "button": lambda: slack.compose(lambda: slack.click_in_blocks(button, "risk.own", user=PM)),
        "event": lambda: slack.compose(lambda: slack.event(home_opened(PM))),
        "broken payload": broken,
    }


def attack_unverified(drill: Drill) -> Tally:
    tally = Tally("1 unverified")
    drill.settle()
    start = len(drill.api.calls)
    for kind, compose in unverified_bodies(drill).items():
        for stamp, how in forgeries():
            body, content_type = compose()  # a response_url of its own, to tell who caused what
            headers = {**forged_headers(body, stamp, how), "Content-Type": content_type}
            label = f"timestamp {stamp!r}, signature: {how}"
            reply = drill.slack.raw("POST", "/slack/events", body, headers)
            tally.answered(f"{kind}, {label}", reply)
            if reply.status < 400:
                tally.notes.append(f"{kind}, {label}: accepted with HTTP {reply.status}")
    drill.settle()
    said = drill.said_since(start)
    tally.unverified_calls = len(said)
    for call, path in said:
        where = f" ({tally.origins.get(path, 'an earlier request')})" if path else ""
        tally.notes.append(f"{call.method} caused by a forged request{where}")
    tally.heard(said)
    return tally


# -- 2. replays --------------------------------------------------------------------------------
SHORT_REPLAYS = [  # command, text ({n}: this request's nonce), who, where, copies sent
    ("/status", "APOLLO green {n} beta shipped", PM, "CAPOLLO01", 2),
    ("/status", "HERMES amber {n} vendor late path: weekly calls", PM, "CHERMES01", 5),
    ("/risk", "APOLLO p4 i5 {n} vendor may slip", MEMBER, "CAPOLLO01", 3),
    ("/risk", "HERMES p2 i3 {n} key person leaves", PM, "CHERMES01", 4),
    ("/kudos", f"<@{MEMBER}> for {{n}} the demo", PM, "CAPOLLO01", 2),
    ("/kudos", f"<@{APPROVER}> <@{SPONSOR}> for {{n}} quick answers", MEMBER, "CHERMES01", 5),
]
FORM_REPLAYS = [  # command opening the form, what to type by label, who, where, copies sent
    ("/status", {"Summary": "{n} steady week"}, PM, "CAPOLLO01", 3),
    (
        "/risk",
        {"Title": "{n} form risk", "Probability": "3", "Impact": "4"},
        MEMBER,
        "CAPOLLO01",
        4,
    ),
    (
        "/kudos",
        {"Who are you thanking?": [SPONSOR], "For what?": "{n} kind words"},
        PM,
        "CHERMES01",
        2,
    ),
]


@dataclass
class Original:
    """One distinct request, sent `copies` times in all; one copy stores one row and makes
    `posts` posts (as its first copy did)."""

    label: str
    table: str
    nonce: str
    reply: Exchange
    copies: int
    posts: int = 0
    acked: bool = False


REPLAY_ROUND = itertools.count()  # nonces stay distinct when the class runs several rounds


def send_originals(drill: Drill, tally: Tally, round_: int) -> list[Original]:
    originals = []
    for n, (command, words, user, channel, copies) in enumerate(SHORT_REPLAYS):
        nonce, label = f"replay{round_}r{n:02d}x", f"{command} short form"
        reply = drill.slack.command(command, words.format(n=nonce), user=user, channel=channel)
        tally.answered(label, reply)
        originals.append(Original(label, TABLE_OF[command], nonce, reply, copies))
    for n, (command, typed, user, channel, copies) in enumerate(FORM_REPLAYS):
        nonce, label = f"replayform{round_}r{n:02d}x", f"{command} form"
        modal = drill.open_modal(command, user=user, channel=channel, tally=tally)
        if modal is None:
            tally.notes.append(f"{command} opened no form: its replay was not tried")
            continue
        modal.enter({k: v.format(n=nonce) if isinstance(v, str) else v for k, v in typed.items()})
        reply = drill.slack.submit(modal, user=user, channel=channel)
        tally.answered(label, reply)
        originals.append(Original(label, TABLE_OF[command], nonce, reply, copies))
    for original in originals:
        original.acked = original.reply.status == 200
    return originals


def send_together(
    drill: Drill, tally: Tally, originals: list[Original], round_: int
) -> list[Original]:
    """Each short form again under a new nonce, all its copies at once: a race, not a queue.
    A copy makes the posts its sequential twin (`originals`, same order) made."""
    together = []
    for n, (command, words, user, channel, copies) in enumerate(SHORT_REPLAYS):
        nonce, label = f"together{round_}r{n:02d}x", f"{command} short form (copies at once)"
        text = words.format(n=nonce)
        held = drill.slack.hold(
            partial(drill.slack.command, command, text, user=user, channel=channel)
        )
        with ThreadPoolExecutor(max_workers=copies) as pool:
            replies = list(pool.map(drill.slack.resend, [held] * copies))
        for reply in replies:
            tally.answered(label, reply)
        acked = any(reply.status == 200 for reply in replies)
        twin = originals[n]
        together.append(Original(label, twin.table, nonce, held, copies, twin.posts, acked))
    return together


def count_duplicates(drill: Drill, tally: Tally, requests: list[Original]) -> None:
    """Rows beyond one per request, posts beyond what one copy makes, and requests answered
    200 that stored nothing."""
    for request in requests:
        rows, posts = drill.rows_with(request.table, request.nonce), drill.posts_with(request.nonce)
        extra_rows, extra_posts = max(rows - 1, 0), max(posts - request.posts, 0)
        tally.duplicate_rows = (tally.duplicate_rows or 0) + extra_rows
        tally.duplicate_posts = (tally.duplicate_posts or 0) + extra_posts
        tally.lost = (tally.lost or 0) + (request.acked and rows == 0)
        sent = f"{request.label} sent {request.copies} times"
        if extra_rows or extra_posts:
            tally.notes.append(f"{sent}: {extra_rows} more rows, {extra_posts} more posts")
        if request.acked and rows == 0:
            tally.notes.append(f"{sent}: answered 200, nothing stored")


def replay_event(drill: Drill, tally: Tally) -> None:
    """app_home_opened delivered, then redelivered three times with the same event_id."""
    first = drill.slack.event(home_opened(APPROVER_2))
    tally.answered("app_home_opened", first)
    drill.settle()
    rows, start = drill.row_counts(), len(drill.api.calls)
    body = first.body_sent
    for retry in (1, 2, 3):
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        reply = drill.slack.post(body, content_type="application/json", headers=headers)
        tally.answered(f"app_home_opened retry {retry}", reply)
    drill.settle()
    grown = {t: n - rows.get(t, 0) for t, n in drill.row_counts().items() if n > rows.get(t, 0)}
    tally.duplicate_rows = (tally.duplicate_rows or 0) + sum(grown.values())
    tally.notes += [f"app_home_opened retries added {n} rows to {t}" for t, n in grown.items()]
    calls = drill.calls_since(start)
    posts = [call for call in calls if is_post(call)]
    tally.duplicate_posts = (tally.duplicate_posts or 0) + len(posts)
    published = sum(call.method == "views.publish" for call in calls)
    if published:  # not a duplicate: publishing the same Home tab again replaces it
        tally.notes.append(f"(info) app_home_opened retries published the Home tab {published}x")


def attack_replays(drill: Drill) -> Tally:
    tally = Tally("2 replays", duplicate_rows=0, duplicate_posts=0, lost=0)
    drill.settle()
    start = len(drill.api.calls)
    round_ = next(REPLAY_ROUND)
    originals = send_originals(drill, tally, round_)
    drill.settle()
    for original in originals:
        original.posts = drill.posts_with(original.nonce)
        for _ in range(original.copies - 1):
            tally.answered(f"{original.label} replayed", drill.slack.resend(original.reply))
    together = send_together(drill, tally, originals, round_)
    drill.settle()
    count_duplicates(drill, tally, originals + together)
    replay_event(drill, tally)
    tally.heard(drill.said_since(start))
    return tally


# -- 3. malformed but signed ---------------------------------------------------------------------
ID_ACTIONS = ["risk.own", "risk.mitigating", "risk.convert", "risk.close"]
ID_ACTIONS += ["gate.approve", "gate.reject", "gate.changes"]
ODD_IDS = ["2147483648", "1234567890123456789012345", "-1", "\u0661", ""]
KEY_ACTIONS = ["status.history", "status.update_again", "home.post_status", "nudge.post_status"]
ODD_KEYS = [ODD, "\u0661", "K" * 300]
FORM_BASICS = {  # who fills each form in, and what they type before the field under test
    "/status": (PM, {"Summary": "fine"}),
    "/risk": (MEMBER, {"Title": "t", "Probability": "3", "Impact": "3"}),
    "/kudos": (PM, {"Who are you thanking?": [MEMBER], "For what?": "the demo"}),
}
FORM_TAMPERS = [  # the form's command, a field by its label, what is typed (a dict: forged)
    ("/status", "Overall", option("purple")),
    ("/status", "Schedule", option("blue")),
    ("/status", "Percent complete", "\u0661\u0660"),
    ("/status", "Percent complete", "9" * 25),
    ("/status", "Spent to date", "\u0661\u0662\u0663"),
    ("/status", "Summary", "<!channel> all good"),
    ("/risk", "Probability", option("9")),
    ("/risk", "Impact", option("0")),
    ("/risk", "Kind", option("x")),
    ("/risk", "Category", option("x")),
    ("/risk", "Review date", "2026-02-30"),
    ("/risk", "Owner", ODD),
    ("/risk", "Title", "<!channel> vendor"),
    ("/kudos", "Who are you thanking?", [ODD]),
    ("/kudos", "For what?", "<!here> the demo"),
    ("/kudos", "Where to say it", {"selected_conversation": "C<!channel>"}),
]
SHORT_TAMPERS = [  # command, text, who
    ("/status", "APOLLO green " + BIG, PM),
    ("/risk", "APOLLO p3 i3 " + BIG, MEMBER),
    ("/kudos", f"<@{MEMBER}> for " + BIG, PM),
    ("/status", "APOLLO green <!channel> shipped", PM),
    ("/risk", "APOLLO p4 i4 <!everyone> vendor", MEMBER),
    ("/kudos", f"<@{MEMBER}> <!channel> for the demo", PM),
    ("/kudos", f"<@{ODD}> for the demo", PM),
    ("/risk", "APOLLO p\u0664 i\u0665 digits from elsewhere", MEMBER),
    ("/status", f"{ODD} green odd key", PM),
    ("/status", "APOLLO green from an odd id", ODD),
    ("/kudos", f"<@{MEMBER}> for help", ODD),
    ("/risk", "APOLLO p1 i1 from an odd id", ODD),
]


def risk_card(drill: Drill) -> Message:
    """The newest risk card the app posted (class 2 raised some)."""
    for message in reversed(drill.api.posts("CAPOLLO01")):
        if "risk.own" in json.dumps(message.blocks):
            return message
    raise SystemExit("drill setup: the app posted no risk card to press buttons on")


def with_button(message: Message, action_id: str, value: str) -> Message:
    """`message` whose button `action_id` (added when it has none) carries `value`."""
    changed = copy.deepcopy(message)
    for block in changed.blocks:
        for element in [*block.get("elements", []), block.get("accessory") or {}]:
            if element.get("action_id") == action_id:
                element["value"] = value
                return changed
    button = {"type": "button", "action_id": action_id, "value": value}
    button["text"] = {"type": "plain_text", "text": "Go"}
    changed.blocks.append({"type": "actions", "block_id": "drill", "elements": [button]})
    return changed


def forged_payloads(drill: Drill) -> Iterator[tuple[str, Callable[[], Exchange]]]:
    slack = drill.slack
    for raw in ("{not json", "[]", "[1, 2]", '"text"', "42", "null", "true"):
        yield f"payload={raw}", lambda raw=raw: slack.post(urlencode({"payload": raw}))
    card = risk_card(drill)
    for action in ID_ACTIONS:
        for value in ODD_IDS:
            yield (
                f"{action} value {value!r}",
                lambda a=action, v=value: slack.click(with_button(card, a, v), a, user=PM),
            )
    for action in KEY_ACTIONS:
        for value in ODD_KEYS:
            yield (
                f"{action} value {value[:20]!r}",
                lambda a=action, v=value: slack.click(with_button(card, a, v), a, user=PM),
            )


def missing_fields(drill: Drill) -> Iterator[tuple[str, Callable[[], Exchange]]]:
    slack = drill.slack
    card = with_button(risk_card(drill), "risk.own", "1")

    status = partial(slack.command, "/status", "APOLLO green fine", user=PM, channel="CAPOLLO01")
    kudos = partial(slack.command, "/kudos", user=PM, channel="CAPOLLO01")
    press = partial(slack.click, card, "risk.own", user=PM)
    event = partial(slack.event, home_opened(PM))

    for name in ("user_id", "team_id", "channel_id", "text"):
        yield f"/status without {name}", lambda n=name: slack.edited(status, lambda f: f.pop(n))
    yield (
        "/kudos form without trigger_id",
        lambda: slack.edited(kudos, lambda f: f.pop("trigger_id")),
    )
    for name in ("user", "team", "actions", "container"):
        yield f"button without {name}", lambda n=name: slack.edited(press, lambda p: p.pop(n))
    yield "button with no actions", lambda: slack.edited(press, lambda p: p.update(actions=[]))
    yield (
        "button without value",
        lambda: slack.edited(press, lambda p: p["actions"][0].pop("value")),
    )
    yield "event without user", lambda: slack.edited(event, lambda e: e["event"].pop("user"))
    yield "event without team", lambda: slack.edited(event, lambda e: e.pop("team_id"))


def submit_tampered(drill: Drill, tally: Tally) -> None:
    for command, name, value in FORM_TAMPERS:
        user, typed = FORM_BASICS[command]
        picked = isinstance(value, dict) and "selected_option" in value
        shown = value["selected_option"]["value"] if picked else value
        label = f"{command} form, {name} = {shown!r}"
        modal = drill.open_modal(command, user=user, channel="CAPOLLO01", tally=tally)
        if modal is None:
            tally.notes.append(f"{label}: the form did not open")
            continue
        forged = {name: value} if isinstance(value, dict) else {}
        form = ForgedModal(modal.view, forged).enter({**typed, **({} if forged else {name: value})})
        tally.answered(label, drill.slack.submit(form, user=user, channel="CAPOLLO01"))
    for missing in ("user", "team"):
        modal = drill.open_modal("/status", user=PM, channel="CAPOLLO01", tally=tally)
        if modal is not None:
            modal.enter({"Summary": "fine"})
            send = partial(drill.slack.submit, modal, user=PM, channel="CAPOLLO01")
            reply = drill.slack.edited(send, lambda p, k=missing: p.pop(k))
            tally.answered(f"/status form without {missing}", reply)


def attack_malformed(drill: Drill) -> Tally:
    tally = Tally("3 malformed")
    drill.settle()
    start = len(drill.api.calls)
    submit_tampered(drill, tally)
    for label, send in [*forged_payloads(drill), *missing_fields(drill)]:
        tally.answered(label, send())
    for command, words, user in SHORT_TAMPERS:
        reply = drill.slack.command(command, words, user=user, channel="CAPOLLO01")
        tally.answered(f"{command} {words[:40]!r} from {user}", reply)
    drill.settle()
    tally.heard(drill.said_since(start))
    return tally


# -- 4. kill mid-burst -------------------------------------------------------------------------
def attack_kill(drill: Drill, burst: int) -> Tally:
    """A burst of short forms from four threads; SIGTERM to gunicorn a third of the way in."""
    tally = Tally("4 kill mid-burst")
    drill.settle()
    start = len(drill.api.calls)
    done, kill_now, lock = [0], threading.Event(), threading.Lock()

    def send(n: int) -> tuple[int, Exchange]:
        nonce = f"burst{n:04d}x"
        if n % 2:
            reply = drill.slack.command("/status", f"APOLLO green {nonce}", user=PM)
        else:
            reply = drill.slack.command("/kudos", f"<@{MEMBER}> for {nonce}", user=PM)
        with lock:
            done[0] += 1
            if done[0] >= burst // 3:
                kill_now.set()
        return n, reply

    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(send, n) for n in range(burst)]
        kill_now.wait(timeout=120)
        drill.web.terminate()
        replies = [future.result() for future in futures]
    try:
        drill.web.process.wait(timeout=90)
    except subprocess.TimeoutExpired:
        tally.notes.append("gunicorn was still running 90 s after SIGTERM")
    lost = []
    for n, reply in replies:
        kind = "/status" if n % 2 else "/kudos"
        tally.answered(f"{kind} #{n}", reply)
        if reply.status == 200 and not drill.rows_with(TABLE_OF[kind], f"burst{n:04d}x"):
            lost.append(f"{kind} #{n}")
    tally.lost = len(lost)
    tally.notes += [f"{request}: answered 200, nothing stored" for request in lost]
    acked = sum(reply.status == 200 for _, reply in replies)
    tally.notes.append(f"(info) {acked} of {burst} answered 200 before the process went away")
    tally.heard(drill.said_since(start))
    return tally


# -- running it --------------------------------------------------------------------------------
def seed(url: str) -> None:
    schema.upgrade(url)
    database = Database(url)
    try:
        for key, name, channel in PROJECTS:
            make_project(database, key=key, name=name, channel_id=channel)
    finally:
        database.dispose()


def web_env(api: FakeSlackAPI, url: str, home: Path) -> dict[str, str]:
    # No SLACK_* of the caller's: one left over (SLACK_CLIENT_ID…) would switch the app's mode.
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    return env | {
        "HOME": str(home),  # gunicorn's control socket (and any cache) go to the temp folder
        "SLACK_BOT_TOKEN": "xoxb-drill",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": api.url,
        "DATABASE_URL": url,
    }


def warm_up(drill: Drill) -> None:
    """Every worker has checked its token (auth.test) and answered a request or two."""
    deadline = time.monotonic() + 30
    while len(drill.api.calls_to("auth.test")) < drill.web.workers():
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)
    for _ in range(4):
        drill.slack.command("/status", "APOLLO", user=PM, channel="CAPOLLO01")
    drill.settle()


def rounds(count: int, attack: Callable[[], Tally]) -> Tally:
    """The attack `count` times over, added up into one row."""
    total = attack()
    for _ in range(count - 1):
        more = attack()
        total.attempts += more.attempts
        total.server_errors += more.server_errors
        total.apologies += more.apologies
        total.pings += more.pings
        for name in ("unverified_calls", "duplicate_rows", "duplicate_posts", "lost"):
            mine, theirs = getattr(total, name), getattr(more, name)
            if theirs is not None:
                setattr(total, name, (mine or 0) + theirs)
        total.notes += more.notes
    return total


def run(args: argparse.Namespace, stack: ExitStack) -> list[Tally]:
    api = FakeSlackAPI(team_id=TEAM, clock=lambda: datetime.now(UTC)).start()
    stack.callback(api.stop)
    for user, name in PEOPLE.items():
        api.add_user(user, name)
    folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="pmo-drill-")))
    url, log = f"sqlite:///{folder}/drill.db", folder / "web.log"
    seed(url)
    if args.log:
        stack.callback(lambda: shutil.copyfile(log, args.log))
    web = WebProcess(web_env(api, url, folder), log)
    stack.callback(web.stop)
    engine = create_engine(url)
    stack.callback(engine.dispose)
    web.wait_healthy(log)
    slack = Recorder(
        app_url=web.url, signing_secret=SECRET, api=api, settle=lambda: None, team_id=TEAM
    )
    drill = Drill(api=api, slack=slack, db=engine, web=web)
    warm_up(drill)
    classes: list[tuple[str, Callable[[], Tally]]] = [
        ("unverified requests", lambda: rounds(args.rounds, lambda: attack_unverified(drill))),
        ("replays", lambda: rounds(args.rounds, lambda: attack_replays(drill))),
        ("malformed signed payloads", lambda: rounds(args.rounds, lambda: attack_malformed(drill))),
        ("kill mid-burst", lambda: attack_kill(drill, args.burst)),
    ]
    tallies = []
    for n, (name, attack) in enumerate(classes, 1):
        print(f"[{n}/{len(classes)}] {name}… ", end="", file=sys.stderr, flush=True)
        started = time.monotonic()
        tallies.append(attack())
        print(f"{time.monotonic() - started:.0f} s", file=sys.stderr)
    return tallies


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--burst", type=int, default=200, help="requests in the kill burst")
    parser.add_argument(
        "--rounds", type=int, default=6, help="times to repeat the first three classes"
    )
    parser.add_argument("--details", action="store_true", help="list each finding")
    parser.add_argument("--strict", action="store_true", help="exit 1 on any finding")
    parser.add_argument("--log", type=Path, help="keep the web process's log in this file")
    args = parser.parse_args()
    # SIGTERM (like Ctrl-C) unwinds through the cleanup below.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    started = time.monotonic()
    try:
        with ExitStack() as stack:
            tallies = run(args, stack)
    except KeyboardInterrupt:
        print("interrupted; the web process and temporary files are gone", file=sys.stderr)
        return 130
    print(f"\npmo-bot attack drill ({time.monotonic() - started:.0f} s)\n")
    print_table(tallies, args.details)
    return 1 if args.strict and findings(tallies) else 0


if __name__ == "__main__":
    sys.exit(main())
