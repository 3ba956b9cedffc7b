"""People's capacity, their allocations, requests for people and the over-allocated weeks
already reported.

Reads are whole-workspace and bulk (one statement each, however many people or
projects; see bench/capacity_bench.py); the rules live in workflows/load.py and
workflows/capacity.py.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from storage.models import (
    Allocation,
    CapacityAlert,
    Person,
    Project,
    ProjectRole,
    RequestStatus,
    ResourceRequest,
)


def lock_person(*, session: Session, team_id: str, user_id: str) -> None:
    """Hold the person's row until the transaction ends, so two allocations of one person
    at once are made one after the other (each then sees the other's hours). An UPDATE
    rather than SELECT … FOR UPDATE: SQLite takes its write lock on it too."""
    session.execute(
        update(Person)
        .where(col(Person.team_id) == team_id, col(Person.user_id) == user_id)
        .values(capacity_hours=Person.capacity_hours)
    )


def people_on_projects(*, session: Session, team_id: str) -> list[Person]:
    """Everyone pmo-bot knows in the workspace who is on an active project, has an
    allocation or has named skills (a new hire on no project yet), by user id."""
    busy = set(session.exec(_busy(team_id)).scalars())
    people = session.exec(
        select(Person).where(Person.team_id == team_id).order_by(col(Person.user_id))
    )
    return [person for person in people if person.user_id in busy or person.skills]


class PersonRow(NamedTuple):
    """What a forecast reads of a person (rows, not ORM objects: a large workspace has
    thousands): who they are, their weekly hours and skills, and any leave."""

    user_id: str
    name: str | None
    skills: list[str]
    capacity_hours: Decimal
    paused_until: date | None


def people_rows_on_projects(*, session: Session, team_id: str) -> list[PersonRow]:
    """`people_on_projects` as plain rows, by user id."""
    busy = set(session.exec(_busy(team_id)).scalars())
    columns = [col(getattr(Person, name)) for name in PersonRow._fields]
    rows = session.exec(
        select(*columns).where(Person.team_id == team_id).order_by(col(Person.user_id))
    )
    return [PersonRow(*row) for row in rows if row[0] in busy or row[2]]


def user_ids_on_projects(*, session: Session, team_id: str) -> list[str]:
    """Everyone on an active project or with an allocation, known to pmo-bot yet or not,
    and everyone known with named skills: `people_on_projects` as user ids, by user id."""
    busy = set(session.exec(_busy(team_id)).scalars())
    known = session.exec(select(Person.user_id, Person.skills).where(Person.team_id == team_id))
    return sorted(busy | {user_id for user_id, skills in known if skills})


def _busy(team_id: str) -> Any:
    # Whoever is on an active project or has an allocation, by user id.
    on_projects = (
        select(ProjectRole.user_id)
        .join(Project, col(Project.id) == col(ProjectRole.project_id))
        .where(ProjectRole.team_id == team_id, col(Project.archived).is_(False))
    )
    allocated = select(Allocation.user_id).where(Allocation.team_id == team_id)
    return on_projects.union(allocated)


def allocations_between(
    *,
    session: Session,
    team_id: str,
    start: date,
    end: date,
    user_ids: list[str] | None = None,
    project_id: int | None = None,
) -> list[Allocation]:
    """Allocations that overlap [start, end], of these people or this project if given,
    oldest first."""
    statement = select(Allocation).where(
        Allocation.team_id == team_id, Allocation.start_date <= end, Allocation.end_date >= start
    )
    if user_ids is not None:
        statement = statement.where(col(Allocation.user_id).in_(user_ids))
    if project_id is not None:
        statement = statement.where(Allocation.project_id == project_id)
    return list(session.exec(statement.order_by(col(Allocation.start_date), col(Allocation.id))))


class AllocationSpan(NamedTuple):
    """What a forecast reads of an allocation (rows, not ORM objects: a large workspace
    has thousands)."""

    user_id: str
    project_id: int
    start_date: date
    end_date: date
    hours_per_week: Decimal | None
    percent: int | None


def allocation_spans(
    *, session: Session, team_id: str, start: date, end: date
) -> list[AllocationSpan]:
    """`allocations_between` as plain rows, for the whole workspace, oldest first."""
    columns = [col(getattr(Allocation, name)) for name in AllocationSpan._fields]
    statement = select(*columns).where(
        Allocation.team_id == team_id, Allocation.start_date <= end, Allocation.end_date >= start
    )
    rows = session.exec(statement.order_by(col(Allocation.start_date), col(Allocation.id)))
    return [AllocationSpan(*row) for row in rows]


def allocations_with_projects(
    *, session: Session, team_id: str, user_id: str, since: date
) -> list[tuple[Allocation, Project]]:
    """A person's allocations that end on or after `since`, with their projects."""
    statement = (
        select(Allocation, Project)
        .join(Project, col(Project.id) == col(Allocation.project_id))
        .where(
            Allocation.team_id == team_id,
            Allocation.user_id == user_id,
            Allocation.end_date >= since,
        )
        .order_by(col(Allocation.start_date), col(Allocation.id))
    )
    return list(session.exec(statement).all())


def requests_with_projects(
    *, session: Session, team_id: str, status: RequestStatus | None = RequestStatus.OPEN
) -> list[tuple[ResourceRequest, Project]]:
    """The workspace's requests for people (open ones by default), oldest first."""
    statement = (
        select(ResourceRequest, Project)
        .join(Project, col(Project.id) == col(ResourceRequest.project_id))
        .where(ResourceRequest.team_id == team_id)
    )
    if status is not None:
        statement = statement.where(ResourceRequest.status == status)
    return list(session.exec(statement.order_by(col(ResourceRequest.id))).all())


def get_request(
    *, session: Session, team_id: str, request_id: int, lock: bool = False
) -> ResourceRequest | None:
    """One request for a person, of this workspace only (locked when `lock`)."""
    statement = select(ResourceRequest).where(
        ResourceRequest.id == request_id, ResourceRequest.team_id == team_id
    )
    if lock:
        statement = statement.with_for_update()
    return session.exec(statement).first()


def next_request_number(*, session: Session, project_id: int) -> int:
    """The number the project's next request gets (APOLLO-RQ3 after RQ2)."""
    highest = session.exec(
        select(func.max(ResourceRequest.number)).where(ResourceRequest.project_id == project_id)
    ).one()
    return (highest or 0) + 1


def alerted_weeks(*, session: Session, team_id: str, user_id: str) -> set[date]:
    """The person's weeks already reported as over-allocated."""
    statement = select(CapacityAlert.week).where(
        CapacityAlert.team_id == team_id, CapacityAlert.user_id == user_id
    )
    return set(session.exec(statement))


def record_alerts(
    *, session: Session, team_id: str, user_id: str, weeks: list[date], now: datetime
) -> None:
    """Remember that these weeks of the person were reported."""
    for week in weeks:
        session.add(CapacityAlert(team_id=team_id, user_id=user_id, week=week, created_at=now))
    session.flush()
