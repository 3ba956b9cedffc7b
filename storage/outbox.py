"""The outbox table: messages waiting for Slack, claimed in small batches by deliverers
that may run in many processes at once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    bindparam,
    exists,
    func,
    insert,
    or_,
    update,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from storage import sent_messages
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
    request_id: str | None = None,
    now: datetime,
) -> tuple[OutboxMessage, bool]:
    """Store a message to send unless one with this key exists; returns (row, created).

    With `file_data` it is a file to share (named `file_name`), `text` its comment;
    `request_id` names the Slack request that queued it, for the delivery's log lines."""
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
        request_id=request_id,
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


def enqueue_many(*, session: Session, messages: list[dict[str, Any]], now: datetime) -> int:
    """`enqueue` for many messages at once (each given as `enqueue`'s arguments but the
    session and the time): a statement per workspace to find those already stored, one
    insert for the others; returns how many were stored. Should a concurrent transaction
    store one of the keys first, each is stored as `enqueue` stores it, one at a time."""
    stored: set[tuple[str, str]] = set()
    keys_by_team: dict[str, list[str]] = {}
    for message in messages:
        keys_by_team.setdefault(message["team_id"], []).append(message["key"])
    for team_id, keys in keys_by_team.items():
        found = sent_messages.existing(session=session, team_id=team_id, keys=keys)
        stored.update((team_id, key) for key in found)
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for message in messages:
        name = (message["team_id"], message["key"])
        if name not in stored and name not in rows:  # the first of a key wins, as one by one
            rows[name] = _row(message, now)
    if not rows:
        return 0
    try:
        with session.begin_nested():
            _insert_rows(session, list(rows.values()))
    except IntegrityError:
        return sum(
            enqueue(session=session, now=now, **message)[1]
            for message in messages
            if (message["team_id"], message["key"]) in rows
        )
    return len(rows)


def _insert_rows(session: Session, rows: list[dict[str, Any]]) -> None:
    # Into the table itself, each value converted here as SQLAlchemy's insert converts it:
    # the insert's own handling of each row and value cost more than the database (14,000
    # nudges, bench/nudge_bench.py). On PostgreSQL through psycopg, by COPY.
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        _copy_rows(connection, rows)
    elif dialect.name == "sqlite":
        columns, values = _stored_values(dialect, rows)
        marks = ", ".join("?" for _ in columns)
        names = ", ".join(columns)
        statement = f"INSERT INTO {_TABLE} ({names}) VALUES ({marks})"
        connection.exec_driver_sql(statement, list(values))
    else:
        session.execute(insert(OutboxMessage.__table__), rows)


_TABLE = OutboxMessage.__tablename__


def _copy_rows(connection: Connection, rows: list[dict[str, Any]]) -> None:
    # A refused row (a key stored meanwhile) raises IntegrityError, as the insert would.
    dialect = connection.dialect
    columns, values = _stored_values(dialect, rows)
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(f"COPY {_TABLE} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in values:
                copy.write_row(row)
    except dialect.dbapi.IntegrityError as refused:  # type: ignore[union-attr]
        raise IntegrityError("COPY outbox", None, refused) from refused
    finally:
        cursor.close()


def _stored_values(
    dialect: Dialect, rows: list[dict[str, Any]]
) -> tuple[list[str], Iterator[tuple[Any, ...]]]:
    # What the insert would store, column by column: each value as given, or the column's
    # default, through the column type's own conversion for the database (UTC datetimes,
    # JSON, bytes); an Enum as its value. Returns the quoted column names and each row's
    # values in their order, made as they are read (COPY streams them).
    columns = [column for column in OutboxMessage.__table__.columns if not column.primary_key]
    plan = [
        (
            column.name,
            column.type.dialect_impl(dialect).bind_processor(dialect) or _same,
            _default(column),
        )
        for column in columns
    ]
    values = (
        tuple(
            [
                None
                if (value := row.get(name, default)) is None
                else convert(value.value if isinstance(value, Enum) else value)
                for name, convert, default in plan
            ]
        )
        for row in rows
    )
    quote = dialect.identifier_preparer.quote
    return [quote(column.name) for column in columns], values


def _same(value: Any) -> Any:
    return value


def _default(column: Column[Any]) -> Any:
    # The value an insert gives a column it is not given: its default, or NULL.
    default = column.default
    if default is None:
        return None
    if default.is_callable:
        return default.arg(None)  # type: ignore[attr-defined]
    return default.arg  # type: ignore[attr-defined]


def _row(message: dict[str, Any], now: datetime) -> dict[str, Any]:
    # An outbox row's columns, as `enqueue` fills them.
    return {
        "thread_key": None,
        "update_key": None,
        "link_key": None,
        "file_name": None,
        "file_title": None,
        "file_alt_text": None,
        "file_data": None,
        "request_id": None,
        **message,
        "blocks": message.get("blocks") or [],
        "next_attempt_at": now,
        "created_at": now,
    }


def find(*, session: Session, team_id: str, key: str) -> OutboxMessage | None:
    """The message stored under `key`, if any."""
    return session.exec(
        select(OutboxMessage).where(OutboxMessage.team_id == team_id, OutboxMessage.key == key)
    ).first()


def next_due(*, session: Session) -> datetime | None:
    """When the earliest pending message falls due, if any is pending."""
    return session.exec(
        select(func.min(OutboxMessage.next_attempt_at)).where(
            col(OutboxMessage.status) == OutboxStatus.PENDING
        )
    ).one()


WAITING = (OutboxStatus.PENDING, OutboxStatus.SENDING)


def _waiting(status: Any) -> ColumnElement[bool]:
    # `status IN ('pending', 'sending')` with the values written out, as the partial index's
    # own condition is: a database uses that index only for a query it can see implies it.
    return col(status).in_(
        bindparam("waiting", list(WAITING), expanding=True, literal_execute=True)
    )


def claim_due(
    *, session: Session, now: datetime, lease: timedelta, limit: int
) -> list[tuple[OutboxMessage, bool]]:
    """Take up to `limit` due messages for delivery until now + lease, oldest first; each
    comes with whether an earlier attempt may have reached Slack unheard (a crash, a
    timeout, a 5xx), in which case the deliverer must look before posting again.

    Rows another deliverer is claiming are skipped, never waited for (FOR UPDATE SKIP
    LOCKED on PostgreSQL; SQLite has one writer at a time). A message is taken only when
    no older one of its channel is due or being sent: a channel's messages go in order
    however many deliverers run, at most one of them per claim.
    """
    ready = or_(
        (col(OutboxMessage.status) == OutboxStatus.PENDING)
        & (col(OutboxMessage.next_attempt_at) <= now),
        (col(OutboxMessage.status) == OutboxStatus.SENDING)
        & (col(OutboxMessage.claimed_until) < now),
    )
    older = aliased(OutboxMessage)
    behind = exists().where(
        older.team_id == OutboxMessage.team_id,
        older.channel == OutboxMessage.channel,
        _waiting(older.status),
        col(older.id) < OutboxMessage.id,
        or_(col(older.status) == OutboxStatus.SENDING, col(older.next_attempt_at) <= now),
    )
    found = session.exec(
        select(OutboxMessage)
        # Said again, on its own and in so many words, so that the database reads only the
        # waiting messages (the partial index ix_outbox_channel_waiting holds them), never
        # every message ever sent.
        .where(_waiting(OutboxMessage.status), ready, ~behind)
        .order_by(col(OutboxMessage.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    uncertain = {m.id: m.status == OutboxStatus.SENDING or m.maybe_posted for m in found}
    if not found:
        return []
    session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id).in_(uncertain))
        .values(
            status=OutboxStatus.SENDING,
            claimed_until=now + lease,
            attempts=col(OutboxMessage.attempts) + 1,
            # Until an outcome is recorded, a post may have gone out unheard.
            maybe_posted=True,
        )
        .execution_options(synchronize_session=False)
    )
    claimed = session.exec(
        select(OutboxMessage)
        .where(col(OutboxMessage.id).in_(uncertain))
        .order_by(col(OutboxMessage.id))
        .execution_options(populate_existing=True)
    ).all()
    return [(message, uncertain[message.id]) for message in claimed]


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
    session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id)
        .values(
            status=OutboxStatus.SENT,
            maybe_posted=False,
            posted_channel=channel,
            ts=ts,
            file_id=file_id,
            sent_at=now,
            claimed_until=None,
            last_error=None,
        )
        .execution_options(synchronize_session=False)
    )


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


def postpone_channel(*, session: Session, team_id: str, channel: str, at: datetime) -> int:
    """Move the channel's pending messages due before `at` to `at`, in one statement (the
    channel is busy until then); returns how many moved."""
    return session.execute(  # type: ignore[attr-defined]
        update(OutboxMessage)
        .where(
            col(OutboxMessage.team_id) == team_id,
            col(OutboxMessage.channel) == channel,
            col(OutboxMessage.status) == OutboxStatus.PENDING,
            col(OutboxMessage.next_attempt_at) < at,
        )
        .values(next_attempt_at=at)
        .execution_options(synchronize_session=False)
    ).rowcount


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


def failed_count(*, session: Session) -> int:
    """How many messages were given up on (`pmo-bot outbox retry` puts them back in line)."""
    failed = col(OutboxMessage.status) == OutboxStatus.FAILED
    return session.exec(select(func.count()).where(failed)).one()
