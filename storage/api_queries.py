"""What the read-only API reads: its tokens, and the rows of each resource a page at a time.

Every query is scoped by workspace. Pages are keyset pages: rows after an id, in id order,
so a page never repeats or skips a row while others are written.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.models import ApiToken, Gate, Project, ProjectRole, Risk, Role, StatusUpdate


# -- tokens -----------------------------------------------------------------------------
def live_token(*, session: Session, token_hash: str) -> ApiToken | None:
    """The unrevoked token with this hash, whatever its workspace (the hash says which)."""
    statement = select(ApiToken).where(
        ApiToken.token_hash == token_hash, col(ApiToken.revoked_at).is_(None)
    )
    return session.exec(statement).first()


def tokens_of(*, session: Session, team_id: str) -> list[ApiToken]:
    """The workspace's tokens, revoked ones too, oldest first."""
    statement = select(ApiToken).where(ApiToken.team_id == team_id).order_by(col(ApiToken.id))
    return list(session.exec(statement))


def live_token_named(*, session: Session, team_id: str, name: str) -> ApiToken | None:
    """The workspace's unrevoked token called `name` (names compare without case)."""
    statement = select(ApiToken).where(
        ApiToken.team_id == team_id,
        func.lower(ApiToken.name) == name.lower(),
        col(ApiToken.revoked_at).is_(None),
    )
    return session.exec(statement).first()


# -- resources --------------------------------------------------------------------------
def projects_page(
    *, session: Session, team_id: str, after_id: int, since: datetime | None, limit: int
) -> list[tuple[Project, dict[Role, str]]]:
    """Projects after `after_id` changed at or after `since` (updated_at), each with its PM
    and sponsor."""
    statement = select(Project).where(Project.team_id == team_id, col(Project.id) > after_id)
    if since is not None:
        statement = statement.where(Project.updated_at >= since)
    projects = list(session.exec(statement.order_by(col(Project.id)).limit(limit)))
    leads: dict[int, dict[Role, str]] = {p.id: {} for p in projects if p.id is not None}
    if leads:
        roles = session.exec(
            select(ProjectRole)
            .where(
                col(ProjectRole.project_id).in_(list(leads)),
                col(ProjectRole.role).in_([Role.PM, Role.SPONSOR]),
            )
            .order_by(col(ProjectRole.id))
        )
        for role in roles:
            leads[role.project_id].setdefault(Role(role.role), role.user_id)
    return [(p, leads.get(p.id or 0, {})) for p in projects]


def status_updates_page(
    *, session: Session, team_id: str, after_id: int, since: datetime | None, limit: int
) -> list[tuple[StatusUpdate, str]]:
    """Status updates after `after_id` posted at or after `since` (created_at: an update is
    never edited, a later one supersedes it), each with its project's key."""
    return _with_key(
        session,
        StatusUpdate,
        team_id=team_id,
        after_id=after_id,
        changed=StatusUpdate.created_at,
        since=since,
        limit=limit,
    )


def risks_page(
    *, session: Session, team_id: str, after_id: int, since: datetime | None, limit: int
) -> list[tuple[Risk, str]]:
    """RAID entries after `after_id` changed at or after `since` (updated_at), each with
    its project's key."""
    return _with_key(
        session,
        Risk,
        team_id=team_id,
        after_id=after_id,
        changed=Risk.updated_at,
        since=since,
        limit=limit,
    )


def gates_page(
    *, session: Session, team_id: str, after_id: int, since: datetime | None, limit: int
) -> list[tuple[Gate, str]]:
    """Gates after `after_id` decided (else requested) at or after `since`, each with its
    project's key."""
    return _with_key(
        session,
        Gate,
        team_id=team_id,
        after_id=after_id,
        changed=func.coalesce(Gate.decided_at, Gate.requested_at),
        since=since,
        limit=limit,
    )


def _with_key(
    session: Session,
    model: Any,
    *,
    team_id: str,
    after_id: int,
    changed: Any,
    since: datetime | None,
    limit: int,
) -> list[Any]:
    # One page of a project's child rows, joined to the project for its key.
    statement = (
        select(model, Project.key)
        .join(Project, col(Project.id) == model.project_id)
        .where(model.team_id == team_id, model.id > after_id)
    )
    if since is not None:
        statement = statement.where(changed >= since)
    rows: Sequence[Any] = session.exec(statement.order_by(model.id).limit(limit)).all()
    return [(row, key) for row, key in rows]
