"""The digest's Goals section: each active goal's health at the end of the digest's week,
and what moved it that week (its projects that changed colour, its measure's check-in).

Five statements whatever the number of goals and projects (one when the workspace has no
goal): the projects, their colours and the pending gates come from the digest's own reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from storage import goal_log
from storage.models import Gate, GoalCheckin, Project, Rag, Workspace
from storage.portfolio import ProjectLike, ProjectRow
from workflows.goal_health import GoalHealth, goal_health


@dataclass(frozen=True)
class ColourChange:
    """A project serving the goal that changed colour in the week (None: no update)."""

    project: ProjectLike
    before: Rag | None
    after: Rag | None


@dataclass(frozen=True)
class GoalWeek:
    """A goal as the digest reports it: its health at the week's end, the colour changes
    among its projects, and its measure's check-in in the week with the one before."""

    health: GoalHealth
    moved: list[ColourChange] = field(default_factory=list)
    checked: GoalCheckin | None = None
    before: GoalCheckin | None = None


def goals_of_week(
    *,
    session: Session,
    workspace: Workspace,
    start: datetime,
    end: datetime,
    colours: dict[int, tuple[Rag | None, Rag | None]],
    projects: list[ProjectRow] | None = None,
    pending: list[tuple[Gate, Project]] | None = None,
) -> list[GoalWeek]:
    """The active goals, by key, for the week [start, end). `colours`: each active
    project's colour at `start` and at `end` (by id), as the digest read them;
    `projects`: the active projects, and `pending`: the pending gates (oldest request
    first), when the digest read them already."""
    goals = goal_log.goals_of(session=session, team_id=workspace.team_id)
    if not goals:
        return []
    now = {pid: after for pid, (_, after) in colours.items()}
    by_id = None if projects is None else {p.id or 0: p for p in projects}
    healths = goal_health(
        session=session,
        workspace=workspace,
        goals=goals,
        colours=now,
        at=end,
        projects=by_id,
        pending=pending,
    )
    earlier = goal_log.latest_checkins(session=session, team_id=workspace.team_id, before=start)
    weeks = []
    for health in healths:
        moved = [
            ColourChange(p.project, was, p.rag)
            for p in health.projects
            if (was := colours.get(p.project.id or 0, (None, None))[0]) is not None and was != p.rag
        ]
        latest = health.latest
        checked = latest if latest is not None and latest.created_at >= start else None
        before = earlier.get(health.goal.id or 0) if checked is not None else None
        weeks.append(GoalWeek(health, moved, checked, before))
    return weeks
