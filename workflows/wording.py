"""How pmo-bot writes counts and dates for people: `1 approval`, `Tue 1 Dec 2026`.

The one way to put a count or a day into a Slack message, so every message reads the
same; ISO dates (2026-12-01) are for exports, audit details and the CLI only. It lives
below commands/ because the rules' own sentences (refusals, confirmations) say them too.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

# The plurals that are not the noun plus "s".
IRREGULAR = {
    "person": "people",
    "person has": "people have",
    "project has": "projects have",
    "is": "are",
    "has": "have",
    "was": "were",
    "entry": "entries",
    "activity": "activities",
}


def plural(n: int, noun: str, many: str | None = None) -> str:
    """The word for `n` of `noun`: `approval` for 1, `approvals` for 0 and many."""
    if n == 1:
        return noun
    return many or IRREGULAR.get(noun) or noun + "s"


def count(n: int, noun: str, many: str | None = None) -> str:
    """`0 approvals`, `1 approval`, `1,200 approvals` (`many` for an irregular plural)."""
    return f"{n:,} {plural(n, noun, many)}"


def last(n: int, noun: str, many: str | None = None) -> str:
    """`the last update` for 1, `the last 10 updates` for many, `no updates` for 0."""
    if n == 0:
        return f"no {plural(0, noun, many)}"
    if n == 1:
        return f"the last {noun}"
    return f"the last {count(n, noun, many)}"


def day(value: date | None) -> str:
    """A day as people read it: 2026-12-01 becomes `Tue 1 Dec 2026` (a dash for none)."""
    if value is None:
        return "—"
    return _day(value.year, value.month, value.day)


@lru_cache(maxsize=4096)
def _day(year: int, month: int, of_month: int) -> str:
    # By the calendar day alone (a moment's own fields, whatever its zone), so a digest's
    # thousands of lines format each day once. Without the platform-dependent "%-d".
    value = date(year, month, of_month)
    return f"{value:%a} {value.day} {value:%b %Y}"


def week_of(monday: date) -> str:
    """`week of Mon 23 Nov 2026`: a week as people read it (the ISO label is for keys)."""
    return f"week of {day(monday - timedelta(days=monday.weekday()))}"


def period_words(label: str, *, the: bool = False) -> str:
    """A reporting period's stored label as people read it: `2026-W48` becomes `week of Mon
    23 Nov 2026` (`the week of …` with `the`, to follow "for"), `2026-11` becomes `November
    2026`; anything else is shown as it is."""
    try:
        if "-W" in label:
            week = week_of(date.fromisocalendar(int(label[:4]), int(label[6:]), 1))
            return f"the {week}" if the else week
        year, month = label.split("-")
        return f"{date(int(year), int(month), 1):%B %Y}"
    except ValueError:
        return label
