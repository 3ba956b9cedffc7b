"""Which Slack requests were already handled: the database remembers, across processes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from storage.models import SeenRequest


def _record(insert: Any) -> Any:
    # INSERT ... ON CONFLICT DO NOTHING RETURNING key, built once: each request runs it.
    table = SeenRequest.__table__  # type: ignore[attr-defined]
    return (
        insert(table)
        .values(key=bindparam("key"), team_id=bindparam("team_id"), seen_at=bindparam("seen_at"))
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(table.c.key)
    )


RECORDS = {"postgresql": _record(postgresql.insert), "sqlite": _record(sqlite.insert)}


def first_sighting(*, connection: Connection, key: str, team_id: str | None, now: datetime) -> bool:
    """Record the request `key`; True if no process had recorded it before."""
    record = RECORDS[connection.dialect.name]
    # A row comes back only if this insert made it (INSERT's rowcount is not reliable).
    seen = connection.execute(record, {"key": key, "team_id": team_id, "seen_at": now})
    return seen.first() is not None


def forget_before(*, session: Session, before: datetime) -> int:
    """Forget the requests seen before `before`; returns how many."""
    result = session.execute(delete(SeenRequest).where(col(SeenRequest.seen_at) < before))
    return result.rowcount  # type: ignore[attr-defined]
