"""What was sent (or is on its way): read-only questions about the outbox, by message key.

Workflows ask these to avoid deciding twice (a nudge already sent, a digest already
stored for its period) or to point at a message that exists; only bot/ writes the
outbox (storage/outbox.py).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, String, any_, bindparam, func, literal_column
from sqlalchemy.dialects import postgresql
from sqlmodel import Session, col, select

from storage.models import OutboxMessage, OutboxStatus


class SentMessage(NamedTuple):
    """A message Slack has: its key, and when it was posted."""

    key: str
    sent_at: datetime


def exists(*, session: Session, team_id: str, key: str) -> bool:
    """True when a message is stored under `key`, whether delivered yet or not."""
    found = session.exec(
        select(OutboxMessage.id).where(OutboxMessage.team_id == team_id, OutboxMessage.key == key)
    ).first()
    return found is not None


def first_sent_after(
    *, session: Session, team_id: str, key_prefix: str, after: datetime | None
) -> SentMessage | None:
    """The earliest message posted after `after` (any time, when None) whose key starts
    with `key_prefix`."""
    statement = select(OutboxMessage.key, OutboxMessage.sent_at).where(
        OutboxMessage.team_id == team_id,
        col(OutboxMessage.key).startswith(key_prefix, autoescape=True),
        col(OutboxMessage.status) == OutboxStatus.SENT,
        col(OutboxMessage.sent_at).is_not(None),
    )
    if after is not None:
        statement = statement.where(col(OutboxMessage.sent_at) > after)
    row = session.exec(statement.order_by(col(OutboxMessage.sent_at)).limit(1)).first()
    return SentMessage(key=row[0], sent_at=row[1]) if row is not None else None


def first_sent_after_each(
    *, session: Session, team_id: str, after: dict[str, datetime | None]
) -> dict[str, SentMessage]:
    """For each key prefix in `after` (each ending with ":", as message keys are built), the
    earliest message posted after its moment (any time, when None) whose key starts with
    it: `first_sent_after` for many prefixes at once, in one statement."""
    if not after:
        return {}
    statement = select(OutboxMessage.key, OutboxMessage.sent_at).where(
        OutboxMessage.team_id == team_id,
        col(OutboxMessage.key).startswith(_shared_start(list(after)), autoescape=True),
        col(OutboxMessage.status) == OutboxStatus.SENT,
        col(OutboxMessage.sent_at).is_not(None),
    )
    if None not in after.values():
        earliest = min(moment for moment in after.values() if moment is not None)
        statement = statement.where(col(OutboxMessage.sent_at) > earliest)
    found: dict[str, SentMessage] = {}
    for key, sent_at in session.exec(statement.order_by(col(OutboxMessage.sent_at))):
        # The prefixes this key has: up to each ":" in it.
        ends = (n + 1 for n, char in enumerate(key) if char == ":")
        for prefix in (key[:end] for end in ends):
            if prefix in after and prefix not in found:
                moment = after[prefix]
                if moment is None or sent_at > moment:
                    found[prefix] = SentMessage(key=key, sent_at=sent_at)
    return found


def _shared_start(words: list[str]) -> str:
    # What all the words start with (the first and last in order share the least).
    first, last = min(words), max(words)
    length = 0
    while length < min(len(first), len(last)) and first[length] == last[length]:
        length += 1
    return first[:length]


def existing(*, session: Session, team_id: str, keys: list[str]) -> set[str]:
    """Those of `keys` under which a message is stored, delivered yet or not (one statement,
    however many keys)."""
    if not keys:
        return set()
    statement = select(OutboxMessage.key).where(
        OutboxMessage.team_id == team_id, _one_of(session, col(OutboxMessage.key), keys)
    )
    return set(session.exec(statement))


def _one_of(session: Session, column: Any, values: list[str]) -> ColumnElement[bool]:
    # `column IN (...)` with the values bound as one parameter, so that the statement is one
    # and the same for ten keys or twenty thousand (the nudge job's): an array on
    # PostgreSQL, a JSON array SQLite unpacks with json_each.
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam("keys", values, type_=postgresql.ARRAY(String)))
    unpacked = select(literal_column("value")).select_from(
        func.json_each(bindparam("keys", json.dumps(values)))
    )
    return column.in_(unpacked)
