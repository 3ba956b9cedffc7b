"""The digest's Learning section as template context: plain figures, dates and trend lines.

commands/digest_message.py renders it with digest_learning.j2; the section is left out
when the workspace held no retro this week, has no action due and decided no gate.
"""

from __future__ import annotations

from typing import Any

from commands import mrkdwn
from workflows.digest_learning import Learning, LearningWeek
from workflows.wording import count

SPARKS = "▁▂▃▄▅▆▇█"


def digest_context(learning: Learning) -> dict[str, Any]:
    """Retros held, actions done and overdue, and one trend line per measure."""
    return {
        "any": not learning.empty,
        "retros": [project for _, project in learning.retros],
        "due": learning.actions_due,
        "done": learning.actions_done,
        "rate": learning.completion,
        "overdue": [
            {
                "project": line.project,
                "title": line.action.title,
                "owner": line.action.owner,
                "due": mrkdwn.day(line.action.due_on),
            }
            for line in learning.overdue
        ],
        "on_time": on_time_line(learning.weeks),
        "cycle": cycle_time_line(learning.weeks),
    }


def on_time_line(weeks: list[LearningWeek]) -> str:
    """`On time: 80 % → 92 % (13 weeks) ▁▃▅▆▇`; empty when no update was ever due."""
    points = [week.on_time.percent for week in weeks]
    shown = [p for p in points if p is not None]
    if not shown:
        return ""
    spark = sparkline([None if p is None else p / 100 for p in points])
    return f"On time: {_from_to([f'{p} %' for p in shown])} ({count(len(weeks), 'week')}) `{spark}`"


def cycle_time_line(weeks: list[LearningWeek]) -> str:
    """`Gate cycle time: median 3.5 → 2 days (13 weeks) ▇▅▃`, from request to decision;
    empty when no gate was decided in those weeks."""
    points = [week.gate_days for week in weeks]
    shown = [days for days in points if days is not None]
    if not shown:
        return ""
    top = max(shown) or 1.0
    spark = sparkline([None if d is None else d / top for d in points])
    said = _from_to([_days(days) for days in shown])
    return f"Gate cycle time: median {said} days ({count(len(weeks), 'week')}) `{spark}`"


def sparkline(shares: list[float | None]) -> str:
    """One block per value between 0 and 1, a space for a week without one."""
    top = len(SPARKS) - 1
    return "".join(" " if s is None else SPARKS[min(round(s * top), top)] for s in shares)


def _from_to(said: list[str]) -> str:
    # The first week with a figure to the latest: "80 % → 92 %", or one figure alone.
    return said[0] if len(said) == 1 else f"{said[0]} → {said[-1]}"


def _days(days: float) -> str:
    # 3.5 stays 3.5, 2.0 reads 2.
    return f"{round(days, 1):g}"
