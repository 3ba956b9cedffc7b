"""Which Slack requests were already handled: the database remembers, across processes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from storage.models import SeenRequest

# INSERT ... ON CONFLICT DO NOTHING, in each database's own dialect.
INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def first_sighting(*, session: Session, key: str, team_id: str | None, now: datetime) -> bool:
    """Record the request `key`; True if no process had recorded it before."""
    insert = INSERTS[session.get_bind().dialect.name]
    statement = (
        insert(SeenRequest)
        .values(key=key, team_id=team_id, seen_at=now)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(col(SeenRequest.key))
    )
    # A row comes back only if this insert made it (INSERT's rowcount is not reliable).
    return session.execute(statement).first() is not None


def forget_before(*, session: Session, before: datetime) -> int:
    """Forget the requests seen before `before`; returns how many."""
    result = session.execute(delete(SeenRequest).where(col(SeenRequest.seen_at) < before))
    return result.rowcount  # type: ignore[attr-defined]
