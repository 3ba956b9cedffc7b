"""What a person's App Home shows.

Everyone sees their projects, their load for the next eight weeks, the decisions waiting
on them, the risks they own and the goals they own with their health. A leader (a
sponsor, a PMO lead or one of the digest's leaders) sees the portfolio above that: what
needs attention, the projects by colour and the red and amber updates waiting for their
acknowledgement. Lists are whole; the view shows what fits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session

from storage import gate_log, risk_log, status_history, watchlist
from storage.models import Gate, Project, Rag, Risk, Role, Workspace
from storage.projects import projects_with_role
from storage.workspaces import ensure_workspace, people_of
from workflows.attention import Attention, needs_attention
from workflows.capacity import load_of
from workflows.capacity_views import OWN_WEEKS
from workflows.goal_health import GoalHealth, goals_owned
from workflows.load import PersonLoad
from workflows.periods import zone
from workflows.risks import Severity, severity
from workflows.staleness import projects_needing_update

ALL_ROLES = {Role.PM, Role.SPONSOR, Role.APPROVER, Role.MEMBER}


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
    # Their next eight weeks (None: pmo-bot does not know them yet), and the workspace's
    # over-allocation threshold (per cent above capacity) to mark the weeks over it.
    load: PersonLoad | None = None
    threshold: int = 10
    # The active goals they own, each rolled up from its projects.
    goals: list[GoalHealth] = field(default_factory=list)


@dataclass(frozen=True)
class PendingAcknowledgement:
    """A red or amber update the leader has not acknowledged (posted on local day `posted`)."""

    project: Project
    update: watchlist.Standing
    posted: date


@dataclass(frozen=True)
class LeaderHome:
    """A leader's Home tab: the portfolio and what waits for them, then their own Home
    (a sponsor may be a PM too)."""

    attention: Attention
    counts: dict[str, int]
    acknowledgements: list[PendingAcknowledgement]
    own: Home

    @property
    def awaiting(self) -> list[tuple[Gate, Project]]:
        """The gates waiting for the leader's decision."""
        return self.own.awaiting


def home_for(*, session: Session, team_id: str, user_id: str, now: datetime) -> Home | LeaderHome:
    """The person's own Home (their projects, most urgent first, the gates awaiting them,
    the risks they own), under the portfolio view when they are a leader."""
    workspace = ensure_workspace(session=session, team_id=team_id)
    sponsored = projects_with_role(
        session=session, team_id=team_id, user_id=user_id, roles={Role.SPONSOR}
    )
    sees_all = user_id in workspace.pmo_leads or user_id in workspace.digest_leaders
    if sponsored or sees_all:
        # The portfolio shows what they sponsor; "your projects" is where they do the work.
        own = _own_home(session, workspace, user_id, ALL_ROLES - {Role.SPONSOR}, now)
        watched = None if sees_all else {p.id for p in sponsored}
        return _leader_home(session, workspace, user_id, watched, own, now)
    return _own_home(session, workspace, user_id, ALL_ROLES, now)


def _own_home(
    session: Session, workspace: Workspace, user_id: str, roles: set[Role], now: datetime
) -> Home:
    team_id = workspace.team_id
    mine = projects_with_role(session=session, team_id=team_id, user_id=user_id, roles=roles)
    latest = status_history.latest_by_project(
        session=session, team_id=team_id, project_ids=[p.id for p in mine if p.id is not None]
    )
    stale = {
        s.project.id: s
        for s in projects_needing_update(session=session, team_id=team_id, now=now, among=mine)
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
    owned = risk_log.owned_by(session=session, team_id=team_id, user_id=user_id, scored_only=True)
    person = people_of(session=session, team_id=team_id, user_ids=[user_id]).get(user_id)
    load = None
    if person is not None:
        load = load_of(
            session=session, workspace=workspace, person=person, now=now, weeks=OWN_WEEKS
        )
    return Home(
        projects=projects,
        awaiting=gate_log.awaiting(session=session, team_id=team_id, user_id=user_id),
        risks=[(r, p, severity(r.score, workspace)) for r, p in owned],
        load=load,
        threshold=workspace.overallocation_threshold,
        goals=goals_owned(session=session, workspace=workspace, user_id=user_id),
    )


def _leader_home(
    session: Session,
    workspace: Workspace,
    user_id: str,
    watched: set[int | None] | None,
    own: Home,
    now: datetime,
) -> LeaderHome:
    # `watched`: the projects whose updates the leader acknowledges (None: every project).
    team_id = workspace.team_id
    attention = needs_attention(session=session, team_id=team_id, now=now)
    tz = zone(workspace.time_zone)
    pending = [
        PendingAcknowledgement(project, update, update.created_at.astimezone(tz).date())
        for project in attention.projects
        if watched is None or project.id in watched
        if (update := attention.standing.get(project.id or 0)) is not None
        and update.overall in (Rag.RED, Rag.AMBER)
        and user_id not in attention.readers.get(update.id, set())
    ]
    # Red before amber, then the longest waiting first.
    pending.sort(key=lambda p: (p.update.overall != Rag.RED, p.update.created_at))
    return LeaderHome(
        attention=attention,
        counts=attention.counts(),
        acknowledgements=pending,
        own=own,
    )
