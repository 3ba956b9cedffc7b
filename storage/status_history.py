"""Status updates: queries only, every one scoped by workspace."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Select, bindparam, func
from sqlmodel import Session, col, select

from storage.id_lists import one_of
from storage.models import StatusUpdate


def current_in_period(
    *, session: Session, team_id: str, project_id: int, period: str
) -> StatusUpdate | None:
    """The update that stands for the period (not superseded), if one was posted."""
    return session.exec(
        select(StatusUpdate).where(
            StatusUpdate.team_id == team_id,
            StatusUpdate.project_id == project_id,
            StatusUpdate.period == period,
            col(StatusUpdate.superseded_by_id).is_(None),
        )
    ).first()


def latest(*, session: Session, team_id: str, project_id: int) -> StatusUpdate | None:
    """The project's newest update that stands."""
    newest = standing_history(session=session, team_id=team_id, project_id=project_id, limit=1)
    return newest[0] if newest else None


def latest_before_period(
    *, session: Session, team_id: str, project_id: int, period: str, before_id: int | None = None
) -> StatusUpdate | None:
    """The newest standing update of an earlier period: what "since last week" compares with.
    With `before_id`, only among those posted before that update: what its post compared
    with, however many came after it."""
    statement = select(StatusUpdate).where(
        StatusUpdate.team_id == team_id,
        StatusUpdate.project_id == project_id,
        StatusUpdate.period != period,
        col(StatusUpdate.superseded_by_id).is_(None),
    )
    if before_id is not None:
        statement = statement.where(col(StatusUpdate.id) < before_id)
    return session.exec(statement.order_by(col(StatusUpdate.id).desc()).limit(1)).first()


def latest_by_project(
    *, session: Session, team_id: str, project_ids: list[int]
) -> dict[int, StatusUpdate]:
    """For each project, its newest standing update (one query, however many projects)."""
    if not project_ids:
        return {}
    newest = (
        select(func.max(StatusUpdate.id))
        .where(
            StatusUpdate.team_id == team_id,
            col(StatusUpdate.project_id).in_(project_ids),
            col(StatusUpdate.superseded_by_id).is_(None),
        )
        .group_by(col(StatusUpdate.project_id))
    )
    rows = session.exec(select(StatusUpdate).where(col(StatusUpdate.id).in_(newest)))
    return {row.project_id: row for row in rows}


# Built once: every status post asks it.
_STANDING = (
    select(StatusUpdate)
    .where(
        StatusUpdate.team_id == bindparam("team_id"),
        StatusUpdate.project_id == bindparam("project_id"),
        col(StatusUpdate.superseded_by_id).is_(None),
    )
    .order_by(col(StatusUpdate.id).desc())
    .limit(bindparam("limit"))
)


def standing_history(
    *, session: Session, team_id: str, project_id: int, limit: int
) -> list[StatusUpdate]:
    """The standing update of each of the last `limit` periods, newest first."""
    params = {"team_id": team_id, "project_id": project_id, "limit": limit}
    return list(session.execute(_STANDING, params).scalars())


def versions_by_period(
    *, session: Session, team_id: str, project_id: int, periods: list[str]
) -> dict[str, int]:
    """How many versions were posted in each period (1 when never edited)."""
    if not periods:
        return {}
    rows = session.exec(
        select(StatusUpdate.period, func.count())
        .where(
            StatusUpdate.team_id == team_id,
            StatusUpdate.project_id == project_id,
            col(StatusUpdate.period).in_(periods),
        )
        .group_by(col(StatusUpdate.period))
    )
    return {period: count for period, count in rows}


class LatestColour(NamedTuple):
    """A project's newest standing update, as much of it as staleness asks: its colour and
    when it was posted."""

    overall: str  # a Rag value
    created_at: datetime


def latest_colour_by_project(
    *, session: Session, team_id: str, project_ids: Collection[int] | None = None
) -> dict[int, LatestColour]:
    """For each project of the workspace (or each of `project_ids`), its newest standing
    update's colour and time: one statement, columns only (the nudge job asks it of
    thousands of projects)."""
    rows = session.exec(
        select(StatusUpdate.project_id, StatusUpdate.overall, StatusUpdate.created_at).where(
            col(StatusUpdate.id).in_(newest_standing_ids(team_id, project_ids))
        )
    )
    return {project_id: LatestColour(overall, at) for project_id, overall, at in rows}


def newest_standing_ids(
    team_id: str, project_ids: Collection[int] | None = None
) -> Select[tuple[int]]:
    """The id of each project's newest standing update in the workspace (or of each of
    `project_ids`), as a subquery (newer updates have higher ids)."""
    statement = select(func.max(StatusUpdate.id)).where(
        StatusUpdate.team_id == team_id, col(StatusUpdate.superseded_by_id).is_(None)
    )
    if project_ids is not None:
        statement = statement.where(one_of(col(StatusUpdate.project_id), project_ids))
    return statement.group_by(col(StatusUpdate.project_id))
