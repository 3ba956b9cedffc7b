"""Kudos: thanking people for what they did, in the open."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from storage import audit
from storage.models import Kudos
from storage.workspaces import ensure_workspace
from workflows.errors import InvalidInput, too_long

REASON_MAX = 1000


def check_kudos(*, giver: str, receivers: list[str], reason: str) -> dict[str, str]:
    """What is wrong with the thank-you (empty when it may be given)."""
    errors: dict[str, str] = {}
    others = [r for r in receivers if r != giver]
    if not receivers:
        errors["receivers"] = "Who are you thanking? Mention them: `/kudos @ana @ben for …`."
    elif not others:
        errors["receivers"] = "Thanking yourself doesn't count. Who helped you?"
    if not reason.strip():
        errors["reason"] = "Say what they did: it is what makes a thank-you count."
    elif problem := too_long("A thank-you", reason, REASON_MAX):
        errors["reason"] = problem
    return errors


def give_kudos(
    *,
    session: Session,
    team_id: str,
    giver: str,
    receivers: list[str],
    reason: str,
    channel_id: str | None,
    now: datetime,
) -> Kudos:
    """Store the thank-you (never to oneself), audited; InvalidInput when it is incomplete."""
    errors = check_kudos(giver=giver, receivers=receivers, reason=reason)
    if errors:
        raise InvalidInput(errors)
    ensure_workspace(session=session, team_id=team_id)
    kudos = Kudos(
        team_id=team_id,
        giver=giver,
        receivers=[r for r in dict.fromkeys(receivers) if r != giver],
        reason=reason.strip(),
        channel_id=channel_id,
        created_at=now,
    )
    session.add(kudos)
    session.flush()
    audit.record(
        session=session,
        team_id=team_id,
        actor=giver,
        action="kudos.given",
        entity="kudos",
        entity_id=kudos.id or 0,
        at=now,
        detail={"to": kudos.receivers},
    )
    return kudos


def kudos_between(*, session: Session, team_id: str, start: datetime, end: datetime) -> int:
    """How many thank-yous were given in [start, end)."""
    return session.exec(
        select(func.count())
        .select_from(Kudos)
        .where(Kudos.team_id == team_id, Kudos.created_at >= start, Kudos.created_at < end)
    ).one()
