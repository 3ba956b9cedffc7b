"""Acknowledgements of status updates: queries only, every one scoped by workspace."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.models import Acknowledgement, AuditEvent, StatusUpdate


def update_to_acknowledge(*, session: Session, team_id: str, update_id: int) -> StatusUpdate | None:
    """One status update of the workspace, its row held until the transaction ends, so
    the acknowledgements of one update are stored one at a time."""
    return session.exec(
        select(StatusUpdate)
        .where(StatusUpdate.team_id == team_id, StatusUpdate.id == update_id)
        .with_for_update()
    ).first()


def acknowledgement_by(
    *, session: Session, team_id: str, update_id: int, user_id: str
) -> Acknowledgement | None:
    """The person's acknowledgement of the update, if they gave one."""
    return session.exec(
        select(Acknowledgement).where(
            Acknowledgement.team_id == team_id,
            Acknowledgement.update_id == update_id,
            Acknowledgement.user_id == user_id,
        )
    ).first()


def acknowledgements_of(
    *, session: Session, team_id: str, update_ids: Collection[int]
) -> dict[int, list[Acknowledgement]]:
    """For each update, its acknowledgements, first given first (one query; an update
    nobody acknowledged has an empty list)."""
    found: dict[int, list[Acknowledgement]] = {update_id: [] for update_id in update_ids}
    if not found:
        return found
    rows = session.exec(
        select(Acknowledgement)
        .where(
            Acknowledgement.team_id == team_id,
            col(Acknowledgement.update_id).in_(list(found)),
        )
        .order_by(col(Acknowledgement.created_at), col(Acknowledgement.id))
    )
    for row in rows:
        found[row.update_id].append(row)
    return found


def acknowledged_update_ids(
    *,
    session: Session,
    team_id: str,
    update_ids: Collection[int],
    user_id: str | None = None,
) -> set[int]:
    """Which of the updates someone acknowledged (`user_id`: that person)."""
    if not update_ids:
        return set()
    statement = select(Acknowledgement.update_id).where(
        Acknowledgement.team_id == team_id,
        col(Acknowledgement.update_id).in_(list(update_ids)),
    )
    if user_id is not None:
        statement = statement.where(Acknowledgement.user_id == user_id)
    return set(session.exec(statement.distinct()))


def changes_recorded(
    *, session: Session, team_id: str, update_id: int, actions: Collection[str]
) -> int:
    """How many audit rows of these actions the update has: each acknowledgement or new
    comment writes one, so the count numbers the versions of the update's post."""
    return session.exec(
        select(func.count()).where(
            AuditEvent.team_id == team_id,
            AuditEvent.entity == "status_update",
            AuditEvent.entity_id == str(update_id),
            col(AuditEvent.action).in_(list(actions)),
        )
    ).one()
