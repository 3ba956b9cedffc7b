"""What a person's App Home shows: their projects, decisions waiting on them, their risks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from storage import gate_log, risk_log, status_history
from storage.models import Gate, Project, Rag, Risk, Role
from storage.projects import projects_with_role
from storage.workspaces import ensure_workspace
from workflows.risks import Severity, severity
from workflows.staleness import projects_needing_update

ALL_ROLES = {Role.PM, Role.SPONSOR, Role.APPROVER, Role.MEMBER}
SHOWN = 20


@dataclass(frozen=True)
class HomeProject:
    """One of the person's projects, with where its status stands."""

    project: Project
    rag: Rag | None
    due: bool
    overdue: bool


@dataclass(frozen=True)
class Home:
    """Everything on the person's Home tab."""

    projects: list[HomeProject]
    awaiting: list[tuple[Gate, Project]]
    risks: list[tuple[Risk, Project, Severity]]


def home_for(*, session: Session, team_id: str, user_id: str, now: datetime) -> Home:
    """The person's projects (most urgent first), gates awaiting them, risks they own."""
    workspace = ensure_workspace(session=session, team_id=team_id)
    mine = projects_with_role(session=session, team_id=team_id, user_id=user_id, roles=ALL_ROLES)
    latest = status_history.latest_by_project(
        session=session, team_id=team_id, project_ids=[p.id for p in mine if p.id is not None]
    )
    stale = {
        s.project.id: s for s in projects_needing_update(session=session, team_id=team_id, now=now)
    }
    projects = [
        HomeProject(
            project=p,
            rag=Rag(latest[p.id].overall) if p.id in latest else None,
            due=p.id in stale,
            overdue=p.id in stale and stale[p.id].overdue,
        )
        for p in mine
    ]
    projects.sort(key=lambda h: (not h.overdue, not h.due, h.project.key))
    awaiting = gate_log.awaiting(session=session, team_id=team_id, user_id=user_id)
    owned = risk_log.owned_by(session=session, team_id=team_id, user_id=user_id)
    return Home(
        projects=projects[:SHOWN],
        awaiting=awaiting[:SHOWN],
        risks=[(r, p, severity(r.score, workspace)) for r, p in owned[:SHOWN]],
    )
