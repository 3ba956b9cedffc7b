"""The portfolio's health week by week: what the digest's chart shows, as plain data.

For each of the last 13 weeks: how many projects stood green, amber, red, on hold or
without any update at the week's end, and the share of due updates posted on time (the
digest's own rule, workflows/participation.py). Three statements however many projects the
workspace has (see bench/digest_bench.py); commands/digest_chart.py draws it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session

from storage.models import Rag, Workspace
from storage.portfolio import PostedRag, ProjectLike, rag_history
from storage.projects import list_projects
from workflows.participation import Participation, weekly_participation
from workflows.periods import zone

TREND_WEEKS = 13
# Before the first week: its standing needs the update before it, and its due period may
# start a month or more earlier (the digest's own history allows the same).
HISTORY_MARGIN = timedelta(days=62)
# The order of the stacked bars, bottom to top; "none" is a project with no update yet.
STANDINGS = (Rag.GREEN.value, Rag.AMBER.value, Rag.RED.value, Rag.HOLD.value, "none")


@dataclass(frozen=True)
class TrendWeek:
    """One week: [start, end) in UTC, labelled by the local day it starts on ("23 Nov")."""

    label: str
    start: datetime
    end: datetime
    counts: dict[str, int]
    # Updates due that week and how many came on time, as the digest counts them.
    participation: Participation

    @property
    def projects(self) -> int:
        """How many projects existed at the week's end."""
        return sum(self.counts.values())


@dataclass(frozen=True)
class HealthTrend:
    """The weeks before a digest, oldest first: the content of the digest's chart."""

    team_id: str
    weeks: list[TrendWeek]

    @property
    def empty(self) -> bool:
        """True when no week had a project: nothing to draw."""
        return all(week.projects == 0 for week in self.weeks)


def health_trend(
    *,
    session: Session,
    workspace: Workspace,
    end: datetime,
    weeks: int = TREND_WEEKS,
    updates: dict[int, list[PostedRag]] | None = None,
    projects: Sequence[ProjectLike] | None = None,
    on_time: list[Participation] | None = None,
) -> HealthTrend:
    """The `weeks` seven-day weeks ending at `end` (a digest's send time), oldest first.
    `updates`: the history from `history_start(end, weeks)` to `end`, `projects`: the
    active projects, and `on_time`: each week's participation, when the caller has already
    read or counted them (the digest has)."""
    team_id = workspace.team_id
    if projects is None:
        projects = list_projects(session=session, team_id=team_id)
    if updates is None:
        updates = rag_history(
            session=session, team_id=team_id, since=history_start(end, weeks), until=end
        )
    tz = zone(workspace.time_zone)
    ends = trend_ends(end, weeks)
    if on_time is None:
        on_time = weekly_participation(workspace, projects, updates, ends)
    counts = [dict.fromkeys(STANDINGS, 0) for _ in ends]
    for project in projects:
        # Counted in the weeks that end after it was created.
        first = bisect_right(ends, project.created_at)
        standings = _standings(updates.get(project.id or 0, []), ends[first:])
        for counted, standing in zip(counts[first:], standings, strict=True):
            counted[standing] += 1
    trend = []
    for week_end, counted, week_on_time in zip(ends, counts, on_time, strict=True):
        trend.append(
            TrendWeek(
                label=_day_label((week_end - timedelta(weeks=1)).astimezone(tz).date()),
                start=week_end - timedelta(weeks=1),
                end=week_end,
                counts=counted,
                participation=week_on_time,
            )
        )
    return HealthTrend(team_id=team_id, weeks=trend)


def trend_ends(end: datetime, weeks: int = TREND_WEEKS) -> list[datetime]:
    """Where each of the trend's `weeks` weeks ending at `end` ends, oldest first."""
    return [end - timedelta(weeks=back) for back in reversed(range(weeks))]


def history_start(end: datetime, weeks: int = TREND_WEEKS) -> datetime:
    """How far back the trend of `weeks` weeks ending at `end` reads status history."""
    return end - timedelta(weeks=weeks) - HISTORY_MARGIN


def _standings(history: list[PostedRag], ends: list[datetime]) -> list[str]:
    # Where a project stood at each of `ends` (ascending): its latest update before each,
    # in one walk through its history (oldest first) rather than one search per week.
    standings, current, seen, count = [], "none", 0, len(history)
    for moment in ends:
        while seen < count and history[seen][0] < moment:
            current, seen = history[seen][1], seen + 1
        standings.append(current)
    return standings


def _day_label(day: date) -> str:
    # "7 Dec", without the platform-dependent "%-d".
    return f"{day.day} {day:%b}"
