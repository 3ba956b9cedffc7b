"""Retrospectives and their items: queries only, every one scoped by workspace."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.models import (
    ActionStatus,
    Project,
    Retro,
    RetroAction,
    RetroItem,
    RetroStatus,
)


def get_retro(*, session: Session, team_id: str, retro_id: int) -> Retro | None:
    """The retrospective with this id in this workspace, if there is one."""
    return session.exec(select(Retro).where(Retro.team_id == team_id, Retro.id == retro_id)).first()


def open_retro(*, session: Session, team_id: str, project_id: int) -> Retro | None:
    """The project's retrospective still collecting contributions, if any."""
    return session.exec(
        select(Retro).where(
            Retro.team_id == team_id,
            Retro.project_id == project_id,
            Retro.status == RetroStatus.OPEN,
        )
    ).first()


def latest_retro(*, session: Session, team_id: str, project_id: int) -> Retro | None:
    """The project's most recent retrospective, open or summarised."""
    return session.exec(
        select(Retro)
        .where(Retro.team_id == team_id, Retro.project_id == project_id)
        .order_by(col(Retro.number).desc())
    ).first()


def next_number(*, session: Session, team_id: str, project_id: int) -> int:
    """The number the project's next retrospective takes (1 for its first)."""
    highest = session.exec(
        select(func.max(Retro.number)).where(
            Retro.team_id == team_id, Retro.project_id == project_id
        )
    ).one()
    return (highest or 0) + 1


def open_retros(*, session: Session, team_id: str) -> list[Retro]:
    """Every retrospective of the workspace still open, the earliest to close first."""
    return list(
        session.exec(
            select(Retro)
            .where(Retro.team_id == team_id, Retro.status == RetroStatus.OPEN)
            .order_by(col(Retro.closes_at), col(Retro.id))
        )
    )


def items_of(*, session: Session, team_id: str, retro_id: int) -> list[RetroItem]:
    """A retrospective's contributions, in the order they were given."""
    return list(
        session.exec(
            select(RetroItem)
            .where(RetroItem.team_id == team_id, RetroItem.retro_id == retro_id)
            .order_by(col(RetroItem.id))
        )
    )


def named_authors(*, session: Session, team_id: str, retro_id: int) -> set[str]:
    """Who put their name to at least one contribution (anonymous ones have no author)."""
    return {
        author
        for author in session.exec(
            select(RetroItem.author).where(
                RetroItem.team_id == team_id,
                RetroItem.retro_id == retro_id,
                col(RetroItem.author).is_not(None),
            )
        )
        if author
    }


def open_actions(*, session: Session, team_id: str, project_id: int) -> list[RetroAction]:
    """The project's improvement actions not done yet, the soonest due first."""
    return list(
        session.exec(
            select(RetroAction)
            .where(
                RetroAction.team_id == team_id,
                RetroAction.project_id == project_id,
                RetroAction.status == ActionStatus.OPEN,
            )
            .order_by(col(RetroAction.due_on), col(RetroAction.id))
        )
    )


def projects_on_cadence(*, session: Session, team_id: str) -> list[Project]:
    """Active projects that hold a retrospective every few weeks."""
    return list(
        session.exec(
            select(Project)
            .where(
                Project.team_id == team_id,
                col(Project.archived).is_(False),
                col(Project.retro_every_weeks).is_not(None),
            )
            .order_by(col(Project.key))
        )
    )
