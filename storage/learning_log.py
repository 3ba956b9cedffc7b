"""What retrospectives left behind, for the digest's Learning section: queries only.

Each read is one statement over the whole workspace, however many projects it has (see
bench/digest_bench.py); workflows/digest_learning.py turns them into figures.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, col, select

from storage.models import Project, Retro, RetroAction, RetroStatus


def retros_summarised_between(
    *, session: Session, team_id: str, start: datetime, end: datetime
) -> list[tuple[Retro, Project]]:
    """Retrospectives summarised in [start, end), with their projects, first summarised first."""
    statement = (
        select(Retro, Project)
        .join(Project, col(Project.id) == col(Retro.project_id))
        .where(
            Retro.team_id == team_id,
            Retro.status == RetroStatus.SUMMARISED,
            col(Retro.summarised_at) >= start,
            col(Retro.summarised_at) < end,
        )
        .order_by(col(Retro.summarised_at), col(Retro.id))
    )
    return [(retro, project) for retro, project in session.exec(statement)]


def actions_due_before(
    *, session: Session, team_id: str, day: date
) -> list[tuple[RetroAction, Project]]:
    """Retrospective actions due before `day`, done or not, with their projects, the
    longest overdue first."""
    statement = (
        select(RetroAction, Project)
        .join(Project, col(Project.id) == col(RetroAction.project_id))
        .where(RetroAction.team_id == team_id, col(RetroAction.due_on) < day)
        .order_by(col(RetroAction.due_on), col(RetroAction.id))
    )
    return [(action, project) for action, project in session.exec(statement)]
