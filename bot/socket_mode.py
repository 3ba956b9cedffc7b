"""Socket Mode fit for production: Slack's envelopes over WebSockets, with no gap when
Slack asks for a refresh, and the state of the connection for GET /healthz.

slack_sdk's sync clients read from one thread, which at a `refresh_requested` is busy
closing the old connection (a read with a 3 s timeout, and no close frame) while envelopes wait on
the new one. Here every connection is read by a thread of its own: a refresh opens the new
connection while the old one is still read, and the old one gets a close frame once Slack
has had time to move (unless Slack closes it first). Each envelope is acknowledged on the
connection it came in on; one delivered twice is handled once (bot/replays.py keys it by
its envelope id).
"""

from __future__ import annotations

import itertools
import json
import logging
import queue
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk.errors import SlackApiError
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from bot import metrics
from bot.errors import team_of, user_of
from bot.logs import request_context

logger = logging.getLogger(__name__)

# Without a connection for longer than this, or after a reconnect that failed: unhealthy.
RECONNECT_GRACE = 10.0
# After a refresh the old connection is still read this long (Slack warns about 10 s
# ahead and then closes it itself); what it still carries is answered on it.
KEEP_OLD = 10.0
OPEN_TIMEOUT = 10.0  # to open a connection and be greeted with Slack's hello
CLOSE_TIMEOUT = 5.0  # for Slack to answer our close frame
MAX_BACKOFF = 30.0
# Errors of apps.connections.open worth another try even at start; any other is a refusal.
PASSING_ERRORS = {"ratelimited", "internal_error", "fatal_error", "service_unavailable"}
# Envelopes dispatched at once; each waits only for its listener's ack (Bolt runs the
# listener itself in the app's own executor).
WORKERS = 16


class SocketModeRefused(Exception):
    """Slack refused to open a Socket Mode connection for the app-level token."""


def ack_message(envelope_id: str, response: BoltResponse) -> str | None:
    """The acknowledgement of an envelope, carrying Bolt's answer as its payload; None when
    Bolt did not acknowledge it (no listener matched), as Bolt's own adapters do."""
    if response.status != 200:
        return None
    ack: dict[str, Any] = {"envelope_id": envelope_id}
    if response.body:
        content_type = (response.headers.get("content-type") or [""])[0]
        json_body = content_type.startswith("application/json")
        ack["payload"] = json.loads(response.body) if json_body else {"text": response.body}
    return json.dumps(ack)


def retry_headers(envelope: dict[str, Any]) -> dict[str, str] | None:
    """Slack's retry fields of an envelope as the headers HTTP mode would carry."""
    headers = {}
    if envelope.get("retry_attempt") is not None:
        headers["x-slack-retry-num"] = str(envelope["retry_attempt"])
    if envelope.get("retry_reason") is not None:
        headers["x-slack-retry-reason"] = str(envelope["retry_reason"])
    return headers or None


class Link:
    """One WebSocket connection to Slack, opened and read by a thread of its own."""

    def __init__(self, number: int, url: str, client: SocketModeClient) -> None:
        self.number = number
        self.url = url
        self.ws: ClientConnection | None = None
        self.error: Exception | None = None
        self.greeted = threading.Event()
        self.ended = threading.Event()
        self.settled = threading.Event()  # greeted, or ended before that
        self.retire_at: float | None = None
        self._closing = False
        self._client = client
        self._reader = threading.Thread(
            target=self._read, name=f"socket-mode-{number}", daemon=True
        )

    @property
    def live(self) -> bool:
        return self.greeted.is_set() and not self.ended.is_set()

    def start(self) -> None:
        self._reader.start()

    def _read(self) -> None:
        try:
            with connect(
                self.url, open_timeout=OPEN_TIMEOUT, close_timeout=CLOSE_TIMEOUT, max_size=None
            ) as ws:
                self.ws = ws
                if self._closing:  # given up on while it was opening
                    ws.close()
                for text in ws:  # ends at a close handshake, raises on a broken connection
                    self._client.received(self, text)
        except ConnectionClosed as exc:
            logger.warning("Socket Mode connection %d broke (%s)", self.number, exc)
        except Exception as exc:
            self.error = exc
            if self.greeted.is_set():
                logger.exception("Socket Mode connection %d failed", self.number)
        finally:
            self.ended.set()
            self.settled.set()
            self._client.events.put(("ended", self))

    def hello(self) -> None:
        self.greeted.set()
        self.settled.set()

    def send(self, text: str) -> bool:
        """Send one message; False when the connection is closing or gone."""
        try:
            if self.ws is None:
                return False
            self.ws.send(text)
        except (ConnectionClosed, OSError):
            return False
        return True

    def close(self) -> None:
        """Send a close frame, then wait for Slack's (what arrives meanwhile is still read)."""
        self._closing = True
        if self.ws is not None:
            self.ws.close()
        self._reader.join(CLOSE_TIMEOUT)


class SocketModeClient:
    """Keeps pmo-bot connected to Slack over Socket Mode and runs the Bolt app on each
    envelope. `run()` in one thread; `stop()` from another."""

    def __init__(self, *, app: App, app_token: str, workers: int = WORKERS) -> None:
        self.app = app
        self.app_token = app_token
        self.events: queue.Queue[tuple[str, Link | None]] = queue.Queue()
        self._links: list[Link] = []
        self._current: Link | None = None
        self._lock = threading.Lock()
        self._numbers = itertools.count(1)
        self._workers = ThreadPoolExecutor(workers, thread_name_prefix="socket-mode-envelope")
        self._in_hand = 0
        self._idle = threading.Condition()
        self._stopping = threading.Event()
        self._down_since = time.monotonic()
        self._failure: str | None = "connecting"

    # -- the connections ------------------------------------------------------------------
    def run(self) -> None:
        """Connect, and stay connected until `stop()`. Raises SocketModeRefused when Slack
        refuses the token at the first attempt; later failures are retried with backoff."""
        self._reconnect(first=True)
        while not self._stopping.is_set():
            kind, link = self._next_event()
            if kind == "refresh" and link is not None and link is self._current:
                self._reconnect(first=False)
                link.retire_at = time.monotonic() + KEEP_OLD
            elif kind == "ended" and link is not None:
                self._forget(link)
            self._retire_due()

    def stop(self) -> None:
        """Make `run()` return (from another thread)."""
        self._stopping.set()
        self.events.put(("stop", None))

    def close(self, timeout: float) -> None:
        """Acknowledge the envelopes in hand (within `timeout`), then close every connection
        with a close frame."""
        self._stopping.set()
        with self._idle:
            self._idle.wait_for(lambda: self._in_hand == 0, timeout)
        with self._lock:
            links = list(self._links)
        for link in links:
            link.close()
        self._workers.shutdown(wait=True)

    def health(self) -> tuple[dict[str, object], int]:
        """200 while connected (or within a reconnect's grace), else 503 and why."""
        with self._lock:
            if any(link.live for link in self._links):
                return {"ok": True, "socket": "connected"}, 200
            failure, down = self._failure, time.monotonic() - self._down_since
        if failure is None and down <= RECONNECT_GRACE:
            return {"ok": True, "socket": "reconnecting"}, 200
        reason = failure or f"no connection to Slack for {down:.0f} s"
        return {"ok": False, "socket": "disconnected", "reason": reason}, 503

    def _next_event(self) -> tuple[str, Link | None]:
        with self._lock:
            due = [link.retire_at for link in self._links if link.retire_at is not None]
        timeout = max(min(due) - time.monotonic(), 0) if due else None
        try:
            return self.events.get(timeout=timeout)
        except queue.Empty:
            return "tick", None

    def _reconnect(self, *, first: bool) -> None:
        delay = 1.0
        while not self._stopping.is_set():
            try:
                self._open()
                return
            except SlackApiError as exc:
                error = exc.response.get("error") if exc.response else None
                if first and error not in PASSING_ERRORS:
                    raise SocketModeRefused(
                        f"Slack refused to open a Socket Mode connection ({error}): check "
                        "SLACK_APP_TOKEN, an app-level token with the connections:write scope"
                    ) from None
                problem = f"apps.connections.open failed ({error})"
            except Exception as exc:
                problem = f"could not connect ({type(exc).__name__}: {exc})"
            with self._lock:
                self._failure = problem
            logger.warning("Socket Mode: %s; trying again in %.0f s", problem, delay)
            self._stopping.wait(delay)
            delay = min(delay * 2, MAX_BACKOFF)

    def _open(self) -> None:
        url = self.app.client.apps_connections_open(app_token=self.app_token)["url"]
        link = Link(next(self._numbers), url, self)
        with self._lock:
            self._links.append(link)
        link.start()
        link.settled.wait(2 * OPEN_TIMEOUT)
        if not link.greeted.is_set():
            link.close()
            raise link.error or ConnectionError("Slack sent no hello")
        with self._lock:
            self._current, self._failure = link, None
        logger.info("Socket Mode connection %d open", link.number)

    def _forget(self, link: Link) -> None:
        with self._lock:
            if link in self._links:
                self._links.remove(link)
            if link is not self._current:
                return
            self._current, self._down_since = None, time.monotonic()
        logger.info("Socket Mode connection %d closed; reconnecting", link.number)
        self._reconnect(first=False)

    def _retire_due(self) -> None:
        now = time.monotonic()
        with self._lock:
            due = [link for link in self._links if link.retire_at and link.retire_at <= now]
        for link in due:
            link.retire_at = None
            logger.info("closing the refreshed Socket Mode connection %d", link.number)
            link.close()

    # -- the envelopes --------------------------------------------------------------------
    def received(self, link: Link, text: str | bytes) -> None:
        """One message from Slack on `link` (called by the link's reader thread)."""
        try:
            message = json.loads(text)
        except ValueError:
            logger.warning("Socket Mode connection %d: a message that is not JSON", link.number)
            return
        kind = message.get("type") if isinstance(message, dict) else None
        if kind == "hello":
            link.hello()
        elif kind == "disconnect":
            logger.info("Slack asks to reconnect (%s)", message.get("reason"))
            self.events.put(("refresh", link))
        elif isinstance(message, dict) and isinstance(message.get("envelope_id"), str):
            self._dispatch(link, message)
        else:
            logger.debug("Socket Mode: ignored a message of type %s", kind)

    def _dispatch(self, link: Link, envelope: dict[str, Any]) -> None:
        with self._idle:
            self._in_hand += 1
        try:
            self._workers.submit(self._answer, link, envelope, time.perf_counter())
        except RuntimeError:  # stopped: no ack, so Slack sends it again elsewhere
            self._done()
            logger.warning("an envelope arrived while stopping; left for Slack to resend")

    def _done(self) -> None:
        with self._idle:
            self._in_hand -= 1
            self._idle.notify_all()

    def _answer(self, link: Link, envelope: dict[str, Any], started: float) -> None:
        try:
            payload = envelope.get("payload")
            if not isinstance(payload, dict):
                logger.warning("Socket Mode: an envelope without a payload; not acknowledged")
                return
            kind, name = metrics.request_label(payload)
            fields = {kind: name}
            request_id = uuid.uuid4().hex[:16]
            with request_context(
                request_id=request_id, team=team_of(payload), user=user_of(payload), **fields
            ):
                self._run_app(link, envelope, payload, kind, name, started)
        except Exception:
            logger.exception("Socket Mode: could not handle an envelope")
        finally:
            self._done()

    def _run_app(
        self,
        link: Link,
        envelope: dict[str, Any],
        payload: dict[str, Any],
        kind: str,
        name: str,
        started: float,
    ) -> None:
        envelope_id = envelope["envelope_id"]
        request = BoltRequest(
            mode="socket_mode",
            body=payload,
            headers=retry_headers(envelope),
            context={"envelope_id": envelope_id},
        )
        response = self.app.dispatch(request)
        ack = ack_message(envelope_id, response)
        if ack is None:
            logger.info("%s %s not acknowledged: the app answered %s", kind, name, response.status)
            return
        if not (link.send(ack) or self._send_on_current(ack)):
            logger.warning("%s %s: no connection left to acknowledge it on", kind, name)
            return
        seconds = time.perf_counter() - started
        metrics.answered(kind, name, seconds)
        logger.info("%s %s acknowledged in %.3fs", kind, name, seconds)

    def _send_on_current(self, text: str) -> bool:
        with self._lock:
            current = self._current
        return current is not None and current.send(text)
