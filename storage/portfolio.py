"""Whole-workspace reads for the digest: every project's RAG history, in bulk.

One or two statements however many projects the workspace has (see
bench/digest_bench.py); the digest's rules live in workflows/digest.py.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import NamedTuple

from sqlalchemy import DateTime, func, type_coerce
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
    # Tens of thousands of rows: read as plain Core rows (no ORM loading), created_at as
    # stored (naive UTC) and made aware here, once per row.
    columns = (
        StatusUpdate.id,
        StatusUpdate.project_id,
        type_coerce(StatusUpdate.created_at, DateTime()),
        StatusUpdate.overall,
    )
    session.flush()
    connection = session.connection()
    recent = connection.execute(
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
    older = connection.execute(select(*columns).where(col(StatusUpdate.id).in_(older_ids)))
    grouped: dict[int, list[PostedRag]] = defaultdict(list)
    for update_id, project_id, created_at, overall in [*older, *recent]:
        grouped[project_id].append(
            PostedRag(update_id, project_id, created_at.replace(tzinfo=UTC), overall)
        )
    for history in grouped.values():
        history.sort(key=_oldest_first)
    return grouped


def _oldest_first(update: PostedRag) -> tuple[datetime, int]:
    return update.created_at, update.id
