"""The outbox table: messages waiting for Slack, claimed one at a time by a deliverer."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.models import OutboxMessage, OutboxStatus


def enqueue(
    *,
    session: Session,
    team_id: str,
    key: str,
    channel: str,
    text: str,
    blocks: list[dict[str, Any]] | None = None,
    thread_key: str | None = None,
    update_key: str | None = None,
    link_key: str | None = None,
    file_name: str | None = None,
    file_title: str | None = None,
    file_alt_text: str | None = None,
    file_data: bytes | None = None,
    now: datetime,
) -> tuple[OutboxMessage, bool]:
    """Store a message to send unless one with this key exists; returns (row, created).

    With `file_data` it is a file to share (named `file_name`), `text` its comment."""
    existing = find(session=session, team_id=team_id, key=key)
    if existing is not None:
        return existing, False
    message = OutboxMessage(
        team_id=team_id,
        key=key,
        channel=channel,
        text=text,
        blocks=blocks or [],
        thread_key=thread_key,
        update_key=update_key,
        link_key=link_key,
        file_name=file_name,
        file_title=file_title,
        file_alt_text=file_alt_text,
        file_data=file_data,
        next_attempt_at=now,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(message)
    except IntegrityError:
        # A concurrent transaction stored the same key first: theirs is the one.
        existing = find(session=session, team_id=team_id, key=key)
        assert existing is not None
        return existing, False
    return message, True


def find(*, session: Session, team_id: str, key: str) -> OutboxMessage | None:
    """The message stored under `key`, if any."""
    return session.exec(
        select(OutboxMessage).where(OutboxMessage.team_id == team_id, OutboxMessage.key == key)
    ).first()


def due_messages(
    *, session: Session, now: datetime, limit: int, keys: Iterable[tuple[str, str]] | None = None
) -> list[tuple[int, str]]:
    """Messages ready to go, as (id, channel): pending and due, or stuck in sending past
    their claim."""
    ready = or_(
        (col(OutboxMessage.status) == OutboxStatus.PENDING)
        & (col(OutboxMessage.next_attempt_at) <= now),
        (col(OutboxMessage.status) == OutboxStatus.SENDING)
        & (col(OutboxMessage.claimed_until) < now),
    )
    statement = select(OutboxMessage.id, OutboxMessage.channel).where(ready)
    if keys is not None:
        wanted = list(keys)
        if not wanted:
            return []
        statement = statement.where(
            or_(
                *(
                    (col(OutboxMessage.team_id) == team) & (col(OutboxMessage.key) == key)
                    for team, key in wanted
                )
            )
        )
    statement = statement.order_by(col(OutboxMessage.id)).limit(limit)
    return [(message_id, channel) for message_id, channel in session.exec(statement) if message_id]


def next_due(*, session: Session) -> datetime | None:
    """When the earliest pending message falls due, if any is pending."""
    return session.exec(
        select(func.min(OutboxMessage.next_attempt_at)).where(
            col(OutboxMessage.status) == OutboxStatus.PENDING
        )
    ).one()


def claim(
    *, session: Session, message_id: int, now: datetime, lease: timedelta
) -> tuple[OutboxMessage, bool] | None:
    """Take the message for delivery; None when it is not due or another deliverer has it.

    Also says whether an earlier attempt may have reached Slack unheard (a crash, a
    timeout, a 5xx), in which case the deliverer must look before posting again.
    """
    message = session.get(OutboxMessage, message_id)
    if message is None or not _ready(message, now):
        return None
    uncertain = message.status == OutboxStatus.SENDING or message.maybe_posted
    # The attempt counter doubles as a version: only one claimer can move it on.
    result = session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.id) == message_id,
            col(OutboxMessage.status) == message.status,
            col(OutboxMessage.attempts) == message.attempts,
        )
        .values(
            status=OutboxStatus.SENDING,
            claimed_until=now + lease,
            attempts=message.attempts + 1,
            maybe_posted=True,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    session.refresh(message)
    return message, uncertain


def _ready(message: OutboxMessage, now: datetime) -> bool:
    if message.status == OutboxStatus.PENDING:
        return message.next_attempt_at <= now
    if message.status == OutboxStatus.SENDING:
        return message.claimed_until is not None and message.claimed_until < now
    return False


def mark_sent(
    *,
    session: Session,
    message_id: int,
    channel: str,
    ts: str | None,
    now: datetime,
    file_id: str | None = None,
) -> None:
    """Record that Slack has the message, and where (a shared file may come back with its
    id and no `ts`)."""
    message = session.get(OutboxMessage, message_id)
    assert message is not None
    message.status = OutboxStatus.SENT
    message.maybe_posted = False
    message.posted_channel = channel
    message.ts = ts
    message.file_id = file_id
    message.sent_at = now
    message.claimed_until = None
    message.last_error = None
    session.add(message)


def reschedule(
    *,
    session: Session,
    message_id: int,
    at: datetime,
    error: str | None,
    count_attempt: bool,
    maybe_posted: bool,
) -> None:
    """Put the message back in line for `at`; `count_attempt` False gives the attempt back."""
    message = session.get(OutboxMessage, message_id)
    assert message is not None
    message.status = OutboxStatus.PENDING
    message.maybe_posted = maybe_posted
    message.next_attempt_at = at
    message.claimed_until = None
    message.last_error = error[:500] if error else None
    if not count_attempt:
        message.attempts = max(message.attempts - 1, 0)
    session.add(message)


def postpone(*, session: Session, ids: list[int], at: datetime) -> None:
    """Move pending messages to `at` in one statement (a channel busy for a while)."""
    if ids:
        session.execute(
            update(OutboxMessage)
            .where(
                col(OutboxMessage.id).in_(ids), col(OutboxMessage.status) == OutboxStatus.PENDING
            )
            .values(next_attempt_at=at)
        )


def mark_failed(*, session: Session, message_id: int, error: str) -> None:
    """Give up on the message; `pmo-bot outbox` lists it and can retry it."""
    message = session.get(OutboxMessage, message_id)
    assert message is not None
    message.status = OutboxStatus.FAILED
    message.claimed_until = None
    message.last_error = error[:500]
    session.add(message)


def list_messages(
    *, session: Session, statuses: list[OutboxStatus] | None = None, limit: int = 100
) -> list[OutboxMessage]:
    """The newest messages, optionally only those in some statuses."""
    statement = select(OutboxMessage)
    if statuses:
        statement = statement.where(col(OutboxMessage.status).in_([s.value for s in statuses]))
    return list(session.exec(statement.order_by(col(OutboxMessage.id).desc()).limit(limit)))


def requeue_failed(*, session: Session, now: datetime, ids: list[int] | None = None) -> int:
    """Put failed messages (all, or those in `ids`) back in line; returns how many."""
    statement = (
        update(OutboxMessage)
        .where(col(OutboxMessage.status) == OutboxStatus.FAILED)
        .values(status=OutboxStatus.PENDING, next_attempt_at=now, attempts=0)
        .execution_options(synchronize_session=False)
    )
    if ids is not None:
        statement = statement.where(col(OutboxMessage.id).in_(ids))
    return session.execute(statement).rowcount  # type: ignore[attr-defined]


def backlog(*, session: Session) -> tuple[int, datetime | None]:
    """How many messages wait to be delivered (pending or being sent), and when the oldest
    of them was queued: one query on the status index, cheap enough for every scrape."""
    waiting = col(OutboxMessage.status).in_([OutboxStatus.PENDING, OutboxStatus.SENDING])
    count, oldest = session.exec(
        select(func.count(), func.min(OutboxMessage.created_at)).where(waiting)
    ).one()
    return count, oldest
