"""What `/capacity` shows: your own load and allocations, and a project's team and load.

Reads only; a handful of statements each (the people and allocations in bulk).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from storage import capacity
from storage.models import Allocation, Person, Project, Role
from storage.projects import holders
from storage.workspaces import ensure_people, ensure_workspace, people_of
from workflows.actor import Actor
from workflows.capacity import HORIZON_WEEKS, today_of
from workflows.labour_cost import LabourCost, planned_labour_cost
from workflows.load import PersonLoad, loads_of, person_load, weeks_from
from workflows.projects import resolve_project

# How many weeks a person sees of their own load.
OWN_WEEKS = 8
USAGE_PROJECT = "/capacity KEY"


@dataclass(frozen=True)
class MyCapacity:
    """A person's capacity, their load in the weeks ahead and their allocations."""

    person: Person
    load: PersonLoad
    allocations: list[tuple[Allocation, Project]]
    threshold: int


def my_capacity(*, session: Session, actor: Actor, now: datetime) -> MyCapacity:
    """The actor's next eight weeks and the allocations that are not over yet."""
    workspace = ensure_workspace(session=session, team_id=actor.team_id)
    person = ensure_people(session=session, team_id=actor.team_id, user_ids=[actor.user_id])[
        actor.user_id
    ]
    today = today_of(workspace, now)
    mine = capacity.allocations_with_projects(
        session=session, team_id=actor.team_id, user_id=actor.user_id, since=today
    )
    load = person_load(person, [a for a, _ in mine], weeks_from(today, OWN_WEEKS), today)
    return MyCapacity(person, load, mine, workspace.overallocation_threshold)


@dataclass(frozen=True)
class TeamMember:
    """Someone on the project: their allocations to it and their whole load."""

    person: Person
    allocations: list[Allocation]
    load: PersonLoad

    @property
    def peak_percent(self) -> int | None:
        """Their fullest week ahead (None: no capacity in any)."""
        percents = [w.percent for w in self.load.weeks if w.percent is not None]
        return max(percents) if percents else None


@dataclass(frozen=True)
class ProjectCapacity:
    """A project's team for the weeks ahead: the people allocated (most loaded first),
    then the people on the project with no allocation to it."""

    project: Project
    members: list[TeamMember]
    unallocated: list[str]
    threshold: int
    cost: LabourCost


def project_capacity(
    *, session: Session, actor: Actor, key: str | None, now: datetime
) -> ProjectCapacity:
    """The project named by `key` (or the channel's) and its team's load."""
    project = resolve_project(
        session=session,
        team_id=actor.team_id,
        key=key,
        channel_id=actor.channel_id,
        usage=USAGE_PROJECT,
    )
    assert project.id is not None
    workspace = ensure_workspace(session=session, team_id=actor.team_id)
    today = today_of(workspace, now)
    weeks = weeks_from(today, HORIZON_WEEKS)
    end = weeks[-1] + timedelta(days=6)
    ours = capacity.allocations_between(
        session=session, team_id=actor.team_id, start=today, end=end, project_id=project.id
    )
    allocated = sorted({a.user_id for a in ours})
    people = people_of(session=session, team_id=actor.team_id, user_ids=allocated)
    everything = capacity.allocations_between(
        session=session, team_id=actor.team_id, start=weeks[0], end=end, user_ids=allocated
    )
    loads = {
        load.person.user_id: load
        for load in loads_of(
            [people[u] for u in allocated if u in people], everything, weeks, today
        )
    }
    members = [
        TeamMember(people[u], [a for a in ours if a.user_id == u], loads[u])
        for u in allocated
        if u in loads
    ]
    members.sort(key=lambda m: (-(m.peak_percent or 0), m.person.user_id))
    on_project = [
        u
        for role in (Role.PM, Role.MEMBER)
        for u in holders(session=session, team_id=actor.team_id, project_id=project.id, role=role)
    ]
    unallocated = [u for u in dict.fromkeys(on_project) if u not in allocated]
    cost = planned_labour_cost(session=session, project=project)
    return ProjectCapacity(project, members, unallocated, workspace.overallocation_threshold, cost)
