"""How loaded a person is, week by week: capacity, allocated hours, over and under.

Pure arithmetic over rows already read (no queries), so the forecast for thousands of
people is a handful of bulk reads (storage/capacity.py) and this. A week runs Monday to
Friday; an allocation or a leave that covers part of a week counts for its working days
in it (a fifth of the week each).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from storage.capacity import AllocationSpan, PersonRow
from storage.models import Allocation, Person

WORKING_DAYS = 5
HOURS_MAX = Decimal("168")  # every hour of a week
ZERO = Decimal("0")
# Below this share of capacity over the next four weeks, a person is "on the bench".
BENCH_BELOW_PERCENT = 50
BENCH_WEEKS = 4
_WEEK = timedelta(weeks=1)
_MONDAY_TO_FRIDAY = timedelta(days=WORKING_DAYS - 1)
_FRIDAY_TO_SUNDAY = timedelta(days=6)
# An allocation as stored, or as the forecast reads it (its hours and dates only).
Allotted = Allocation | AllocationSpan
# A person as stored, or as the forecast reads them (who, hours, skills, leave).
Someone = Person | PersonRow


def monday(day: date) -> date:
    """The Monday of the week `day` is in."""
    return day - timedelta(days=day.weekday())


def weeks_from(today: date, count: int) -> list[date]:
    """The Mondays of `count` weeks, starting with this one."""
    first = monday(today)
    return [first + timedelta(weeks=n) for n in range(count)]


def working_days(start: date, end: date, week: date) -> int:
    """How many of the week's working days (Monday `week` to Friday) fall in [start, end]."""
    first, last = max(start, week), min(end, week + timedelta(days=WORKING_DAYS - 1))
    return max((last - first).days + 1, 0)


def weekly_hours(allocation: Allotted, person: Someone) -> Decimal:
    """The hours a week the allocation asks of the person: its own, or its share of
    their capacity."""
    if allocation.hours_per_week is not None:
        return Decimal(allocation.hours_per_week)
    return Decimal(person.capacity_hours) * (allocation.percent or 0) / 100


def allocated_in(allocation: Allocation, person: Person, week: date) -> Decimal:
    """The hours the allocation takes in the week (Monday `week`)."""
    days = working_days(allocation.start_date, allocation.end_date, week)
    return weekly_hours(allocation, person) * days / WORKING_DAYS if days else ZERO


def capacity_in(person: Someone, week: date, today: date) -> Decimal:
    """The hours the person can work in the week: their weekly capacity less the working
    days of leave (from `/pmo pause until`, which starts today)."""
    capacity = Decimal(person.capacity_hours)
    if person.paused_until is None or person.paused_until < today:
        return capacity
    away = working_days(today, person.paused_until, week)
    return capacity * (WORKING_DAYS - away) / WORKING_DAYS


class WeekLoad(NamedTuple):
    """One person's week: what they can give, what is asked, and by which projects (a
    row, not a dataclass: a forecast makes one per person and week, a hundred thousand in
    a large workspace, bench/digest_bench.py)."""

    week: date
    capacity: Decimal
    allocated: Decimal
    by_project: dict[int, Decimal]

    @property
    def percent(self) -> int | None:
        """Allocated as a share of capacity (None: no capacity that week, e.g. on leave)."""
        if not self.capacity:
            return None
        return round(100 * self.allocated / self.capacity)

    def over(self, threshold_percent: int) -> bool:
        """Asked for more than capacity plus the threshold (anything at all on leave)."""
        if not self.capacity:
            return self.allocated > 0
        return self.allocated > self.capacity * (100 + threshold_percent) / 100


@dataclass(frozen=True)
class PersonLoad:
    """A person and their weeks, in order."""

    person: Someone
    weeks: list[WeekLoad]

    def over_weeks(self, threshold_percent: int) -> list[WeekLoad]:
        """The weeks they are over-allocated."""
        return [week for week in self.weeks if week.over(threshold_percent)]

    def on_bench(self) -> bool:
        """Little asked of them over the first four weeks (and some capacity to give)."""
        first = self.weeks[:BENCH_WEEKS]
        capacity = sum((w.capacity for w in first), ZERO)
        allocated = sum((w.allocated for w in first), ZERO)
        return capacity > 0 and allocated * 100 < capacity * BENCH_BELOW_PERCENT


def person_load(
    person: Someone, allocations: Iterable[Allotted], weeks: list[date], today: date
) -> PersonLoad:
    """The person's load in each of `weeks` (Mondays, in order) from their allocations."""
    return _load(person, allocations, weeks, {week: n for n, week in enumerate(weeks)}, today)


def _load(
    person: Someone,
    allocations: Iterable[Allotted],
    weeks: list[date],
    index: dict[date, int],
    today: date,
    spreads: dict[tuple[date, date, str], Spread] | None = None,
) -> PersonLoad:
    # `index`: each of `weeks` by its place, made once for everyone by loads_of, as is
    # `spreads`: the hours an allocation takes in each week it overlaps, worked out once per
    # span and weekly hours (most allocations share them) for the thousands of people a
    # forecast counts (bench/capacity_bench.py).
    by_week: list[dict[int, Decimal]] = [{} for _ in weeks]
    if spreads is None:
        spreads = {}
    for allocation in allocations:
        start, end = allocation.start_date, allocation.end_date
        if not weeks or end < weeks[0] or start > weeks[-1] + _FRIDAY_TO_SUNDAY:
            continue
        weekly = weekly_hours(allocation, person)
        # By its digits, not its value: 30 and 30.00 hours are written differently.
        key = (start, end, str(weekly))
        spread = spreads.get(key)
        if spread is None:
            spread = spreads[key] = _spread(start, end, weekly, weeks, index)
        project_id = allocation.project_id
        for n, hours in spread:
            by_project = by_week[n]
            by_project[project_id] = by_project.get(project_id, ZERO) + hours
    if person.paused_until is not None and person.paused_until >= today:
        capacities = [capacity_in(person, week, today) for week in weeks]
    else:
        capacities = [Decimal(person.capacity_hours)] * len(weeks)
    loads = [
        WeekLoad(week, capacity, sum(by_project.values(), ZERO) if by_project else ZERO, by_project)
        for week, capacity, by_project in zip(weeks, capacities, by_week, strict=True)
    ]
    return PersonLoad(person=person, weeks=loads)


# The hours an allocation takes in each week it overlaps: (the week's place, hours).
Spread = tuple[tuple[int, Decimal], ...]


def _spread(
    start: date, end: date, weekly: Decimal, weeks: list[date], index: dict[date, int]
) -> Spread:
    # Only the weeks the span overlaps are visited; a week it covers Monday to Friday takes
    # its whole weekly hours, only its first and last weeks are counted by the day.
    whole = weekly * WORKING_DAYS / WORKING_DAYS
    spread = []
    week = max(monday(start), weeks[0])
    while week <= end and week <= weeks[-1]:
        n = index.get(week)
        if n is not None:
            if start <= week and week + _MONDAY_TO_FRIDAY <= end:
                hours = whole
            else:
                days = working_days(start, end, week)
                hours = weekly * days / WORKING_DAYS if days else ZERO
            if hours:
                spread.append((n, hours))
        week += _WEEK
    return tuple(spread)


def loads_of(
    people: Iterable[Someone], allocations: Iterable[Allotted], weeks: list[date], today: date
) -> list[PersonLoad]:
    """Everyone's load, in the order of `people` (allocations of people not listed are
    left out)."""
    by_person: dict[str, list[Allotted]] = defaultdict(list)
    for allocation in allocations:
        by_person[allocation.user_id].append(allocation)
    index = {week: n for n, week in enumerate(weeks)}
    spreads: dict[tuple[date, date, str], Spread] = {}
    return [_load(p, by_person.get(p.user_id, []), weeks, index, today, spreads) for p in people]
