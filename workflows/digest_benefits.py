"""The digest's Benefits section: what closed projects promised and what they delivered.

Benefits awaiting their sponsor's value, those recorded realised or missed in the
digest's week, and those still without a value ten working days after their check-in,
which count as missed until someone records them (workflows/benefit_checkins.py). Four
bulk reads, however many projects (see bench/digest_bench.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session

from storage import benefit_log
from storage.models import Benefit, BenefitStatus, Project, Workspace
from workflows.benefit_checkins import awaiting_check_in, overdue_after
from workflows.periods import zone


@dataclass(frozen=True)
class BenefitNote:
    """One benefit as the digest names it: `since` is its check-in day (awaiting a value)
    or the day its value was recorded; `ask` who is asked for the value."""

    benefit: Benefit
    project: Project
    since: date
    ask: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class BenefitsReview:
    """The section's lists; all empty leaves the section out of the digest."""

    due: list[BenefitNote] = field(default_factory=list)
    unrecorded: list[BenefitNote] = field(default_factory=list)
    realised: list[BenefitNote] = field(default_factory=list)
    missed: list[BenefitNote] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Nothing to report."""
        return not (self.due or self.unrecorded or self.realised or self.missed)


def benefits_review(
    *, session: Session, workspace: Workspace, start: datetime, end: datetime
) -> BenefitsReview:
    """The benefits to report for the week [start, end), as they stand at `end`."""
    team_id = workspace.team_id
    tz = zone(workspace.time_zone)
    awaiting = awaiting_check_in(session=session, team_id=team_id, now=end)
    checked_in = benefit_log.due_since(session=session, team_id=team_id) if awaiting else {}
    due, unrecorded = [], []
    # When each check-in time counts as missed, worked out once per time: check-ins made by
    # one job run share it.
    deadlines: dict[datetime, datetime] = {}
    for check_in in awaiting:
        benefit = check_in.benefit
        # Not marked yet (the job has not had its turn): due from its date, not overdue.
        checked = checked_in.get(benefit.id or 0)
        note = BenefitNote(
            benefit=benefit,
            project=check_in.project,
            since=checked.astimezone(tz).date() if checked else benefit.realise_on,
            ask=check_in.ask,
        )
        if checked is not None and checked not in deadlines:
            deadlines[checked] = overdue_after(checked, workspace)
        overdue = checked is not None and end >= deadlines[checked]
        (unrecorded if overdue else due).append(note)
    recorded = benefit_log.recorded_between(session=session, team_id=team_id, start=start, end=end)
    notes = [
        BenefitNote(benefit=b, project=p, since=(b.recorded_at or end).astimezone(tz).date())
        for b, p in recorded
    ]
    return BenefitsReview(
        due=due,
        unrecorded=unrecorded,
        realised=[n for n in notes if n.benefit.status == BenefitStatus.REALISED],
        missed=[n for n in notes if n.benefit.status == BenefitStatus.MISSED],
    )
