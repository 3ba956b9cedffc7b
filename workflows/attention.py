"""Needs attention: every project a leader must look at, once, most severe first.

A project appears when it is off track or at risk, green but flagged, past its target
date while not in its last phase, forecast over budget, without an update for its last
due date, has a gate past its SLA, a high or critical risk nobody is looking after, or a
red or amber update no leader acknowledged within two working days, or when something it
waits on, at any hop, is threatened (workflows/dependency_threats.py). Each reason says
since when. A new project whose first update is not due yet is listed for information,
not as a warning. Archived projects are not listed; one on hold owes no update. The
digest and the leaders' Home tab both show it; the reads are bulk queries (at most a dozen
statements however many projects, storage/watchlist.py), the rules are here. The digest
takes the active projects (as rows, storage/portfolio.py), the pending gates and who holds
the PM role from here too, read once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache

from sqlmodel import Session

from storage import watchlist
from storage.dependency_log import open_dependencies
from storage.gate_log import pending_gates
from storage.models import Gate, Project, Rag, Role, Workspace
from storage.portfolio import ProjectRow, active_projects
from storage.workspaces import ensure_workspace
from workflows.dependency_threats import Reach, ThreatKind, reaches, threats
from workflows.gates import gate_label
from workflows.periods import (
    Period,
    add_working_days,
    period_containing,
    previous_period,
    zone,
)
from workflows.risks import Severity, risk_label, severity
from workflows.workspace_policy import acknowledgers_of

# A red or amber update should be read by a leader within this many working days.
ACKNOWLEDGE_WITHIN = 2


class Concern(StrEnum):
    """What is wrong with a project; the members are in order of severity, worst first
    (not knowing where a project stands comes right after knowing it is off track)."""

    OFF_TRACK = "off_track"
    NO_UPDATE = "no_update"
    AT_RISK = "at_risk"
    PAST_TARGET = "past_target"
    OVER_BUDGET = "over_budget"
    DEPENDENCY = "dependency"
    FLAGGED_GREEN = "flagged_green"
    GATE_OVERDUE = "gate_overdue"
    RISK_UNATTENDED = "risk_unattended"
    UNACKNOWLEDGED = "unacknowledged"
    FIRST_UPDATE = "first_update"

    @property
    def rank(self) -> int:
        """0 for the most severe."""
        return RANKS[self]

    @property
    def warns(self) -> bool:
        """Everything but a new project's first update still to come is a warning."""
        return self is not Concern.FIRST_UPDATE


RANKS = {concern: rank for rank, concern in enumerate(Concern)}


@dataclass(frozen=True)
class Reason:
    """One thing wrong with a project, since which local day, and how many days that is."""

    concern: Concern
    since: date
    days: int


@dataclass(frozen=True)
class Colour(Reason):
    """Off track or at risk, with the PM's path to green."""

    rag: Rag
    path_to_green: str


@dataclass(frozen=True)
class Flagged(Reason):
    """Green overall, but the update's own figures say otherwise."""

    flags: list[str]


@dataclass(frozen=True)
class PastTarget(Reason):
    """The target date (`since`) has passed and the project is not in its last phase."""

    phase: str


@dataclass(frozen=True)
class OverBudget(Reason):
    """The latest forecast at completion exceeds the budget."""

    forecast: Decimal
    budget: Decimal


@dataclass(frozen=True)
class NoUpdate(Reason):
    """No update for the due day `due`; `since` is the last update (or the project's start)."""

    due: date
    last_update: date | None


@dataclass(frozen=True)
class GateOverdue(Reason):
    """A gate still undecided past its SLA (`since` is the day the SLA ran out)."""

    gate: Gate
    label: str
    waiting: list[str]


@dataclass(frozen=True)
class RiskUnattended(Reason):
    """A high or critical entry with no owner, or past its review date (`since`)."""

    risk: watchlist.UnattendedRisk
    label: str
    band: Severity
    unowned: bool
    review_date: date | None


@dataclass(frozen=True)
class Unacknowledged(Reason):
    """The latest update is red or amber and no leader acknowledged it in time (`since`
    is the day it was posted)."""

    rag: Rag


@dataclass(frozen=True)
class Threatened(Reason):
    """Something the project waits on, at any hop, is threatened (`reach` says what, and
    the chain); `since` is the upstream's update, the missed need date, or today for a
    target date past the need date (when it moved is not read)."""

    reach: Reach


@dataclass(frozen=True)
class FirstUpdate(Reason):
    """A new project whose first update is due on `due` (for information)."""

    due: date


@dataclass(frozen=True)
class AttentionItem:
    """A project and everything wrong with it, most severe first."""

    project: ProjectRow
    pm: str | None
    reasons: list[Reason]

    @property
    def warns(self) -> bool:
        """True unless it is only listed for information."""
        return any(reason.concern.warns for reason in self.reasons)


@dataclass(frozen=True)
class PendingGates:
    """The pending gates of active projects (oldest request first), who may decide each and
    who did: read once here, for the digest's own section too."""

    rows: list[tuple[Gate, Project]] = field(default_factory=list)
    approvers: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    verdicts: dict[int, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))


@dataclass(frozen=True)
class Attention:
    """The workspace's projects that need attention at `now`, warnings first."""

    today: date
    items: list[AttentionItem]
    # The workspace's active projects, by key: rows, read once for every digest section.
    projects: list[ProjectRow] = field(default_factory=list)
    # Each active project's newest standing update (none when it never reported).
    standing: dict[int, watchlist.Standing] = field(default_factory=dict)
    # Who acknowledged each standing red or amber update, by update id.
    readers: dict[int, set[str]] = field(default_factory=dict)
    gates: PendingGates = field(default_factory=PendingGates)
    # Who holds the PM and sponsor roles of each project.
    roles: dict[int, dict[Role, list[str]]] = field(default_factory=dict)

    @property
    def warnings(self) -> list[AttentionItem]:
        """The projects a leader must look at, most severe first."""
        return [item for item in self.items if item.warns]

    @property
    def information(self) -> list[AttentionItem]:
        """New projects whose first update is still to come."""
        return [item for item in self.items if not item.warns]

    def counts(self) -> dict[str, int]:
        """Active projects by the colour of their latest update ("none": no update yet)."""
        counts = {rag.value: 0 for rag in Rag} | {"none": 0}
        for project in self.projects:
            update = self.standing.get(project.id or 0)
            counts[Rag(update.overall).value if update else "none"] += 1
        return counts


class _Clock:
    # `now`, the workspace's zone and its local day: how long each problem has lasted.
    # Read once here: they are asked for thousands of times in a large portfolio.
    def __init__(self, now: datetime, workspace: Workspace) -> None:
        self.now = now
        self.workspace = workspace
        self.zone = zone(workspace.time_zone)
        self.today = self.day(now)
        self.last_phase = workspace.phases[-1] if workspace.phases else None

    def day(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def days_since(self, day: date) -> int:
        return max((self.today - day).days, 0)


def needs_attention(*, session: Session, team_id: str, now: datetime) -> Attention:
    """Every active project that needs a leader's attention at `now`, once, with all its
    reasons (most severe first), the most severe projects first, information last."""
    workspace = ensure_workspace(session=session, team_id=team_id)
    clock = _Clock(now, workspace)
    projects = active_projects(session=session, team_id=team_id)
    standing = watchlist.latest_standing(session=session, team_id=team_id)
    readers = watchlist.standing_readers(session=session, team_id=team_id)
    roles = watchlist.holders_by_project(
        session=session, team_id=team_id, roles={Role.PM, Role.SPONSOR}
    )
    runs = watchlist.run_starts(
        session=session, team_id=team_id, project_ids=_troubled(projects, standing)
    )
    gates = _pending(session, team_id)
    found: dict[int, list[Reason]] = defaultdict(list)
    for project in projects:
        latest = standing.get(project.id)
        found[project.id] = [
            *_standing_reasons(clock, project, latest, runs.get(project.id)),
            *_update_reasons(clock, project, latest),
        ]
    for project_id, reason in [
        *_gate_reasons(clock, gates),
        *_risk_reasons(session, clock, {project.id: project for project in projects}),
        *_acknowledgement_reasons(clock, projects, standing, readers, roles),
        *_dependency_reasons(session, clock, projects, standing),
    ]:
        found[project_id].append(reason)
    items = [
        AttentionItem(
            project=project,
            pm=(roles[project.id].get(Role.PM) or [None])[0],
            reasons=sorted(reasons, key=_severity),
        )
        for project in projects
        if (reasons := found[project.id])
    ]
    items.sort(key=lambda item: (not item.warns, _severity(item.reasons[0]), item.project.key))
    return Attention(clock.today, items, projects, standing, readers, gates, roles)


def _troubled(projects: list[ProjectRow], standing: dict[int, watchlist.Standing]) -> list[int]:
    # The projects whose latest update gives a reason that lasts since a run began: red or
    # amber, flagged, or forecast over budget (_standing_reasons).
    troubled = []
    for project in projects:
        latest = standing.get(project.id)
        if latest is None:
            continue
        forecast, budget = latest.forecast_at_completion, project.budget
        if (
            latest.overall in watchlist.TROUBLED
            or latest.flagged
            or (forecast is not None and budget is not None and forecast > budget)
        ):
            troubled.append(project.id)
    return troubled


def _severity(reason: Reason) -> tuple[int, int]:
    # Worse concern first; of the same concern, the longest-lasting first.
    return (reason.concern.rank, -reason.days)


def _standing_reasons(
    clock: _Clock,
    project: ProjectRow,
    latest: watchlist.Standing | None,
    run: watchlist.RunStarts | None,
) -> list[Reason]:
    # What the project's dates and its latest update say.
    reasons: list[Reason] = []
    target = project.target_date
    if target is not None and target < clock.today and project.phase != clock.last_phase:
        reasons.append(
            PastTarget(Concern.PAST_TARGET, target, clock.days_since(target), project.phase)
        )
    past_target = bool(reasons)
    if latest is None:
        return reasons
    began = run or watchlist.RunStarts(latest.created_at, latest.created_at, latest.created_at)
    rag = Rag(latest.overall)
    if rag in (Rag.RED, Rag.AMBER):
        concern = Concern.OFF_TRACK if rag == Rag.RED else Concern.AT_RISK
        since = clock.day(began.colour)
        reasons.append(Colour(concern, since, clock.days_since(since), rag, latest.path_to_green))
    # A passed target date is named once: as itself, not again as the flag it raised.
    flags = [flag for flag in latest.flags if not (past_target and "target date" in flag)]
    if rag == Rag.GREEN and latest.flagged and flags:
        since = clock.day(began.flagged)
        reasons.append(Flagged(Concern.FLAGGED_GREEN, since, clock.days_since(since), flags))
    forecast, budget = latest.forecast_at_completion, project.budget
    if forecast is not None and budget is not None and forecast > budget:
        since = clock.day(began.over_budget)
        days = clock.days_since(since)
        reasons.append(OverBudget(Concern.OVER_BUDGET, since, days, forecast, budget))
    return reasons


def _update_reasons(
    clock: _Clock, project: ProjectRow, latest: watchlist.Standing | None
) -> list[Reason]:
    # A missed due day is a warning, unless the project did not exist yet on that day: then,
    # like a new project that never reported, its first update is listed as information.
    workspace, now = clock.workspace, clock.now
    current, before, after = _periods(
        str(project.status_cadence), workspace.time_zone, workspace.status_due_weekday, now
    )
    if _owes_update(project, latest, now, current, before):
        missed = current if now >= current.due_at else before
        if project.created_at < missed.due_at:
            last = clock.day(latest.created_at) if latest else None
            since = last or clock.day(project.created_at)
            due = clock.day(missed.due_at)
            return [NoUpdate(Concern.NO_UPDATE, since, clock.days_since(since), due, last)]
    elif latest is not None:
        return []
    first = current if now < current.due_at else after
    since = clock.day(project.created_at)
    due = clock.day(first.due_at)
    return [FirstUpdate(Concern.FIRST_UPDATE, since, clock.days_since(since), due)]


def _owes_update(
    project: ProjectRow,
    latest: watchlist.Standing | None,
    now: datetime,
    current: Period,
    before: Period,
) -> bool:
    # The rule of workflows/staleness.py (what the nudges and the Home tab call due or
    # overdue), applied to the rows read here: calling projects_needing_update would read
    # the projects, their updates and roles again, a third of the digest's build at 1,000
    # projects. tests/workflows/test_attention.py checks that both agree.
    if latest is not None and latest.overall == Rag.HOLD:
        return False
    last_at = latest.created_at if latest else None
    if last_at is not None and last_at >= current.start:
        return False
    overdue = (last_at is None or last_at < before.start) and project.created_at < current.start
    return overdue or now >= current.due_at


@lru_cache(maxsize=256)
def _periods(
    cadence: str, tz_name: str, due_weekday: int, now: datetime
) -> tuple[Period, Period, Period]:
    # The period containing `now`, the one before and the one after: the same for every
    # project of a cadence, so computed once, not once per project.
    tz = zone(tz_name)
    current = period_containing(now, cadence=cadence, tz=tz, due_weekday=due_weekday)
    before = previous_period(current, cadence=cadence, tz=tz, due_weekday=due_weekday)
    after = period_containing(current.end, cadence=cadence, tz=tz, due_weekday=due_weekday)
    return current, before, after


def _pending(session: Session, team_id: str) -> PendingGates:
    # Every pending gate with its approvers and verdicts (the digest lists them all).
    rows = pending_gates(session=session, team_id=team_id)
    if not rows:
        return PendingGates(rows)
    approvers, verdicts = watchlist.pending_gate_deciders(session=session, team_id=team_id)
    return PendingGates(rows, approvers, verdicts)


def _gate_reasons(clock: _Clock, gates: PendingGates) -> list[tuple[int, Reason]]:
    # Pending gates past their SLA in working days (as the gate reminders count them).
    tz_name = clock.workspace.time_zone
    late = [
        (gate, project, due)
        for gate, project in gates.rows
        if clock.now > (due := add_working_days(gate.requested_at, gate.sla_days, tz_name))
    ]
    approvers, decided = gates.approvers, gates.verdicts
    reasons: list[tuple[int, Reason]] = []
    for gate, project, due in late:
        assert gate.id is not None and project.id is not None
        waiting = [u for u in approvers.get(gate.id, []) if u not in decided.get(gate.id, {})]
        since = clock.day(due)
        label = gate_label(gate, project)
        reason = GateOverdue(
            Concern.GATE_OVERDUE, since, clock.days_since(since), gate, label, waiting
        )
        reasons.append((project.id, reason))
    return reasons


def _risk_reasons(
    session: Session, clock: _Clock, projects: dict[int, ProjectRow]
) -> list[tuple[int, Reason]]:
    # High and critical entries with no owner (since raised) or past their review date.
    workspace = clock.workspace
    risks = watchlist.unattended_risks(
        session=session,
        team_id=workspace.team_id,
        min_score=workspace.risk_high_from,
        today=clock.today,
    )
    reasons: list[tuple[int, Reason]] = []
    for risk in risks:
        project = projects[risk.project_id]
        unowned = risk.owner is None
        overdue = risk.review_date if risk.review_date and risk.review_date < clock.today else None
        since = clock.day(risk.created_at) if unowned else overdue
        assert since is not None
        band = severity(risk.score, workspace)
        label = risk_label(risk, project)
        days = clock.days_since(since)
        reason = RiskUnattended(
            Concern.RISK_UNATTENDED, since, days, risk, label, band, unowned, overdue
        )
        reasons.append((risk.project_id, reason))
    return reasons


def _acknowledgement_reasons(
    clock: _Clock,
    projects: list[ProjectRow],
    standing: dict[int, watchlist.Standing],
    readers: dict[int, set[str]],
    roles: dict[int, dict[Role, list[str]]],
) -> list[tuple[int, Reason]]:
    # A red or amber latest update that none of the project's acknowledgers (its sponsors,
    # the PMO leads, the digest's leaders) acknowledged within the working days allowed.
    workspace = clock.workspace
    # Who acknowledges for every project (acknowledgers_of less the sponsors): read once.
    everywhere = set(acknowledgers_of(workspace, []))
    reasons: list[tuple[int, Reason]] = []
    for project in projects:
        update = standing.get(project.id)
        if update is None or update.overall not in (Rag.RED, Rag.AMBER):
            continue
        due = add_working_days(update.created_at, ACKNOWLEDGE_WITHIN, workspace.time_zone)
        if clock.now < due:
            continue
        read = readers.get(update.id)
        sponsors = roles[update.project_id].get(Role.SPONSOR, [])
        if read and not read.isdisjoint([*everywhere, *sponsors]):
            continue
        since = clock.day(update.created_at)
        reason = Unacknowledged(
            Concern.UNACKNOWLEDGED, since, clock.days_since(since), Rag(update.overall)
        )
        reasons.append((update.project_id, reason))
    return reasons


def _dependency_reasons(
    session: Session,
    clock: _Clock,
    projects: list[ProjectRow],
    standing: dict[int, watchlist.Standing],
) -> list[tuple[int, Reason]]:
    # Each threat to what a project waits on, at any hop (workflows/dependency_threats.py),
    # over the rows read above and one more read: the open dependencies.
    dependencies = open_dependencies(session=session, team_id=clock.workspace.team_id)
    if not dependencies:
        return []
    active = {project.id: project for project in projects}
    found = threats(
        dependencies=dependencies, projects=active, standing=standing, today=clock.today
    )
    reasons: list[tuple[int, Reason]] = []
    for reach in reaches(found, dependencies, active):
        threat = reach.threat
        if threat.reported_at is not None:
            since = clock.day(threat.reported_at)
        elif threat.kind == ThreatKind.MISSED:
            since = threat.dependency.need_by
        else:
            since = clock.today
        reason = Threatened(Concern.DEPENDENCY, since, clock.days_since(since), reach)
        reasons.append((reach.waiting.id or 0, reason))
    return reasons
