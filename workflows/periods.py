"""Reporting periods: the week (fortnight, month) a status update belongs to, in local time."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from storage.models import Cadence

# Fortnights are counted from this Monday, so every deployment agrees on them.
FORTNIGHT_EPOCH = date(2024, 1, 1)


@dataclass(frozen=True)
class Period:
    """One reporting period: its label, its bounds and when its update falls due (UTC)."""

    label: str
    start: datetime
    end: datetime
    due_at: datetime

    def contains(self, moment: datetime) -> bool:
        """True when `moment` falls inside the period."""
        return self.start <= moment < self.end


def zone(name: str | None) -> ZoneInfo:
    """The time zone called `name`, or UTC when it is unknown or missing."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The UTC moment a local day begins."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def week_label(monday: date) -> str:
    """ISO week label such as 2026-W48."""
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def period_containing(
    moment: datetime, *, cadence: Cadence | str, tz: ZoneInfo, due_weekday: int
) -> Period:
    """The period of `cadence` that contains `moment`, with weeks starting Monday, local time."""
    today = moment.astimezone(tz).date()
    cadence = Cadence(cadence)
    if cadence == Cadence.MONTHLY:
        first = today.replace(day=1)
        days = calendar.monthrange(first.year, first.month)[1]
        following = first + timedelta(days=days)
        last_day = following - timedelta(days=1)
        due_day = last_day - timedelta(days=(last_day.weekday() - due_weekday) % 7)
        return Period(
            label=f"{first.year}-{first.month:02d}",
            start=local_midnight(first, tz),
            end=local_midnight(following, tz),
            due_at=local_midnight(due_day, tz),
        )
    monday = today - timedelta(days=today.weekday())
    weeks = 1
    if cadence == Cadence.FORTNIGHTLY:
        weeks = 2
        monday -= timedelta(weeks=((monday - FORTNIGHT_EPOCH).days // 7) % 2)
    last_monday = monday + timedelta(weeks=weeks - 1)
    return Period(
        label=week_label(monday),
        start=local_midnight(monday, tz),
        end=local_midnight(monday + timedelta(weeks=weeks), tz),
        due_at=local_midnight(last_monday + timedelta(days=due_weekday), tz),
    )


def previous_period(
    period: Period, *, cadence: Cadence | str, tz: ZoneInfo, due_weekday: int
) -> Period:
    """The period just before `period`."""
    return period_containing(
        period.start - timedelta(seconds=1), cadence=cadence, tz=tz, due_weekday=due_weekday
    )


def add_working_days(moment: datetime, days: int, tz_name: str) -> datetime:
    """`moment` plus `days` working days (Monday to Friday) in the workspace's time zone."""
    local = moment.astimezone(zone(tz_name))
    while days > 0:
        local += timedelta(days=1)
        if local.weekday() < 5:
            days -= 1
    return local.astimezone(moment.tzinfo)
