"""A lease in the database: at most one holder at a time, for a while, renewed by it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from storage.models import SchedulerLease


def acquire(*, session: Session, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
    """Take or renew the lease `name` for `holder` until now + ttl; False if another holds it."""
    renewed = session.execute(
        update(SchedulerLease)
        .where(
            col(SchedulerLease.name) == name,
            or_(col(SchedulerLease.holder) == holder, col(SchedulerLease.expires_at) < now),
        )
        .values(holder=holder, expires_at=now + ttl)
        .execution_options(synchronize_session=False)
    )
    if renewed.rowcount == 1:  # type: ignore[attr-defined]
        return True
    if session.get(SchedulerLease, name) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(SchedulerLease(name=name, holder=holder, expires_at=now + ttl))
    except IntegrityError:
        return False  # another process created it first
    return True


def holds(*, session: Session, name: str, holder: str, now: datetime) -> bool:
    """True while `holder` holds an unexpired lease `name`."""
    lease = session.get(SchedulerLease, name, populate_existing=True)
    return lease is not None and lease.holder == holder and lease.expires_at > now


def release(*, session: Session, name: str, holder: str) -> None:
    """Give the lease up at once (on a clean shutdown), if `holder` has it."""
    session.execute(
        update(SchedulerLease)
        .where(col(SchedulerLease.name) == name, col(SchedulerLease.holder) == holder)
        .values(expires_at=datetime(1970, 1, 1, tzinfo=UTC))
        .execution_options(synchronize_session=False)
    )
