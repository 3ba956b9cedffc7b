"""Whole-workspace reads for the digest: every project's RAG history, in bulk.

One or two statements however many projects the workspace has (see
bench/digest_bench.py); the digest's rules live in workflows/digest.py.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.models import StatusUpdate


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
