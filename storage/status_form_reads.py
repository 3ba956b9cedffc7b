"""What the status form opens with, read in one statement: the project, its newest standing
update and the dimensions its type asks. Every `/status` typed in a project's channel asks
it."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import Select, and_, bindparam, func
from sqlmodel import Session, col, select

from storage.models import Project, ProjectType, StatusUpdate
from storage.projects import CHANNEL_PROJECT


class FormReads(NamedTuple):
    """A project with its newest standing update (None before the first) and the status
    dimensions its type asks (None for a project made before types)."""

    project: Project
    update: StatusUpdate | None
    dimensions: list[str] | None


def _with_newest_update_and_type() -> Select:  # type: ignore[type-arg]
    newest = (
        select(func.max(StatusUpdate.id))
        .where(
            StatusUpdate.team_id == Project.team_id,
            StatusUpdate.project_id == Project.id,
            col(StatusUpdate.superseded_by_id).is_(None),
        )
        .correlate(Project)
        .scalar_subquery()
    )
    return (
        # The type's dimensions alone: its phases and checklists need not be parsed.
        select(Project, StatusUpdate, ProjectType.dimensions)
        .outerjoin(StatusUpdate, col(StatusUpdate.id) == newest)
        .outerjoin(
            ProjectType,
            and_(
                col(ProjectType.id) == col(Project.type_id),
                col(ProjectType.team_id) == col(Project.team_id),
            ),
        )
    )


# Built once, with bound parameters.
_IN_CHANNEL = _with_newest_update_and_type().where(*CHANNEL_PROJECT)
_BY_ID = _with_newest_update_and_type().where(
    Project.team_id == bindparam("team_id"), Project.id == bindparam("project_id")
)


def in_channel(*, session: Session, team_id: str, channel_id: str) -> FormReads | None:
    """The channel's project (storage.projects.CHANNEL_PROJECT), with its newest standing
    update and its type; None when there is none."""
    row = session.execute(_IN_CHANNEL, {"team_id": team_id, "channel_id": channel_id}).first()
    return FormReads(*row) if row else None


def of_project(*, session: Session, team_id: str, project_id: int) -> FormReads | None:
    """The workspace's project with this id, with its newest standing update and its type."""
    row = session.execute(_BY_ID, {"team_id": team_id, "project_id": project_id}).first()
    return FormReads(*row) if row else None
