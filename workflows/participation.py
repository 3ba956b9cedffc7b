"""Which update fell due in a week, and whether it came on time: the participation rule.

The digest reports the last four weeks of it and its chart the last thirteen
(workflows/health_trend.py); both read one bulk history (storage/portfolio.py) and ask
this module, so they cannot disagree. Pure functions: no queries.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from operator import itemgetter

from storage.models import Rag, Workspace
from storage.portfolio import PostedRag, ProjectLike
from workflows.periods import Period, period_containing, previous_period, week_label, zone

DAY, WEEK = timedelta(days=1), timedelta(days=7)
# A PostedRag is (created_at, overall).
_CREATED_AT = itemgetter(0)


@dataclass(frozen=True)
class Participation:
    """One week's share of projects that posted their due update on time."""

    label: str
    on_time: int
    due: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.on_time / self.due) if self.due else None


def participation(
    workspace: Workspace,
    projects: Sequence[ProjectLike],
    updates: dict[int, list[PostedRag]],
    end: datetime,
) -> Participation:
    """The seven days before `end`: the projects whose update fell due in them (a project
    on hold all along owes none, nor one created after its due time) and how many of
    those posted by the end of their due day. `updates`: each project's history, oldest
    first."""
    return weekly_participation(workspace, projects, updates, [end])[0]


def weekly_participation(
    workspace: Workspace,
    projects: Sequence[ProjectLike],
    updates: dict[int, list[PostedRag]],
    ends: Sequence[datetime],
) -> list[Participation]:
    """`participation` for the week before each of `ends`, in one walk over the projects
    and their histories (the digest asks thirteen weeks of thousands of projects)."""
    due, on_time = [0] * len(ends), [0] * len(ends)
    weeks: dict[str, list[_DueWeek]] = {}
    tz_name, weekday = workspace.time_zone, workspace.status_due_weekday
    for project in projects:
        cadence = str(project.status_cadence)
        if cadence not in weeks:
            weeks[cadence] = _due_weeks(cadence, tz_name, weekday, ends)
        history = updates.get(project.id or 0, [])
        times = [created_at for created_at, _ in history]
        count, created = len(times), project.created_at
        for number, start, end, due_at, due_by in weeks[cadence]:
            if created >= due_at:
                continue
            # The first update at or after the period's start, and the one before it.
            first = bisect_left(times, start)
            posted = first < count and times[first] < end
            if not posted and first and history[first - 1][1] == Rag.HOLD:
                continue  # on hold all along: nothing was due
            due[number] += 1
            # By the end of the due day.
            if first < count and times[first] < due_by:
                on_time[number] += 1
    tz = zone(tz_name)
    return [
        Participation(
            label=week_label(end.astimezone(tz).date() - WEEK), on_time=on_time[n], due=due[n]
        )
        for n, end in enumerate(ends)
    ]


def due_in(
    workspace: Workspace, project: ProjectLike, start: datetime, end: datetime
) -> Period | None:
    """The project's period whose update fell due in [start, end), if one did."""
    return _due_for_cadence(
        str(project.status_cadence), workspace.time_zone, workspace.status_due_weekday, start, end
    )


def standing_at(history: list[PostedRag], moment: datetime) -> PostedRag | None:
    """The last update before `moment` in a history ordered oldest first."""
    before = bisect_left(history, moment, key=_CREATED_AT)
    return history[before - 1] if before else None


def rag_at(history: list[PostedRag], moment: datetime) -> Rag | None:
    """The colour the project stood at just before `moment` (None: no update yet)."""
    standing = standing_at(history, moment)
    return Rag(standing[1]) if standing else None


def updated_in(history: list[PostedRag], start: datetime, end: datetime) -> bool:
    """True when the project posted in [start, end), in a history ordered oldest first."""
    first = bisect_left(history, start, key=_CREATED_AT)
    return first < len(history) and history[first][0] < end


# A week with an update due: its number, its period's start, the week's end, when the
# update fell due, and the end of that due day (on time before it).
_DueWeek = tuple[int, datetime, datetime, datetime, datetime]


def _due_weeks(
    cadence: str, tz_name: str, due_weekday: int, ends: Sequence[datetime]
) -> list[_DueWeek]:
    # Worked out once per cadence, not once per project and week.
    weeks = []
    for number, end in enumerate(ends):
        period = _due_for_cadence(cadence, tz_name, due_weekday, end - WEEK, end)
        if period is not None:
            weeks.append((number, period.start, end, period.due_at, period.due_at + DAY))
    return weeks


@lru_cache(maxsize=1024)
def _due_for_cadence(
    cadence: str, tz_name: str, due_weekday: int, start: datetime, end: datetime
) -> Period | None:
    # The same for every project of a cadence: computed once, not once per project.
    tz = zone(tz_name)
    period = period_containing(
        end - timedelta(seconds=1), cadence=cadence, tz=tz, due_weekday=due_weekday
    )
    before = previous_period(period, cadence=cadence, tz=tz, due_weekday=due_weekday)
    return next((p for p in (period, before) if start <= p.due_at < end), None)
