"""The digest's Capacity section: where the next four weeks ask more than people have.

Who is over-allocated (which weeks, by how much, which projects ask), the open requests
for people whose start date has come, the skills short of hours, and the projects whose
latest update says the team is short. One forecast (three bulk reads,
workflows/forecast.py; in the digest, its heat map's, cut to four weeks) and the latest
updates the digest has already read, so the cost does not grow with the projects.
Over-allocation is the plan asking too much, never the person's doing: the section says
what is asked of whom, not who is behind.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlmodel import Session

from storage.models import Project, ResourceRequest, TeamCapacity, Workspace
from storage.portfolio import ProjectLike
from storage.watchlist import Standing
from workflows.forecast import ALL, Forecast, SkillWeek, forecast
from workflows.load import ZERO, WeekLoad
from workflows.periods import zone

OUTLOOK_WEEKS = 4


@dataclass(frozen=True)
class OverAllocated:
    """A person asked for more than their capacity (plus the threshold) in `weeks`."""

    user_id: str
    weeks: list[WeekLoad]


@dataclass(frozen=True)
class LateRequest:
    """An open request for a person whose start date has come and gone unfilled."""

    request: ResourceRequest
    project: Project


@dataclass(frozen=True)
class SkillGap:
    """A skill with fewer hours than asked of it in `weeks` (only the short ones)."""

    skill: str
    weeks: list[SkillWeek]

    @property
    def short_by(self) -> Decimal:
        """The hours missing over those weeks."""
        return sum((-week.gap for week in self.weeks), ZERO)


@dataclass(frozen=True)
class ShortTeam:
    """A project whose latest update says its team is short for the next two weeks."""

    project: Project
    said_on: date


@dataclass(frozen=True)
class CapacityOutlook:
    """The next `weeks` weeks' capacity problems. `tracked` is False when the workspace
    plans no capacity at all (no allocation, no open request, no update saying how the
    team stands): the digest then leaves the section out. `projects` names the active
    projects by id, for the hours each asks."""

    tracked: bool = False
    weeks: list[date] = field(default_factory=list)
    threshold: int = 0
    over_allocated: list[OverAllocated] = field(default_factory=list)
    late_requests: list[LateRequest] = field(default_factory=list)
    gaps: list[SkillGap] = field(default_factory=list)
    short_teams: list[ShortTeam] = field(default_factory=list)
    projects: dict[int, ProjectLike] = field(default_factory=dict)

    @property
    def clear(self) -> bool:
        """Nothing to report."""
        return not (self.over_allocated or self.late_requests or self.gaps or self.short_teams)


def capacity_outlook(
    *,
    session: Session,
    workspace: Workspace,
    now: datetime,
    projects: Sequence[ProjectLike],
    standing: dict[int, Standing],
    planned: Forecast | None = None,
) -> CapacityOutlook:
    """The workspace's next four weeks from `now` (the active `projects` and their latest
    updates, `standing`, as the digest has read them). `planned`: the workspace's longer
    forecast from `now`, when the caller has it (the digest, for its heat map)."""
    if planned is None:
        ahead = forecast(session=session, workspace=workspace, now=now, weeks=OUTLOOK_WEEKS)
    else:
        ahead = planned.first(OUTLOOK_WEEKS)
    tz = zone(workspace.time_zone)
    active = {p.id: p for p in projects if p.id is not None}
    said = [standing[pid] for pid in active if pid in standing]
    over = [
        OverAllocated(load.person.user_id, weeks)
        for load in ahead.loads
        if (weeks := load.over_weeks(ahead.threshold))
    ]
    late = [
        LateRequest(request, active[request.project_id])
        for request in sorted(ahead.open_requests, key=lambda r: (r.start_date, r.id or 0))
        if request.start_date <= ahead.today and request.project_id in active
    ]
    allocated = any(week.allocated for load in ahead.loads for week in load.weeks)
    requested = any(request.project_id in active for request in ahead.open_requests)
    return CapacityOutlook(
        tracked=allocated or requested or any(u.team_capacity for u in said),
        weeks=ahead.weeks,
        threshold=ahead.threshold,
        over_allocated=over,
        late_requests=late,
        gaps=_gaps(ahead.by_skill),
        short_teams=[
            ShortTeam(active[u.project_id], u.created_at.astimezone(tz).date())
            for u in said
            if u.team_capacity == TeamCapacity.SHORT
        ],
        projects=active,
    )


def _gaps(by_skill: dict[str, list[SkillWeek]]) -> list[SkillGap]:
    # Each skill's short weeks, the most hours missing first; "all" is everyone at once,
    # which the skills already say in detail.
    gaps = [
        SkillGap(skill, short)
        for skill, weeks in by_skill.items()
        if skill != ALL and (short := [week for week in weeks if week.gap < 0])
    ]
    return sorted(gaps, key=lambda gap: (-gap.short_by, gap.skill))
