"""The digest's Learning section: whether the portfolio improves, measured.

Retrospectives held in the digest's week; the actions they decided that are due by now,
how many were done and which are overdue (named, with their owner); and, week by week
for 13 weeks, the share of status updates posted on time (the participation rule, on the
history the digest already read) and the median gate cycle time, from request to decision.
Three bulk reads, however many projects (see bench/digest_bench.py).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session

from storage.gate_log import decided_between
from storage.learning_log import actions_due_before, retros_summarised_between
from storage.models import ActionStatus, Project, Retro, RetroAction, Workspace
from storage.portfolio import PostedRag, ProjectLike
from workflows.health_trend import TREND_WEEKS
from workflows.participation import Participation, weekly_participation
from workflows.periods import zone

DAY = timedelta(days=1)
WEEK = timedelta(weeks=1)


@dataclass(frozen=True)
class ActionLine:
    """A retrospective action as the digest names it, with its project."""

    action: RetroAction
    project: Project


@dataclass(frozen=True)
class LearningWeek:
    """One of the trend's weeks, [end - 7 days, end): updates on time, and the median days
    from request to decision of the gates decided in it (None: no gate was decided)."""

    end: datetime
    on_time: Participation
    gate_days: float | None
    gates: int


@dataclass(frozen=True)
class Learning:
    """The section's figures; `empty` leaves it out of the digest."""

    retros: list[tuple[Retro, Project]] = field(default_factory=list)
    # Actions due before the digest's day: all of them, and those still open.
    actions_due: int = 0
    actions_done: int = 0
    overdue: list[ActionLine] = field(default_factory=list)
    weeks: list[LearningWeek] = field(default_factory=list)

    @property
    def completion(self) -> int | None:
        """The percentage of actions due so far that were done (None: none was due)."""
        return round(100 * self.actions_done / self.actions_due) if self.actions_due else None

    @property
    def empty(self) -> bool:
        """No retro this week, no action due and no gate decided in the trend's weeks."""
        return not self.retros and not self.actions_due and not any(w.gates for w in self.weeks)


def learning_review(
    *,
    session: Session,
    workspace: Workspace,
    start: datetime,
    end: datetime,
    projects: Sequence[ProjectLike],
    updates: dict[int, list[PostedRag]],
    on_time: list[Participation] | None = None,
) -> Learning:
    """The Learning section of the digest for the week [start, end). `projects` and
    `updates` are those the digest reads for its Participation section (the history must
    reach 13 weeks back, and a period before), so both count on-time updates alike;
    `on_time`, each trend week's participation when the digest has already counted it."""
    team_id = workspace.team_id
    today = end.astimezone(zone(workspace.time_zone)).date()
    due = actions_due_before(session=session, team_id=team_id, day=today)
    done = [a for a, _ in due if a.status == ActionStatus.DONE]
    return Learning(
        retros=retros_summarised_between(session=session, team_id=team_id, start=start, end=end),
        actions_due=len(due),
        actions_done=len(done),
        overdue=[ActionLine(a, p) for a, p in due if a.status == ActionStatus.OPEN],
        weeks=_weeks(session, workspace, end, projects, updates, on_time),
    )


def _weeks(
    session: Session,
    workspace: Workspace,
    end: datetime,
    projects: Sequence[ProjectLike],
    updates: dict[int, list[PostedRag]],
    on_time: list[Participation] | None,
) -> list[LearningWeek]:
    # The trend's weeks end where the chart's do: at the digest's time, a week apart.
    first = end - TREND_WEEKS * WEEK
    cycle_days: list[list[float]] = [[] for _ in range(TREND_WEEKS)]
    decided = decided_between(session=session, team_id=workspace.team_id, start=first, end=end)
    for gate, _ in decided:
        assert gate.decided_at is not None  # decided_between reads decided gates only
        week = (gate.decided_at - first) // WEEK
        cycle_days[week].append((gate.decided_at - gate.requested_at) / DAY)
    ends = [first + (number + 1) * WEEK for number in range(TREND_WEEKS)]
    if on_time is None:
        on_time = weekly_participation(workspace, projects, updates, ends)
    weeks = []
    for week_end, days, week_on_time in zip(ends, cycle_days, on_time, strict=True):
        weeks.append(
            LearningWeek(
                end=week_end,
                on_time=week_on_time,
                gate_days=statistics.median(days) if days else None,
                gates=len(days),
            )
        )
    return weeks
