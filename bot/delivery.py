"""Delivering the outbox to Slack: once each, in order, paced, retried, never doubled.

Deliverers in any number of processes claim due messages in small batches, skipping rows
another is claiming (storage/outbox.py), and book each channel's slot in the database so
posts to one channel stay a second apart across processes (bot/pacing.py). A message is
claimed in its own transaction before it is sent. Each post carries its
outbox key in Slack message metadata, so a deliverer that finds a claim abandoned by a
crashed process first asks Slack whether the post went out before posting again. A file
(the digest's chart) is shared with files_upload_v2 and carries no metadata: it is looked
for by its name in its thread instead.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError

from bot import metrics
from bot.logs import request_context
from bot.pacing import ChannelPacer, Pacer, SharedPacer  # noqa: F401 (ChannelPacer: imported from here)
from bot.slack_client import TeamClients, retry_after_seconds
from storage import outbox
from storage.db import Database
from storage.models import OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)

METADATA_EVENT = "pmo_bot_outbox"
CLAIM_LEASE = timedelta(minutes=2)
# Messages claimed at a time: small, so that other deliverers find work meanwhile.
CLAIM_BATCH = 10
MAX_ATTEMPTS = 8
# Errors no retry can fix: the message is marked failed at once.
PERMANENT_ERRORS = {
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "msg_too_long",
    "no_text",
    "invalid_blocks",
    "invalid_blocks_format",
    "too_many_attachments",
    "user_not_found",
    "cant_update_message",
    "message_not_found",
    "edit_window_closed",
    "invalid_auth",
    "not_authed",
    "account_inactive",
    "token_revoked",
    "restricted_action",
    "channel_is_archived",
    "cannot_dm_bot",
}


@dataclass(frozen=True)
class DeliveryReport:
    """What one pass over the outbox did."""

    sent: int = 0
    deferred: int = 0
    failed: int = 0
    next_due: datetime | None = None


@dataclass(frozen=True)
class Waiting:
    """A message that can't go before the one it answers or edits (`key`)."""

    key: str
    parent_due: datetime
    parent_failed: bool


class IncompleteAnswer(Exception):
    """Slack said ok but left out something the deliverer needs (a `ts`, a `channel`)."""


class Posted(NamedTuple):
    """Where Slack put a message: its conversation and `ts` (a shared file may come back
    with only its id)."""

    channel: str
    ts: str | None
    file_id: str | None = None


def answered(answer: Any, method: str, *path: str) -> str:
    """The text at `path` in Slack's answer to `method`, or IncompleteAnswer."""
    value = getattr(answer, "data", answer)
    for name in path:
        value = value.get(name) if isinstance(value, dict) else None
    if not isinstance(value, str) or not value:
        raise IncompleteAnswer(f"{method} answered without {'.'.join(path)}")
    return value


def _shared_file(answer: Any) -> tuple[str | None, str | None]:
    # The file id and, when Slack gives one, the ts of its share in files.completeUploadExternal's
    # answer; either may be missing (the file was shared all the same).
    data = getattr(answer, "data", answer)
    files = data.get("files") if isinstance(data, dict) else None
    shared = files[0] if isinstance(files, list) and files else None
    if not isinstance(shared, dict):
        return None, None
    file_id = shared.get("id") if isinstance(shared.get("id"), str) else None
    shares = shared.get("shares")
    for scope in shares.values() if isinstance(shares, dict) else []:
        for posts in scope.values() if isinstance(scope, dict) else []:
            ts = posts[0].get("ts") if isinstance(posts, list) and posts else None
            if isinstance(ts, str):
                return file_id, ts
    return file_id, None


def _file_named(posted: Any, name: str) -> str | None:
    # The id of the file called `name` that a message in Slack's history shares, if any.
    files = posted.get("files") if isinstance(posted, dict) else None
    for shared in files if isinstance(files, list) else []:
        if isinstance(shared, dict) and shared.get("name") == name:
            return str(shared.get("id") or "") or None
    return None


def _outbox_key(posted: Any) -> str | None:
    # The outbox key a message in Slack's history carries in its metadata, if any.
    metadata = posted.get("metadata") if isinstance(posted, dict) else None
    if not isinstance(metadata, dict) or metadata.get("event_type") != METADATA_EVENT:
        return None
    payload = metadata.get("event_payload")
    key = payload.get("key") if isinstance(payload, dict) else None
    return key if isinstance(key, str) else None


class Courier:
    """A thread that delivers the outbox when asked, so listener threads never wait on Slack.

    `send_soon()` returns at once; the courier then delivers everything due, and sleeps
    until the next deferred message falls due (or `poll` seconds, or the next wake).
    """

    def __init__(self, deliverer: Deliverer, poll: float = 15.0) -> None:
        self.deliverer = deliverer
        self.poll = poll
        self._wake = threading.Event()
        self._changed = threading.Condition()
        self._requested = 0
        self._done = 0
        self._stopped = False
        self._thread: threading.Thread | None = None

    def send_soon(self) -> None:
        """Ask for a delivery pass; starts the thread on first use (after any fork)."""
        with self._changed:
            self._requested += 1
            # A thread started before a fork does not run in the child: start another.
            running = self._thread is not None and self._thread.is_alive()
            if not running and not self._stopped:
                self._thread = threading.Thread(target=self._run, name="courier", daemon=True)
                self._thread.start()
        self._wake.set()

    def wait_idle(self, timeout: float = 20) -> None:
        """Block until every pass asked for so far has run (for tests and shutdown)."""
        with self._changed:
            if not self._changed.wait_for(lambda: self._done >= self._requested, timeout):
                raise TimeoutError("the courier is still delivering")

    def stop(self, timeout: float = 10) -> None:
        """End the thread after its current pass."""
        self._stopped = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=timeout)

    def drain(self, timeout: float) -> None:
        """On the way out: stop the thread, then deliver what is due in the next `timeout`
        seconds (waiting out channel pacing) in this thread. The rest stays in the outbox
        for the next start."""
        deadline = time.monotonic() + timeout
        self.stop(timeout=timeout)
        while time.monotonic() < deadline:
            report = self.deliverer.deliver()
            if report.next_due is None:
                return
            wait = (report.next_due - self.deliverer.clock()).total_seconds()
            if time.monotonic() + wait >= deadline:
                return  # a retry further off than the time left: the next start sends it
            time.sleep(max(wait, 0.05))

    def _run(self) -> None:
        while not self._stopped:
            with self._changed:
                asked = self._requested
            self._wake.clear()
            wait = self.poll
            try:
                report = self.deliverer.deliver()
                if report.next_due is not None:
                    until = (report.next_due - self.deliverer.clock()).total_seconds()
                    wait = min(max(until, 0.05), self.poll)
            except Exception:
                logger.exception("outbox delivery pass failed; retrying in %ss", self.poll)
            with self._changed:
                self._done = asked
                self._changed.notify_all()
            self._wake.wait(timeout=wait)


class Deliverer:
    """Sends due outbox messages through the right workspace's client."""

    def __init__(
        self,
        database: Database,
        clients: TeamClients,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        pacer: Pacer | None = None,
    ) -> None:
        self.database = database
        self.clients = clients
        self.clock = clock
        self.pacer = pacer or SharedPacer(database, clock)

    def deliver(self, limit: int = 200) -> DeliveryReport:
        """Send what is due, up to `limit` messages, a batch claimed at a time."""
        sent = deferred = failed = handled = 0
        while handled < limit:
            with self.database.session() as session:
                claimed = outbox.claim_due(
                    session=session,
                    now=self.clock(),
                    lease=CLAIM_LEASE,
                    limit=min(CLAIM_BATCH, limit - handled),
                )
                for message, _ in claimed:
                    session.expunge(message)
            if not claimed:
                break
            handled += len(claimed)
            for message, uncertain in claimed:
                # Its log lines carry the id of the Slack request that queued it.
                with request_context(request_id=message.request_id, team=message.team_id):
                    outcome = self._deliver_claimed(message, uncertain)
                if isinstance(outcome, float):
                    # The channel is busy: its queue waits for the slot, moved in one
                    # statement rather than claimed and put back one by one.
                    deferred += 1 + self._hold_channel(message, outcome)
                    continue
                sent += outcome == "sent"
                deferred += outcome == "deferred"
                failed += outcome == "failed"
        with self.database.reading() as session:
            next_due = outbox.next_due(session=session)
        return DeliveryReport(sent=sent, deferred=deferred, failed=failed, next_due=next_due)

    def _hold_channel(self, message: OutboxMessage, seconds: float) -> int:
        at = self.clock() + timedelta(seconds=seconds)
        with self.database.session() as session:
            moved = outbox.postpone_channel(
                session=session, team_id=message.team_id, channel=message.channel, at=at
            )
        metrics.DELIVERIES.labels(outcome="postponed").inc(moved)
        return moved

    def _deliver_claimed(self, message: OutboxMessage, uncertain: bool) -> str | float:
        # "sent", "deferred", "failed", or the seconds its channel is busy for. The claim
        # (and its attempt) is committed: whatever happens now is recorded on it.
        try:
            return self._attempt(message, uncertain)
        except Exception as exc:
            logger.error(
                "outbox %s: unexpected %s on attempt %s of %s; retrying later",
                message.key,
                type(exc).__name__,
                message.attempts,
                MAX_ATTEMPTS,
                exc_info=True,
            )
            try:
                # It may have reached Slack before the error: look before posting again.
                return self._retry_later(
                    message, f"unexpected {type(exc).__name__}: {exc}", maybe_posted=True
                )
            except Exception:
                # Even recording the failure failed (the database is down): the claim
                # lapses and the message is tried again.
                logger.exception("outbox %s: could not record the failure", message.key)
                return "deferred"

    def _attempt(self, message: OutboxMessage, uncertain: bool) -> str:
        with self.database.reading() as session:
            target = self._target(session, message)
        if isinstance(target, Waiting):
            if target.parent_failed:
                return self._fail(message, f"the message it depends on ({target.key}) failed")
            wait = max((target.parent_due - self.clock()).total_seconds(), 1)
            return self._defer(
                message,
                f"waiting for {target.key} to be posted",
                seconds=wait,
                maybe_posted=uncertain,
            )
        client = self.clients.for_team(message.team_id)
        if client is None:
            return self._fail(message, "pmo-bot is not installed in this workspace")
        wait = self.pacer.reserve(message.team_id, target["channel"])
        if wait > 0:
            # Never sleep here: the slot comes back to whoever delivers next.
            self._defer(message, "pacing the channel", seconds=wait, maybe_posted=uncertain)
            return wait
        try:
            if uncertain and message.update_key is None:
                # An earlier attempt may have posted it unheard (crash, timeout, 5xx).
                found = self._find_posted(client, message, target)
                if found is not None:
                    return self._sent(message, found)
            posted = self._send(client, message, target)
        except SlackApiError as exc:
            return self._handle_api_error(message, exc, uncertain)
        except IncompleteAnswer as exc:
            logger.warning("outbox %s: %s; retrying later", message.key, exc)
            return self._retry_later(message, str(exc), maybe_posted=True)
        except (URLError, OSError) as exc:
            return self._retry_later(message, f"connection: {exc}", maybe_posted=True)
        return self._sent(message, posted)

    def _target(self, session: Any, message: OutboxMessage) -> dict[str, str] | Waiting:
        # Where the message goes, unless a message it answers, edits or links to is not
        # posted yet.
        target = {"channel": message.channel}
        for parent_key, role in (
            (message.update_key or message.thread_key, "parent"),
            (message.link_key, "link"),
        ):
            if parent_key is None:
                continue
            parent = outbox.find(session=session, team_id=message.team_id, key=parent_key)
            if parent is None:
                return Waiting(parent_key, self.clock() + timedelta(seconds=5), False)
            if parent.status == OutboxStatus.FAILED:
                return Waiting(parent_key, self.clock(), True)
            if parent.ts is None or parent.posted_channel is None:
                return Waiting(parent_key, parent.next_attempt_at, False)
            if role == "parent":
                target = {"channel": parent.posted_channel, "ts": parent.ts}
            else:
                target["link_channel"], target["link_ts"] = parent.posted_channel, parent.ts
        return target

    def _send(self, client: WebClient, message: OutboxMessage, target: dict[str, str]) -> Posted:
        if message.file_data is not None:
            return self._upload(client, message, target)
        if "link_ts" in target:
            permalink = answered(
                client.chat_getPermalink(
                    channel=target["link_channel"], message_ts=target["link_ts"]
                ),
                "chat.getPermalink",
                "permalink",
            )
            message.text = message.text.replace("{link}", permalink)
            message.blocks = json.loads(json.dumps(message.blocks).replace("{link}", permalink))
        if message.update_key is not None:
            response = client.chat_update(
                channel=target["channel"],
                ts=target["ts"],
                text=message.text,
                blocks=message.blocks or None,
            )
            return Posted(
                answered(response, "chat.update", "channel"),
                answered(response, "chat.update", "ts"),
            )
        response = client.chat_postMessage(
            channel=target["channel"],
            thread_ts=target.get("ts"),
            text=message.text,
            blocks=message.blocks or None,
            unfurl_links=False,
            unfurl_media=False,
            metadata={"event_type": METADATA_EVENT, "event_payload": {"key": message.key}},
        )
        return Posted(
            answered(response, "chat.postMessage", "channel"),
            answered(response, "chat.postMessage", "ts"),
        )

    def _upload(self, client: WebClient, message: OutboxMessage, target: dict[str, str]) -> Posted:
        # A file (a chart): an upload URL, the bytes, then the share into the conversation.
        channel = _conversation(client, target["channel"])
        try:
            response = client.files_upload_v2(
                channel=channel,
                thread_ts=target.get("ts"),
                file=message.file_data,
                filename=message.file_name,
                title=message.file_title,
                alt_txt=message.file_alt_text,
                initial_comment=message.text or None,
            )
        except (SlackRequestError, ValueError, TypeError) as exc:
            # files_upload_v2 reads Slack's answers unchecked: a missing upload_url or
            # `files` ends here, the share perhaps done.
            raise IncompleteAnswer(f"files_upload_v2 did not finish: {exc}") from exc
        file_id, ts = _shared_file(response)
        if file_id is None:
            logger.warning("outbox %s: Slack shared the file without its id", message.key)
        return Posted(channel, ts, file_id)

    def _find_posted(
        self, client: WebClient, message: OutboxMessage, target: dict[str, str]
    ) -> Posted | None:
        channel = _conversation(client, target["channel"])
        oldest = (message.created_at - timedelta(minutes=1)).timestamp()
        if "ts" in target:
            history = client.conversations_replies(
                channel=channel, ts=target["ts"], oldest=f"{oldest:.6f}", include_all_metadata=True
            )
        else:
            history = client.conversations_history(
                channel=channel, oldest=f"{oldest:.6f}", include_all_metadata=True, limit=200
            )
        posts = history.get("messages")
        if not isinstance(posts, list):
            # Unable to tell whether it went out; posting now could double it.
            raise IncompleteAnswer("the history answer has no messages")
        for posted in posts:
            if message.file_name is not None:
                # A shared file carries no metadata: it is the one of that name in the thread.
                file_id = _file_named(posted, message.file_name)
                if file_id is not None:
                    logger.info("outbox %s was already shared as %s", message.key, file_id)
                    ts = posted.get("ts")
                    return Posted(channel, ts if isinstance(ts, str) else None, file_id)
            elif _outbox_key(posted) == message.key:
                ts = answered(posted, "the history answer", "ts")
                logger.info("outbox %s was already posted as %s", message.key, ts)
                return Posted(channel, ts)
        return None

    def _handle_api_error(self, message: OutboxMessage, exc: SlackApiError, uncertain: bool) -> str:
        response = exc.response
        status = getattr(response, "status_code", 200)
        error = (response.data or {}).get("error") if isinstance(response.data, dict) else None
        if status == 429 or error == "ratelimited":
            wait = retry_after_seconds(dict(response.headers or {}))
            # Refused, not posted; an earlier attempt still may have been.
            return self._defer(
                message, f"rate limited for {wait}s", seconds=wait, maybe_posted=uncertain
            )
        if error in PERMANENT_ERRORS:
            return self._fail(message, error or "error")
        # A 5xx may come after Slack stored the message; an ok:false answer never does.
        return self._retry_later(message, error or f"HTTP {status}", maybe_posted=status >= 500)

    def _retry_later(self, message: OutboxMessage, error: str, maybe_posted: bool) -> str:
        if message.attempts >= MAX_ATTEMPTS:
            return self._fail(message, f"gave up after {message.attempts} attempts: {error}")
        backoff = min(30 * 2 ** (message.attempts - 1), 3600)
        return self._defer(
            message, error, count_attempt=True, seconds=backoff, maybe_posted=maybe_posted
        )

    def _defer(
        self,
        message: OutboxMessage,
        reason: str,
        count_attempt: bool = False,
        seconds: float = 5,
        maybe_posted: bool = False,
    ) -> str:
        logger.info("outbox %s deferred %ss: %s", message.key, seconds, reason)
        # An attempt that counts is a retry; pacing, 429s and waiting on a parent postpone.
        metrics.DELIVERIES.labels(outcome="retried" if count_attempt else "postponed").inc()
        with self.database.session() as session:
            outbox.reschedule(
                session=session,
                message_id=message.id or 0,
                at=self.clock() + timedelta(seconds=seconds),
                error=reason,
                count_attempt=count_attempt,
                maybe_posted=maybe_posted,
            )
        return "deferred"

    def _fail(self, message: OutboxMessage, error: str) -> str:
        logger.error(
            "outbox %s to %s failed for good: %s (pmo-bot outbox retry %s)",
            message.key,
            message.channel,
            error,
            message.id,
        )
        with self.database.session() as session:
            outbox.mark_failed(session=session, message_id=message.id or 0, error=error)
        metrics.DELIVERIES.labels(outcome="failed").inc()
        return "failed"

    def _sent(self, message: OutboxMessage, posted: Posted) -> str:
        logger.info("outbox %s sent to %s (ts %s)", message.key, posted.channel, posted.ts)
        with self.database.session() as session:
            outbox.mark_sent(
                session=session,
                message_id=message.id or 0,
                channel=posted.channel,
                ts=posted.ts,
                file_id=posted.file_id,
                now=self.clock(),
            )
        metrics.DELIVERIES.labels(outcome="sent").inc()
        return "sent"


def _conversation(client: WebClient, channel: str) -> str:
    """The conversation id for `channel`: a user id opens (or finds) the DM with them."""
    if not channel.startswith(("U", "W")):
        return channel
    opened = client.conversations_open(users=channel)
    return answered(opened, "conversations.open", "channel", "id")
