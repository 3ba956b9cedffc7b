"""How a goal is doing, rolled up from the active projects that serve it: the worst colour
of their latest updates, the share on track, the next gate waiting for a decision and the
open high and critical risks; and where its measure stands between baseline and target.

Every goal asked for is rolled up at once, in five statements however many goals and
projects (storage/goal_log.py and the bulk reads the digest uses; three when the digest
passes the projects, their colours and the pending gates it read); `/goal list`, `/goal
show`, Home and the digest read it. Reads only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlmodel import Session

from storage import gate_log, goal_log, risk_log, watchlist
from storage.models import Gate, Goal, GoalCheckin, Project, Rag, Workspace
from storage.portfolio import ProjectRow
from storage.workspaces import ensure_workspace
from workflows.actor import Actor
from workflows.goals import get_goal

# The worst colour first: a goal is as troubled as its most troubled project. A project on
# hold troubles it less than one on track (its colour counts only when all are on hold).
WORST_FIRST = (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.HOLD)
CHECKINS_SHOWN = 5


@dataclass(frozen=True)
class GoalProject:
    """An active project serving the goal, its weight, and its latest colour (None: it
    never reported)."""

    project: Project
    weight: int
    rag: Rag | None


@dataclass(frozen=True)
class GoalHealth:
    """A goal, its projects (heaviest first), the next gate to decide among them, their
    open high and critical risks, and its measure's latest check-in."""

    goal: Goal
    projects: list[GoalProject] = field(default_factory=list)
    next_gate: tuple[Gate, Project] | None = None
    high_risks: int = 0
    latest: GoalCheckin | None = None

    @property
    def worst(self) -> Rag | None:
        """The worst colour of its projects that reported (None: none did)."""
        return worst_colour([p.rag for p in self.projects])

    @property
    def on_track(self) -> int:
        """How many of its projects are green."""
        return sum(1 for p in self.projects if p.rag == Rag.GREEN)

    @property
    def share_on_track(self) -> int | None:
        """The per cent of its projects on track (None: no project serves it)."""
        if not self.projects:
            return None
        return round(100 * self.on_track / len(self.projects))

    @property
    def progress(self) -> int | None:
        """How far its measure has come from baseline to target, in per cent (None: no
        measure, or no check-in yet)."""
        return progress(self.goal, self.latest.value if self.latest else None)


def worst_colour(rags: list[Rag | None]) -> Rag | None:
    """The worst of the colours given (None: none given)."""
    given = {Rag(rag) for rag in rags if rag is not None}
    return next((rag for rag in WORST_FIRST if rag in given), None)


def progress(goal: Goal, value: Decimal | None) -> int | None:
    """How far `value` is from the goal's baseline towards its target, in per cent: 0 at
    the baseline, 100 at the target, below 0 when it went the wrong way."""
    if value is None or goal.baseline is None or goal.target is None:
        return None
    span = Decimal(goal.target) - Decimal(goal.baseline)
    if span == 0:
        return None
    share = (Decimal(value) - Decimal(goal.baseline)) / span * 100
    return int(share.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def goal_health(
    *,
    session: Session,
    workspace: Workspace,
    goals: list[Goal],
    colours: dict[int, Rag | None] | None = None,
    at: datetime | None = None,
    projects: dict[int, Project] | dict[int, ProjectRow] | None = None,
    pending: list[tuple[Gate, Project]] | None = None,
) -> list[GoalHealth]:
    """Each goal rolled up, in the order given. `colours`: each project's colour to use
    (by id; the digest's, as at its week's end), else their latest updates; `at`: only
    check-ins made before it count; `projects`: the workspace's active projects by id,
    and `pending`: the pending gates with their projects (oldest request first), when
    already read (the digest's thousands are not loaded again)."""
    if not goals:
        return []
    team_id = workspace.team_id
    ids = [goal.id for goal in goals if goal.id is not None]
    if projects is None:
        links = goal_log.goal_links(session=session, team_id=team_id, goal_ids=ids)
    else:
        # A project made since they were read (another transaction) waits for next time.
        rows = goal_log.goal_link_rows(session=session, team_id=team_id, goal_ids=ids)
        links = [
            goal_log.GoalLink(goal, weight, projects[pid])
            for goal, weight, pid in rows
            if pid in projects
        ]
    if colours is None:
        standing = watchlist.latest_standing(session=session, team_id=team_id)
        colours = {pid: Rag(update.overall) for pid, update in standing.items()}
    if pending is None:
        pending = gate_log.pending_gates(session=session, team_id=team_id)
    risks = risk_log.open_counts_by_project(
        session=session, team_id=team_id, min_score=workspace.risk_high_from
    )
    latest = goal_log.latest_checkins(session=session, team_id=team_id, before=at)
    served: dict[int, list[GoalProject]] = {goal_id: [] for goal_id in ids}
    for goal_id, weight, project in links:
        served[goal_id].append(GoalProject(project, weight, colours.get(project.id or 0)))
    health = []
    for goal in goals:
        assert goal.id is not None
        projects = served[goal.id]
        mine = {p.project.id for p in projects}
        health.append(
            GoalHealth(
                goal=goal,
                projects=projects,
                # Pending gates come oldest request first: the next to decide.
                next_gate=next(((g, p) for g, p in pending if p.id in mine), None),
                high_risks=sum(risks.get(pid or 0, 0) for pid in mine),
                latest=latest.get(goal.id),
            )
        )
    return health


def workspace_goals(*, session: Session, team_id: str) -> list[GoalHealth]:
    """The workspace's active goals, by key, each rolled up: `/goal list`."""
    workspace = ensure_workspace(session=session, team_id=team_id)
    goals = goal_log.goals_of(session=session, team_id=team_id)
    return goal_health(session=session, workspace=workspace, goals=goals)


def goals_owned(*, session: Session, workspace: Workspace, user_id: str) -> list[GoalHealth]:
    """The active goals a person owns, rolled up (one statement when they own none):
    their Home."""
    goals = goal_log.goals_of(session=session, team_id=workspace.team_id, owner=user_id)
    return goal_health(session=session, workspace=workspace, goals=goals)


@dataclass(frozen=True)
class GoalView:
    """One goal rolled up, with its latest check-ins (newest first): `/goal show`."""

    health: GoalHealth
    checkins: list[GoalCheckin]
    high_from: int


def goal_view(*, session: Session, actor: Actor, key: str) -> GoalView:
    """The goal named (archived ones too), rolled up; UnknownGoal with close matches."""
    goal = get_goal(session=session, team_id=actor.team_id, key=key)
    workspace = ensure_workspace(session=session, team_id=actor.team_id)
    [health] = goal_health(session=session, workspace=workspace, goals=[goal])
    assert goal.id is not None
    checkins = goal_log.checkins_of(
        session=session, team_id=actor.team_id, goal_id=goal.id, limit=CHECKINS_SHOWN
    )
    return GoalView(health, checkins, workspace.risk_high_from)
