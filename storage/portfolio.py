"""Whole-workspace reads for the digest: the active projects and every project's RAG
history, in bulk.

One or two statements however many projects the workspace has (see
bench/digest_bench.py); the digest's rules live in workflows/digest.py.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import ColumnElement, String, func, type_coerce
from sqlmodel import Session, col, select

from storage.models import Project, StatusUpdate


class ProjectRow(NamedTuple):
    """A project as the digest and "Needs attention" read it: every column of Project, as a
    row, not an ORM object (a large portfolio has ten thousand; each section reads them)."""

    id: int
    team_id: str
    key: str
    name: str
    channel_id: str | None
    phase: str
    start_date: date | None
    target_date: date | None
    budget: Decimal | None
    status_cadence: str  # a Cadence value
    gate_rule: str
    gate_pm_may_approve: bool
    gate_reject_ends: bool
    gate_sla_days: int
    retro_every_weeks: int | None
    type_id: int | None
    archived: bool
    created_by: str
    created_at: datetime
    updated_at: datetime


# A project as stored, or as the digest reads it: both are read alike, field by field.
ProjectLike = Project | ProjectRow


def active_projects(*, session: Session, team_id: str) -> list[ProjectRow]:
    """The workspace's projects that are not archived, ordered by key, as rows."""
    columns = [col(getattr(Project, name)) for name in ProjectRow._fields]
    rows = session.exec(
        select(*columns)
        .where(Project.team_id == team_id, col(Project.archived).is_(False))
        .order_by(col(Project.key))
    )
    return [ProjectRow._make(row) for row in rows]


# What the digest needs of one status update: (created_at, overall). A plain tuple, not a
# named one or an ORM object: a large portfolio has a hundred thousand of them.
PostedRag = tuple[datetime, str]


def rag_history(
    *, session: Session, team_id: str, since: datetime, until: datetime
) -> dict[int, list[PostedRag]]:
    """Per project, every update posted in [since, until) plus the newest one from before
    `since` (where the project stood then), oldest first (ties: in the order posted)."""
    session.flush()
    connection = session.connection()
    from_text = datetime.fromisoformat
    columns = (StatusUpdate.project_id, _as_text(connection.dialect.name), StatusUpdate.overall)
    older_ids = (
        select(func.max(StatusUpdate.id))
        .where(StatusUpdate.team_id == team_id, StatusUpdate.created_at < since)
        .group_by(col(StatusUpdate.project_id))
    )
    older = connection.execute(select(*columns).where(col(StatusUpdate.id).in_(older_ids)))
    # The database sorts: each project's updates arrive together, oldest first.
    recent = connection.execute(
        select(*columns)
        .where(
            StatusUpdate.team_id == team_id,
            StatusUpdate.created_at >= since,
            StatusUpdate.created_at < until,
        )
        .order_by(StatusUpdate.project_id, StatusUpdate.created_at, StatusUpdate.id)
    )
    # Everything before `since` comes before everything after it: older rows go first.
    grouped: dict[int, list[PostedRag]] = {
        project_id: [(from_text(stamp), overall)] for project_id, stamp, overall in older.all()
    }
    history: list[PostedRag] = []
    current = None
    for project_id, stamp, overall in recent.all():
        if project_id != current:
            current = project_id
            history = grouped.setdefault(project_id, [])
        history.append((from_text(stamp), overall))
    return grouped


def _as_text(dialect: str) -> ColumnElement[str]:
    # `created_at` as ISO 8601 text with its UTC offset, which datetime.fromisoformat (in C)
    # parses several times faster than SQLAlchemy parses SQLite's text (or than replace()
    # makes PostgreSQL's naive datetimes aware). Both keep every microsecond.
    if dialect == "sqlite":
        # Stored as "2026-11-30 09:30:00.000000", naive UTC.
        return type_coerce(StatusUpdate.created_at, String()) + "+00:00"
    text = func.to_char(StatusUpdate.created_at, "YYYY-MM-DD HH24:MI:SS.US", type_=String())
    return text + "+00:00"
