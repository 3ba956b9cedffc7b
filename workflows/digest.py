"""The Monday digest: one honest page on the portfolio, in a fixed number of queries.

Every figure is computed from bulk queries over the whole workspace (a dozen however
many projects), then in Python; see bench/digest_bench.py.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.models import (
    Gate,
    GateApprover,
    GateDecision,
    GateStatus,
    Project,
    Rag,
    Risk,
    RiskStatus,
    Role,
    StatusUpdate,
    Workspace,
)
from storage.projects import list_projects, roles_by_project
from storage.workspaces import ensure_workspace
from workflows.kudos import kudos_between
from workflows.periods import (
    Period,
    add_working_days,
    period_containing,
    previous_period,
    week_label,
    zone,
)
from workflows.risks import Severity, severity
from workflows.workspace_policy import parse_clock_time

TOP_RISKS = 5
PARTICIPATION_WEEKS = 4
# Enough history to know every project's standing four weeks back, whatever its cadence.
HISTORY = timedelta(days=7 * PARTICIPATION_WEEKS + 62)


@dataclass(frozen=True)
class Window:
    """The week a digest reports on: the seven days before its send time."""

    label: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class ProjectLine:
    """A project as the digest names it."""

    project: Project
    pm: str | None
    rag: Rag | None
    previous: Rag | None
    last_update_at: datetime | None


@dataclass(frozen=True)
class RiskLine:
    risk: Risk
    severity: Severity


@dataclass(frozen=True)
class GateLine:
    gate: Gate
    project: Project
    working_days: int
    waiting: list[str]
    approvals: int


@dataclass(frozen=True)
class Participation:
    """One week's share of projects that posted their due update on time."""

    label: str
    on_time: int
    due: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.on_time / self.due) if self.due else None


@dataclass(frozen=True)
class Digest:
    """Everything the digest says, ready to render."""

    team_id: str
    window: Window
    active_projects: int
    counts: dict[str, int]
    previous_counts: dict[str, int]
    moved: list[ProjectLine]
    missing: list[ProjectLine]
    top_risks: list[tuple[Project, list[RiskLine]]]
    pending_gates: list[GateLine]
    decided_gates: list[tuple[Project, list[Gate]]]
    participation: list[Participation] = field(default_factory=list)
    kudos: int = 0


def digest_moment(workspace: Workspace, now: datetime) -> datetime:
    """The latest scheduled digest time at or before `now` (the workspace's day and time)."""
    tz = zone(workspace.time_zone)
    local = now.astimezone(tz)
    monday = local.date() - timedelta(days=local.weekday())
    day = monday + timedelta(days=workspace.digest_weekday)
    moment = datetime.combine(day, parse_clock_time(workspace.digest_time), tzinfo=tz)
    if moment > local:
        moment -= timedelta(days=7)
    return moment.astimezone(now.tzinfo)


def window_for(workspace: Workspace, moment: datetime) -> Window:
    """The seven days before a digest time, labelled by the ISO week it is sent in."""
    local_day = moment.astimezone(zone(workspace.time_zone)).date()
    monday = local_day - timedelta(days=local_day.weekday())
    return Window(label=week_label(monday), start=moment - timedelta(days=7), end=moment)


def build_digest(*, session: Session, team_id: str, now: datetime) -> Digest:
    """The digest of the week before the latest digest time at or before `now`."""
    workspace = ensure_workspace(session=session, team_id=team_id)
    window = window_for(workspace, digest_moment(workspace, now))
    projects = list_projects(session=session, team_id=team_id)
    ids = [p.id for p in projects if p.id is not None]
    pms = roles_by_project(session=session, team_id=team_id, project_ids=ids)
    updates = _updates_by_project(session, team_id, window.end)

    lines = []
    for project in projects:
        assert project.id is not None
        history = updates.get(project.id, [])
        pm = (pms[project.id].get(Role.PM) or [None])[0]
        last = _standing(history, window.end)
        lines.append(
            ProjectLine(
                project=project,
                pm=pm,
                rag=Rag(last.overall) if last else None,
                previous=_rag_at(history, window.start),
                last_update_at=last.created_at if last else None,
            )
        )
    counts = _count(line.rag for line in lines)
    previous_counts = _count(line.previous for line in lines)
    moved = [line for line in lines if line.previous is not None and line.rag != line.previous]
    # Owing an update is as the nudges see it: a project on hold owes none.
    missing = [
        line
        for line in lines
        if line.rag != Rag.HOLD
        and (due := _due_in(workspace, line.project, window.start, window.end)) is not None
        and line.project.created_at < due.due_at
        and not _updated_in(updates.get(line.project.id or 0, []), due.start, window.end)
    ]
    return Digest(
        team_id=team_id,
        window=window,
        active_projects=len(projects),
        counts=counts,
        previous_counts=previous_counts,
        moved=moved,
        missing=missing,
        top_risks=_top_risks(session, workspace, window.end),
        pending_gates=_pending_gates(session, workspace, window.end),
        decided_gates=_decided_gates(session, team_id, window),
        participation=[
            _participation(workspace, projects, updates, window.end - timedelta(days=7 * weeks))
            for weeks in reversed(range(PARTICIPATION_WEEKS))
        ],
        kudos=kudos_between(session=session, team_id=team_id, start=window.start, end=window.end),
    )


class Posted(NamedTuple):
    """What the digest needs of one status update (rows, not ORM objects: 1,000 projects
    have tens of thousands)."""

    id: int
    project_id: int
    created_at: datetime
    overall: str


def _updates_by_project(session: Session, team_id: str, until: datetime) -> dict[int, list[Posted]]:
    # Every version posted in the history window, plus the newest one from before it.
    since = until - HISTORY
    columns = (
        StatusUpdate.id,
        StatusUpdate.project_id,
        StatusUpdate.created_at,
        StatusUpdate.overall,
    )
    recent = session.exec(
        select(*columns).where(
            StatusUpdate.team_id == team_id,
            StatusUpdate.created_at >= since,
            StatusUpdate.created_at < until,
        )
    )
    older_ids = (
        select(func.max(StatusUpdate.id))
        .where(StatusUpdate.team_id == team_id, StatusUpdate.created_at < since)
        .group_by(col(StatusUpdate.project_id))
    )
    older = session.exec(select(*columns).where(col(StatusUpdate.id).in_(older_ids)))
    grouped: dict[int, list[Posted]] = defaultdict(list)
    for row in [*older, *recent]:
        grouped[row[1]].append(Posted(*row))
    for history in grouped.values():
        history.sort(key=lambda u: (u.created_at, u.id))
    return grouped


def _standing(history: list[Posted], moment: datetime) -> Posted | None:
    before = [u for u in history if u.created_at < moment]
    return before[-1] if before else None


def _rag_at(history: list[Posted], moment: datetime) -> Rag | None:
    standing = _standing(history, moment)
    return Rag(standing.overall) if standing else None


def _count(rags: object) -> dict[str, int]:
    counts = {rag.value: 0 for rag in Rag} | {"none": 0}
    for rag in rags:  # type: ignore[attr-defined]
        counts[rag.value if rag is not None else "none"] += 1
    return counts


def _due_in(
    workspace: Workspace, project: Project, start: datetime, end: datetime
) -> Period | None:
    # The project's period whose update fell due in [start, end), if one did.
    return _due_for_cadence(
        str(project.status_cadence), workspace.time_zone, workspace.status_due_weekday, start, end
    )


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


def _updated_in(history: list[Posted], start: datetime, end: datetime) -> bool:
    return any(start <= u.created_at < end for u in history)


def _participation(
    workspace: Workspace,
    projects: list[Project],
    updates: dict[int, list[Posted]],
    end: datetime,
) -> Participation:
    start = end - timedelta(days=7)
    due = on_time = 0
    for project in projects:
        history = updates.get(project.id or 0, [])
        period = _due_in(workspace, project, start, end)
        if period is None or project.created_at >= period.due_at:
            continue
        if _rag_at(history, period.start) == Rag.HOLD and not _updated_in(
            history, period.start, end
        ):
            continue  # on hold all along: nothing was due
        due += 1
        deadline = period.due_at + timedelta(days=1)  # by the end of the due day
        if _updated_in(history, period.start, deadline):
            on_time += 1
    label = week_label(end.astimezone(zone(workspace.time_zone)).date() - timedelta(days=7))
    return Participation(label=label, on_time=on_time, due=due)


def _top_risks(
    session: Session, workspace: Workspace, until: datetime
) -> list[tuple[Project, list[RiskLine]]]:
    rows = session.exec(
        select(Risk, Project)
        .join(Project, col(Project.id) == col(Risk.project_id))
        .where(
            Risk.team_id == workspace.team_id,
            col(Risk.status).in_([RiskStatus.OPEN.value, RiskStatus.MITIGATING.value]),
            col(Project.archived).is_(False),
            Risk.created_at < until,
        )
        .order_by(col(Risk.score).desc(), col(Risk.id))
        .limit(TOP_RISKS)
    )
    # A project is named once: its risks among the top five are listed together.
    grouped: dict[int, tuple[Project, list[RiskLine]]] = {}
    for risk, project in rows:
        entry = grouped.setdefault(project.id or 0, (project, []))
        entry[1].append(RiskLine(risk=risk, severity=severity(risk.score, workspace)))
    return list(grouped.values())


def _pending_gates(session: Session, workspace: Workspace, now: datetime) -> list[GateLine]:
    rows = list(
        session.exec(
            select(Gate, Project)
            .join(Project, col(Project.id) == col(Gate.project_id))
            .where(
                Gate.team_id == workspace.team_id,
                Gate.status == GateStatus.PENDING,
                col(Project.archived).is_(False),
            )
            .order_by(col(Gate.requested_at))
        )
    )
    gate_ids = [gate.id for gate, _ in rows]
    approvers: dict[int, list[str]] = defaultdict(list)
    for row in session.exec(
        select(GateApprover)
        .where(col(GateApprover.gate_id).in_(gate_ids))
        .order_by(col(GateApprover.id))
    ):
        approvers[row.gate_id].append(row.user_id)
    decided: dict[int, dict[str, str]] = defaultdict(dict)
    for row in session.exec(select(GateDecision).where(col(GateDecision.gate_id).in_(gate_ids))):
        decided[row.gate_id][row.approver] = row.verdict
    lines = []
    for gate, project in rows:
        assert gate.id is not None
        days = 0
        while add_working_days(gate.requested_at, days + 1, workspace.time_zone) <= now:
            days += 1
        lines.append(
            GateLine(
                gate=gate,
                project=project,
                working_days=days,
                waiting=[u for u in approvers[gate.id] if u not in decided[gate.id]],
                approvals=sum(1 for v in decided[gate.id].values() if v == "approve"),
            )
        )
    return lines


def _decided_gates(
    session: Session, team_id: str, window: Window
) -> list[tuple[Project, list[Gate]]]:
    rows = session.exec(
        select(Gate, Project)
        .join(Project, col(Project.id) == col(Gate.project_id))
        .where(
            Gate.team_id == team_id,
            col(Gate.status).in_(
                [
                    GateStatus.APPROVED.value,
                    GateStatus.REJECTED.value,
                    GateStatus.CHANGES_REQUESTED.value,
                ]
            ),
            col(Gate.decided_at) >= window.start,
            col(Gate.decided_at) < window.end,
        )
        .order_by(col(Gate.decided_at))
    )
    grouped: dict[int, tuple[Project, list[Gate]]] = {}
    for gate, project in rows:
        grouped.setdefault(project.id or 0, (project, []))[1].append(gate)
    return list(grouped.values())
