"""Queries for retrospectives' items and the improvement actions they lead to."""

from __future__ import annotations

from sqlmodel import Session, col, select

from storage.models import ActionStatus, Project, Retro, RetroAction, RetroItem

ACTION_CREATED = "retro_action.created"
ACTION_CLOSED = "retro_action.closed"
LESSON_PROMOTED = "lesson.promoted"


def find_item(
    *, session: Session, team_id: str, item_id: int
) -> tuple[RetroItem, Retro, Project] | None:
    """A retro item of the workspace with its retro and project, or None."""
    statement = (
        select(RetroItem, Retro, Project)
        .join(Retro, col(Retro.id) == col(RetroItem.retro_id))
        .join(Project, col(Project.id) == col(Retro.project_id))
        .where(RetroItem.team_id == team_id, RetroItem.id == item_id)
    )
    row = session.exec(statement).first()
    return (row[0], row[1], row[2]) if row else None


def find_action(
    *, session: Session, team_id: str, action_id: int
) -> tuple[RetroAction, Project] | None:
    """An action of the workspace with its project, or None."""
    statement = (
        select(RetroAction, Project)
        .join(Project, col(Project.id) == col(RetroAction.project_id))
        .where(RetroAction.team_id == team_id, RetroAction.id == action_id)
    )
    row = session.exec(statement).first()
    return (row[0], row[1]) if row else None


def open_actions(
    *,
    session: Session,
    team_id: str,
    owner: str | None = None,
    project_id: int | None = None,
) -> list[tuple[RetroAction, Project]]:
    """Open actions of the workspace (of one owner, or one project), soonest due first."""
    statement = (
        select(RetroAction, Project)
        .join(Project, col(Project.id) == col(RetroAction.project_id))
        .where(RetroAction.team_id == team_id, RetroAction.status == ActionStatus.OPEN)
        .order_by(col(RetroAction.due_on), col(RetroAction.id))
    )
    if owner is not None:
        statement = statement.where(RetroAction.owner == owner)
    if project_id is not None:
        statement = statement.where(RetroAction.project_id == project_id)
    return [(action, project) for action, project in session.exec(statement)]
