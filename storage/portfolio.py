"""Whole-workspace reads for the digest: status history and the top risks, in bulk.

Each function is one or two statements however many projects the workspace has (see
bench/digest_bench.py); the digest's rules live in workflows/digest.py.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.models import Project, Risk, StatusUpdate
from storage.risk_log import ACTIVE


class PostedRag(NamedTuple):
    """What the digest needs of one status update (rows, not ORM objects: 1,000 projects
    have tens of thousands)."""

    id: int
    project_id: int
    created_at: datetime
    overall: str


def rag_history(
    *, session: Session, team_id: str, since: datetime, until: datetime
) -> dict[int, list[PostedRag]]:
    """Per project, every update posted in [since, until) plus the newest one from before
    `since` (where the project stood then), oldest first."""
    columns = (
        StatusUpdate.id,
        StatusUpdate.project_id,
        StatusUpdate.created_at,
        StatusUpdate.overall,
    )
    recent = session.exec(
        select(*columns).where(
            StatusUpdate.team_id == team_id,
            StatusUpdate.created_at >= since,
            StatusUpdate.created_at < until,
        )
    )
    older_ids = (
        select(func.max(StatusUpdate.id))
        .where(StatusUpdate.team_id == team_id, StatusUpdate.created_at < since)
        .group_by(col(StatusUpdate.project_id))
    )
    older = session.exec(select(*columns).where(col(StatusUpdate.id).in_(older_ids)))
    grouped: dict[int, list[PostedRag]] = defaultdict(list)
    for row in [*older, *recent]:
        grouped[row[1]].append(PostedRag(*row))
    for history in grouped.values():
        history.sort(key=lambda u: (u.created_at, u.id))
    return grouped


def top_open_risks(
    *, session: Session, team_id: str, before: datetime, limit: int
) -> list[tuple[Risk, Project]]:
    """The `limit` highest-scored open or mitigating risks raised before `before`, on
    active projects, highest first."""
    return list(
        session.exec(
            select(Risk, Project)
            .join(Project, col(Project.id) == col(Risk.project_id))
            .where(
                Risk.team_id == team_id,
                col(Risk.status).in_(ACTIVE),
                col(Project.archived).is_(False),
                Risk.created_at < before,
            )
            .order_by(col(Risk.score).desc(), col(Risk.id))
            .limit(limit)
        )
    )
