"""The append-only audit trail: one row per state change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, col, select

from storage.models import AuditEvent


def record(
    *,
    session: Session,
    team_id: str,
    actor: str,
    action: str,
    entity: str,
    entity_id: str | int,
    at: datetime,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit row in the caller's transaction, so it commits with the change."""
    event = AuditEvent(
        team_id=team_id,
        actor=actor,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        at=at,
        detail=detail or {},
    )
    session.add(event)
    return event


def record_many(*, session: Session, events: list[dict[str, Any]]) -> None:
    """Write many audit rows (each given as `record`'s arguments but the session) in one
    statement, in the caller's transaction: a job may note hundreds at once."""
    if events:
        rows = [
            {**event, "entity_id": str(event["entity_id"]), "detail": event.get("detail") or {}}
            for event in events
        ]
        session.execute(insert(AuditEvent), rows)


def events_for(
    *, session: Session, team_id: str, entity: str, entity_id: str | int, limit: int = 100
) -> list[AuditEvent]:
    """The audit rows of one thing, oldest first."""
    statement = (
        select(AuditEvent)
        .where(
            AuditEvent.team_id == team_id,
            AuditEvent.entity == entity,
            AuditEvent.entity_id == str(entity_id),
        )
        .order_by(col(AuditEvent.at), col(AuditEvent.id))
        .limit(limit)
    )
    return list(session.exec(statement))


def has_event(*, session: Session, team_id: str, action: str) -> bool:
    """Whether the workspace's audit trail holds any row of this action."""
    statement = (
        select(AuditEvent.id)
        .where(AuditEvent.team_id == team_id, AuditEvent.action == action)
        .limit(1)
    )
    return session.exec(statement).first() is not None
