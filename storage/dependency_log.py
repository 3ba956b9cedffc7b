"""Dependencies between projects: queries only, every one scoped by workspace.

The whole-workspace read (`open_dependencies`) is one statement however many projects
there are: "Needs attention" and the nudge job read the dependency graph with it.
"""

from __future__ import annotations

from sqlalchemy import or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from storage.models import Dependency, DependencyStatus, Project, Workspace


def open_dependencies(*, session: Session, team_id: str) -> list[Dependency]:
    """Every open dependency of the workspace between two active projects, oldest first."""
    downstream, upstream = aliased(Project), aliased(Project)
    statement = (
        select(Dependency)
        .join(downstream, col(downstream.id) == col(Dependency.downstream_id))
        .join(upstream, col(upstream.id) == col(Dependency.upstream_id))
        .where(
            Dependency.team_id == team_id,
            Dependency.status == DependencyStatus.OPEN,
            col(downstream.archived).is_(False),
            col(upstream.archived).is_(False),
        )
        .order_by(col(Dependency.id))
    )
    return list(session.exec(statement))


def dependencies_of(*, session: Session, team_id: str, project_id: int) -> list[Dependency]:
    """The project's open dependencies, both ways (it waits, or others wait on it), by need
    date."""
    statement = (
        select(Dependency)
        .where(
            Dependency.team_id == team_id,
            Dependency.status == DependencyStatus.OPEN,
            or_(Dependency.downstream_id == project_id, Dependency.upstream_id == project_id),
        )
        .order_by(col(Dependency.need_by), col(Dependency.id))
    )
    return list(session.exec(statement))


def has_dependents(*, session: Session, team_id: str, project_id: int) -> bool:
    """True when some open dependency waits on the project."""
    found = session.exec(
        select(Dependency.id).where(
            Dependency.team_id == team_id,
            Dependency.status == DependencyStatus.OPEN,
            Dependency.upstream_id == project_id,
        )
    ).first()
    return found is not None


def get_dependency(*, session: Session, team_id: str, dependency_id: int) -> Dependency | None:
    """The dependency with this id in this workspace, if there is one."""
    return session.exec(
        select(Dependency).where(Dependency.team_id == team_id, Dependency.id == dependency_id)
    ).first()


def lock_dependencies(*, session: Session, team_id: str) -> None:
    """Serialize changes to the workspace's dependency graph until the transaction ends, so
    two people can't each add half of a cycle (the workspace row is the lock)."""
    session.exec(select(Workspace).where(Workspace.team_id == team_id).with_for_update()).first()
