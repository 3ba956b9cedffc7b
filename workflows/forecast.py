"""Demand against capacity for the weeks ahead, by skill: the capacity forecast.

Demand is what is allocated plus what open requests for people ask; capacity is what
people can give (less leave). A person counts under each of their skills, a request
under its own; "all" is everyone and every request. Four bulk reads whatever the
number of people or projects (bench/capacity_bench.py), then workflows/load.py.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlmodel import Session

from storage import capacity
from storage.models import ResourceRequest, Workspace
from workflows.capacity import HORIZON_WEEKS, today_of
from workflows.load import ZERO, PersonLoad, loads_of, weeks_from, working_days

ALL = "all"


@dataclass(frozen=True)
class SkillWeek:
    """One skill's week: hours people can give, hours asked (allocated + requested)."""

    week: date
    capacity: Decimal
    allocated: Decimal
    requested: Decimal

    @property
    def demand(self) -> Decimal:
        return self.allocated + self.requested

    @property
    def gap(self) -> Decimal:
        """Capacity left over (negative: short by that many hours)."""
        return self.capacity - self.demand


@dataclass(frozen=True)
class Forecast:
    """The weeks ahead (Mondays), each skill's weeks, and everyone's load (for the heat
    map, the bench and over-allocation)."""

    today: date
    weeks: list[date]
    by_skill: dict[str, list[SkillWeek]]
    loads: list[PersonLoad]
    open_requests: list[ResourceRequest]
    threshold: int

    def first(self, weeks: int) -> Forecast:
        """The forecast of only the first `weeks` of these weeks: what `forecast` says for
        that many weeks (each week's figures depend on that week alone)."""
        return replace(
            self,
            weeks=self.weeks[:weeks],
            by_skill={skill: each[:weeks] for skill, each in self.by_skill.items()},
            loads=[PersonLoad(person=load.person, weeks=load.weeks[:weeks]) for load in self.loads],
        )


def requested_in(request: ResourceRequest, week: date) -> Decimal:
    """The hours an open request asks in the week (Monday `week`)."""
    days = working_days(request.start_date, request.end_date, week)
    return Decimal(request.hours_per_week) * days / 5 if days else ZERO


def forecast(
    *, session: Session, workspace: Workspace, now: datetime, weeks: int = HORIZON_WEEKS
) -> Forecast:
    """The next `weeks` weeks for the whole workspace."""
    team_id = workspace.team_id
    today = today_of(workspace, now)
    mondays = weeks_from(today, weeks)
    # Rows, not ORM objects: only who people are, their hours, skills and leave, and the
    # allocations' hours and dates, are read (loads_of); a workspace may have thousands.
    people = capacity.people_rows_on_projects(session=session, team_id=team_id)
    allocations = capacity.allocation_spans(
        session=session, team_id=team_id, start=mondays[0], end=mondays[-1] + timedelta(days=6)
    )
    requests = [
        r
        for r, project in capacity.requests_with_projects(session=session, team_id=team_id)
        if not project.archived
    ]
    loads = loads_of(people, allocations, mondays, today)
    by_skill = _by_skill(loads, requests, mondays)
    return Forecast(
        today=today,
        weeks=mondays,
        by_skill=by_skill,
        loads=loads,
        open_requests=requests,
        threshold=workspace.overallocation_threshold,
    )


def _by_skill(
    loads: list[PersonLoad], requests: list[ResourceRequest], weeks: list[date]
) -> dict[str, list[SkillWeek]]:
    capacity_of: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO] * len(weeks))
    allocated_of: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO] * len(weeks))
    requested_of: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO] * len(weeks))
    # People with the same skills are added up once for all of them, then to each skill
    # (sums of hours are exact: the order they are added in changes nothing).
    by_skills: dict[tuple[str, ...], tuple[list[Decimal], list[Decimal]]] = {}
    for load in loads:
        if not load.weeks:
            continue
        shared = tuple(load.person.skills)
        if shared not in by_skills:
            by_skills[shared] = ([ZERO] * len(weeks), [ZERO] * len(weeks))
        capacities, allocations = by_skills[shared]
        by_skills[shared] = (
            [hours + week.capacity for hours, week in zip(capacities, load.weeks, strict=True)],
            [hours + week.allocated for hours, week in zip(allocations, load.weeks, strict=True)],
        )
    for shared, (capacities, allocations) in by_skills.items():
        for skill in [ALL, *shared]:
            for n, (hours, allocated) in enumerate(zip(capacities, allocations, strict=True)):
                capacity_of[skill][n] += hours
                allocated_of[skill][n] += allocated
    # Requests over the same weeks asking the same hours ask them alike: worked out once.
    spreads: dict[tuple[date, date, str], list[Decimal]] = {}
    for request in requests:
        key = (request.start_date, request.end_date, str(request.hours_per_week))
        asked = spreads.get(key)
        if asked is None:
            asked = spreads[key] = [requested_in(request, week) for week in weeks]
        for skill in (ALL, request.skill):
            for n, hours in enumerate(asked):
                requested_of[skill][n] += hours
    skills = sorted(set(capacity_of) | set(requested_of), key=lambda s: (s != ALL, s))
    return {
        skill: [
            SkillWeek(week, capacity_of[skill][n], allocated_of[skill][n], requested_of[skill][n])
            for n, week in enumerate(weeks)
        ]
        for skill in skills
    }
