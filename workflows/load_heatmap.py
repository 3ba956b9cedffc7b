"""Everyone's load week by week, as the capacity heat map shows it: plain data.

A row per person, a column per week of the forecast; each cell is the week's load as a
share of the person's capacity and its band (free, ok, full, over the workspace's
threshold, on leave). With many people the map keeps the most loaded (weeks over first,
then the highest average load) and says how many more there are.
commands/capacity_heatmap.py draws it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlmodel import Session

from storage.models import Workspace
from workflows.forecast import Forecast, forecast
from workflows.load import BENCH_BELOW_PERCENT, ZERO, PersonLoad, WeekLoad

# As many rows as stay readable on one picture.
ROWS_MAX = 40
# From this share of capacity a week counts as full (up to the over-allocation threshold).
FULL_FROM_PERCENT = 90


class Band(StrEnum):
    """How loaded a person's week is."""

    FREE = "free"  # under half their capacity: room to give
    OK = "ok"
    FULL = "full"  # nearly or just over capacity, within the threshold
    OVER = "over"  # over capacity plus the workspace's threshold
    LEAVE = "leave"  # no capacity that week, and nothing asked


@dataclass(frozen=True)
class HeatCell:
    """One person's week: load as a percent of capacity (None: no capacity) and its band."""

    percent: int | None
    band: Band


@dataclass(frozen=True)
class HeatRow:
    """One person and their weeks, in the order of the map's weeks."""

    user_id: str
    name: str
    cells: tuple[HeatCell, ...]


@dataclass(frozen=True)
class HeatMap:
    """The weeks (Mondays), the people shown (most loaded first), how many more were left
    out, and the threshold the bands were drawn with (message content: a picture)."""

    weeks: tuple[date, ...]
    rows: tuple[HeatRow, ...]
    more: int
    threshold: int
    skill: str | None = None

    @property
    def people(self) -> int:
        """Everyone the map is about, shown or not."""
        return len(self.rows) + self.more


def band_of(week: WeekLoad, threshold: int) -> Band:
    """The week's band (leave only when nothing is asked: work asked of someone away is
    over)."""
    if week.over(threshold):
        return Band.OVER
    percent = week.percent
    if percent is None:
        return Band.LEAVE
    if percent < BENCH_BELOW_PERCENT:
        return Band.FREE
    if percent < FULL_FROM_PERCENT:
        return Band.OK
    return Band.FULL


def heat_map(planned: Forecast, *, skill: str | None = None, rows_max: int = ROWS_MAX) -> HeatMap:
    """The forecast's people (those with `skill`, when given), the most loaded first."""
    threshold = planned.threshold
    loads = [load for load in planned.loads if skill is None or skill in load.person.skills]
    limits: dict[Decimal, Decimal] = {}
    loads.sort(key=lambda load: _loaded_first(load, threshold, limits))
    rows = tuple(
        HeatRow(
            user_id=load.person.user_id,
            name=load.person.name or load.person.user_id,
            cells=tuple(
                HeatCell(percent=week.percent, band=band_of(week, threshold)) for week in load.weeks
            ),
        )
        for load in loads[:rows_max]
    )
    return HeatMap(
        weeks=tuple(planned.weeks),
        rows=rows,
        more=max(len(loads) - rows_max, 0),
        threshold=threshold,
        skill=skill,
    )


def workspace_heat_map(
    *, session: Session, workspace: Workspace, now: datetime, planned: Forecast | None = None
) -> HeatMap | None:
    """The workspace's heat map for the weeks from `now`, or None when nobody has hours
    allocated in them (a map of empty weeks says nothing). `planned`: the workspace's
    forecast from `now`, when the caller has already made it."""
    if planned is None:
        planned = forecast(session=session, workspace=workspace, now=now)
    if not any(week.allocated for load in planned.loads for week in load.weeks):
        return None
    return heat_map(planned)


def _loaded_first(
    load: PersonLoad, threshold: int, limits: dict[Decimal, Decimal] | None = None
) -> tuple[int, Decimal, str]:
    # Weeks over first, then the share of their capacity asked over all the weeks. What
    # WeekLoad.over says, with each capacity's limit worked out once (`limits`, shared by
    # everyone sorted: thousands of people in a large workspace).
    if limits is None:
        limits = {}
    over = 0
    capacity = allocated = ZERO
    for week in load.weeks:
        hours, asked = week.capacity, week.allocated
        if not hours:
            over += asked > 0
        else:
            limit = limits.get(hours)
            if limit is None:
                limit = limits[hours] = hours * (100 + threshold) / 100
            over += asked > limit
        capacity += hours
        allocated += asked
    share = allocated / capacity if capacity else (Decimal(1000) if allocated else ZERO)
    return (-over, -share, load.person.user_id)
