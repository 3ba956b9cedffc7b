"""Strategic goals, their measure check-ins and the projects that serve them: queries only,
every one scoped by workspace.

The reads behind lists, the digest and Home are whole-workspace and bulk (one statement
each, however many goals or projects); the rules that read them live in
workflows/goal_health.py.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func
from sqlmodel import Session, col, delete, select

from storage.models import Goal, GoalCheckin, Project, ProjectGoal


def find_goal(*, session: Session, team_id: str, key: str) -> Goal | None:
    """The goal with this key (stored in capitals) in this workspace, if there is one."""
    return session.exec(select(Goal).where(Goal.team_id == team_id, Goal.key == key)).first()


def goals_of(
    *, session: Session, team_id: str, include_archived: bool = False, owner: str | None = None
) -> list[Goal]:
    """The workspace's goals (only `owner`'s, when given), ordered by key."""
    statement = select(Goal).where(Goal.team_id == team_id)
    if not include_archived:
        statement = statement.where(col(Goal.archived).is_(False))
    if owner is not None:
        statement = statement.where(Goal.owner == owner)
    return list(session.exec(statement.order_by(col(Goal.key))))


def has_active_goals(*, session: Session, team_id: str) -> bool:
    """True when the workspace has at least one goal that is not archived."""
    statement = select(Goal.id).where(Goal.team_id == team_id, col(Goal.archived).is_(False))
    return session.exec(statement.limit(1)).first() is not None


class GoalLink(NamedTuple):
    """A link from a project to a goal, as the roll-up reads it (rows, not ORM objects: a
    workspace may have thousands of projects)."""

    goal_id: int
    weight: int
    project: Project


def goal_links(
    *, session: Session, team_id: str, goal_ids: list[int] | None = None
) -> list[GoalLink]:
    """The links from active projects to goals (to `goal_ids` only, when given), each with
    its project: heaviest first, then by project key."""
    statement = (
        select(ProjectGoal.goal_id, ProjectGoal.weight, Project)
        .join(Project, col(Project.id) == col(ProjectGoal.project_id))
        .where(ProjectGoal.team_id == team_id, col(Project.archived).is_(False))
    )
    if goal_ids is not None:
        statement = statement.where(col(ProjectGoal.goal_id).in_(goal_ids))
    order = (col(ProjectGoal.weight).desc(), col(Project.key))
    return [GoalLink(*row) for row in session.exec(statement.order_by(*order))]


class GoalLinkRow(NamedTuple):
    """A `GoalLink` naming its project by id, for a caller that read the projects already."""

    goal_id: int
    weight: int
    project_id: int


def goal_link_rows(*, session: Session, team_id: str, goal_ids: list[int]) -> list[GoalLinkRow]:
    """`goal_links` with project ids, not projects (no project is loaded again), in the
    same order."""
    statement = (
        select(ProjectGoal.goal_id, ProjectGoal.weight, Project.id)
        .join(Project, col(Project.id) == col(ProjectGoal.project_id))
        .where(
            ProjectGoal.team_id == team_id,
            col(Project.archived).is_(False),
            col(ProjectGoal.goal_id).in_(goal_ids),
        )
    )
    order = (col(ProjectGoal.weight).desc(), col(Project.key))
    return [GoalLinkRow(*row) for row in session.exec(statement.order_by(*order))]


def links_of_project(
    *, session: Session, team_id: str, project_id: int
) -> list[tuple[ProjectGoal, Goal]]:
    """The goals one project serves (archived ones too), heaviest first, then by key."""
    statement = (
        select(ProjectGoal, Goal)
        .join(Goal, col(Goal.id) == col(ProjectGoal.goal_id))
        .where(ProjectGoal.team_id == team_id, ProjectGoal.project_id == project_id)
        .order_by(col(ProjectGoal.weight).desc(), col(Goal.key))
    )
    return list(session.exec(statement).all())


def set_link(
    *, session: Session, team_id: str, project_id: int, goal_id: int, weight: int | None
) -> None:
    """Link the project to the goal with `weight` (None: unlink), in the caller's
    transaction."""
    session.exec(  # type: ignore[call-overload]
        delete(ProjectGoal).where(
            col(ProjectGoal.team_id) == team_id,
            col(ProjectGoal.project_id) == project_id,
            col(ProjectGoal.goal_id) == goal_id,
        )
    )
    if weight is not None:
        session.add(
            ProjectGoal(team_id=team_id, project_id=project_id, goal_id=goal_id, weight=weight)
        )
    session.flush()


def latest_checkins(
    *, session: Session, team_id: str, before: datetime | None = None
) -> dict[int, GoalCheckin]:
    """For each goal that has one, its newest measure check-in (of those made before
    `before`, when given; newer check-ins have higher ids)."""
    newest = select(func.max(GoalCheckin.id)).where(GoalCheckin.team_id == team_id)
    if before is not None:
        newest = newest.where(GoalCheckin.created_at < before)
    newest = newest.group_by(col(GoalCheckin.goal_id))
    rows = session.exec(select(GoalCheckin).where(col(GoalCheckin.id).in_(newest)))
    return {row.goal_id: row for row in rows}


def checkins_of(*, session: Session, team_id: str, goal_id: int, limit: int) -> list[GoalCheckin]:
    """The goal's latest `limit` check-ins, newest first."""
    statement = (
        select(GoalCheckin)
        .where(GoalCheckin.team_id == team_id, GoalCheckin.goal_id == goal_id)
        .order_by(col(GoalCheckin.created_at).desc(), col(GoalCheckin.id).desc())
        .limit(limit)
    )
    return list(session.exec(statement))
