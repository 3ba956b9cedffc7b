"""Kudos given: queries only, every one scoped by workspace."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from storage.models import Kudos


def kudos_between(*, session: Session, team_id: str, start: datetime, end: datetime) -> int:
    """How many thank-yous were given in [start, end)."""
    return session.exec(
        select(func.count())
        .select_from(Kudos)
        .where(Kudos.team_id == team_id, Kudos.created_at >= start, Kudos.created_at < end)
    ).one()
