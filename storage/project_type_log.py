"""Project types (each workspace's lifecycles): queries only, every one scoped by workspace.

The default type, "Standard", is the lifecycle every workspace started with: the
workspace's phases, the entry criteria below, every approver deciding within 2 days, and
the four status dimensions. Migration 0014 gave it to workspaces known before it; others
get it on first use.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.models import Project, ProjectType, utcnow
from storage.workspaces import ensure_workspace

STANDARD_NAME = "Standard"
DIMENSIONS = ["schedule", "scope", "budget", "resources"]
# The entry checklist of each standard phase (the same as workflows/gates.py CRITERIA).
STANDARD_CHECKLISTS: dict[str, list[dict[str, Any]]] = {
    "Plan": [
        {"item": "Business case approved by the sponsor", "required": True},
        {"item": "Objectives and scope agreed", "required": True},
        {"item": "Key stakeholders identified", "required": False},
    ],
    "Execute": [
        {"item": "Plan and schedule baselined", "required": True},
        {"item": "Budget approved", "required": True},
        {"item": "Team and resources committed", "required": True},
        {"item": "Risk register reviewed", "required": False},
    ],
    "Close": [
        {"item": "Deliverables accepted by the sponsor", "required": True},
        {"item": "Handover to operations complete", "required": True},
        {"item": "Lessons learned captured", "required": False},
    ],
}


def default_type(*, session: Session, team_id: str) -> ProjectType:
    """The workspace's default type, created as "Standard" on first use."""
    found = session.exec(
        select(ProjectType).where(ProjectType.team_id == team_id, col(ProjectType.is_default))
    ).first()
    if found is not None:
        return found
    phases = list(ensure_workspace(session=session, team_id=team_id).phases)
    try:
        with session.begin_nested():
            found = ProjectType(
                team_id=team_id,
                name=STANDARD_NAME,
                phases=phases,
                checklists={
                    p: list(STANDARD_CHECKLISTS[p]) for p in phases if p in STANDARD_CHECKLISTS
                },
                gate_rule="all",
                gate_sla_days=2,
                dimensions=list(DIMENSIONS),
                is_default=True,
                created_by="pmo-bot",
                created_at=utcnow(),
            )
            session.add(found)
    except IntegrityError:
        # Another request created it between our read and our insert.
        found = session.exec(
            select(ProjectType).where(ProjectType.team_id == team_id, col(ProjectType.is_default))
        ).one()
    return found


def types_of(*, session: Session, team_id: str) -> list[ProjectType]:
    """The workspace's types, the default first, then by name (the default is made if
    missing)."""
    default_type(session=session, team_id=team_id)
    rows = session.exec(select(ProjectType).where(ProjectType.team_id == team_id))
    return sorted(rows, key=lambda t: (not t.is_default, t.name.lower()))


def find_type(*, session: Session, team_id: str, name: str) -> ProjectType | None:
    """The type with this name (any case) in this workspace, if there is one."""
    wanted = name.strip().lower()
    return next(
        (t for t in types_of(session=session, team_id=team_id) if t.name.lower() == wanted), None
    )


# Built once: every gate request and project form asks it.
_TYPE_BY_ID = select(ProjectType).where(
    ProjectType.id == bindparam("type_id"), ProjectType.team_id == bindparam("team_id")
)


def type_by_id(*, session: Session, team_id: str, type_id: int) -> ProjectType | None:
    """The type with this id, if it is this workspace's."""
    found = session.execute(_TYPE_BY_ID, {"type_id": type_id, "team_id": team_id})
    return found.scalars().first()


def type_of(*, session: Session, project: Project) -> ProjectType | None:
    """The project's type (None for a project made before types, with no type)."""
    if project.type_id is None:
        return None
    return type_by_id(session=session, team_id=project.team_id, type_id=project.type_id)


def projects_in_phases(
    *, session: Session, team_id: str, type_id: int, phases: list[str]
) -> list[Project]:
    """The active projects of this type that are in one of `phases`, by key."""
    if not phases:
        return []
    return list(
        session.exec(
            select(Project)
            .where(
                Project.team_id == team_id,
                Project.type_id == type_id,
                col(Project.phase).in_(phases),
                col(Project.archived).is_(False),
            )
            .order_by(col(Project.key))
        )
    )
