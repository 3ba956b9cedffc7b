"""A project's planned labour cost: the hours its allocations ask, at each person's rate,
against its budget.

Planned, not spent: every allocation counts over its whole range (past and future) at the
person's cost rate as it stands now; leave is not taken off. People without a cost rate
are listed with their hours, not costed, so a total never looks complete when it is not.
Two statements whatever the size of the team.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlmodel import Session

from storage import capacity
from storage.models import Allocation, Person, Project
from storage.workspaces import people_of
from workflows.load import WORKING_DAYS, ZERO, weekly_hours

CENT = Decimal("0.01")


@dataclass(frozen=True)
class CostLine:
    """One person's planned hours on the project and, with a rate, what they cost."""

    user_id: str
    hours: Decimal
    rate: Decimal | None

    @property
    def cost(self) -> Decimal | None:
        """Hours times rate, to the cent (None: no cost rate set)."""
        return None if self.rate is None else (self.hours * self.rate).quantize(CENT)


@dataclass(frozen=True)
class LabourCost:
    """The project's planned labour cost: the people costed (dearest first), the people
    without a rate, and the budget it is measured against."""

    project: Project
    costed: list[CostLine]
    not_costed: list[CostLine]

    @property
    def budget(self) -> Decimal | None:
        """The project's budget (None: no budget set)."""
        return None if self.project.budget is None else Decimal(self.project.budget)

    @property
    def total(self) -> Decimal:
        """The cost of the people with a rate."""
        return sum((line.cost or ZERO for line in self.costed), ZERO)

    @property
    def hours(self) -> Decimal:
        """Every planned hour, costed or not."""
        return sum((line.hours for line in [*self.costed, *self.not_costed]), ZERO)

    @property
    def remaining(self) -> Decimal | None:
        """Budget less the planned cost (negative: over budget; None: no budget)."""
        return None if self.budget is None else self.budget - self.total

    @property
    def over_budget(self) -> bool:
        """The planned cost alone is more than the budget."""
        return self.budget is not None and self.total > self.budget

    @property
    def percent_of_budget(self) -> int | None:
        """The planned cost as a share of the budget (None: no budget, or a budget of 0)."""
        if not self.budget:
            return None
        return round(100 * self.total / self.budget)


def working_days_between(start: date, end: date) -> int:
    """Monday-to-Friday days in [start, end] (0 when end is before start)."""
    if end < start:
        return 0
    weeks, extra = divmod((end - start).days + 1, 7)
    days = weeks * WORKING_DAYS
    for offset in range(extra):
        if (start + timedelta(days=offset)).weekday() < WORKING_DAYS:
            days += 1
    return days


def planned_hours(allocation: Allocation, person: Person) -> Decimal:
    """The hours the allocation asks over its whole range (a fifth of its weekly hours
    for each working day)."""
    days = working_days_between(allocation.start_date, allocation.end_date)
    return weekly_hours(allocation, person) * days / WORKING_DAYS


def planned_labour_cost(*, session: Session, project: Project) -> LabourCost:
    """The project's allocations, whole range, at each person's rate."""
    assert project.id is not None
    allocations = capacity.allocations_between(
        session=session,
        team_id=project.team_id,
        start=date.min,
        end=date.max,
        project_id=project.id,
    )
    people = people_of(
        session=session,
        team_id=project.team_id,
        user_ids=sorted({a.user_id for a in allocations}),
    )
    hours: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for allocation in allocations:
        person = people.get(allocation.user_id)
        if person is not None:
            hours[allocation.user_id] += planned_hours(allocation, person)
    lines = [
        CostLine(user_id, spent.quantize(CENT), _rate(people[user_id]))
        for user_id, spent in hours.items()
    ]
    costed = sorted(
        (line for line in lines if line.rate is not None),
        key=lambda line: (-(line.cost or ZERO), line.user_id),
    )
    not_costed = sorted(
        (line for line in lines if line.rate is None), key=lambda line: (-line.hours, line.user_id)
    )
    return LabourCost(project=project, costed=costed, not_costed=not_costed)


def _rate(person: Person) -> Decimal | None:
    return None if person.cost_rate is None else Decimal(person.cost_rate)
