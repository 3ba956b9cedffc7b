"""Whole-workspace reads behind "Needs attention": since when each project has been as it
is, and the risks nobody is looking after.

One statement each, however many projects the workspace has (see bench/digest_bench.py);
the rules that read them live in workflows/attention.py.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import case, func, null, or_
from sqlmodel import Session, col, select

from storage.id_lists import one_of
from storage.models import (
    Acknowledgement,
    Gate,
    GateApprover,
    GateDecision,
    GateStatus,
    Project,
    ProjectRole,
    Rag,
    Risk,
    RiskStatus,
    Role,
    StatusUpdate,
)
from storage.status_history import newest_standing_ids
from storage.types import UTCDateTime

ACTIVE_RISKS = [RiskStatus.OPEN.value, RiskStatus.MITIGATING.value]
TROUBLED = [Rag.RED.value, Rag.AMBER.value]


class Standing(NamedTuple):
    """What "Needs attention" reads of a project's newest standing update (rows, not ORM
    objects: a workspace may have thousands of projects)."""

    id: int
    project_id: int
    created_at: datetime
    author: str
    overall: str
    summary: str
    path_to_green: str
    flagged: bool
    flags: list[str]
    forecast_at_completion: Decimal | None
    # What it says of the team's next two weeks (enough, stretched, short; None: not said).
    team_capacity: str | None = None


def latest_standing(*, session: Session, team_id: str) -> dict[int, Standing]:
    """For each project of the workspace that reported, its newest standing update."""
    columns = [col(getattr(StatusUpdate, name)) for name in Standing._fields]
    newest = newest_standing_ids(team_id)
    rows = session.exec(select(*columns).where(col(StatusUpdate.id).in_(newest)))
    return {row[1]: Standing(*row) for row in rows}


def standing_readers(*, session: Session, team_id: str) -> dict[int, set[str]]:
    """For each standing red or amber update, who acknowledged it (by update id; an update
    nobody acknowledged is absent). Read from the acknowledgements, the smaller table."""
    rows = session.exec(
        select(Acknowledgement.update_id, Acknowledgement.user_id)
        .join(StatusUpdate, col(StatusUpdate.id) == col(Acknowledgement.update_id))
        .where(
            Acknowledgement.team_id == team_id,
            col(StatusUpdate.superseded_by_id).is_(None),
            col(StatusUpdate.overall).in_(TROUBLED),
        )
    )
    readers: dict[int, set[str]] = defaultdict(set)
    for update_id, user_id in rows:
        readers[update_id].add(user_id)
    return readers


def holders_by_project(
    *, session: Session, team_id: str, roles: set[Role], project_ids: Collection[int] | None = None
) -> dict[int, dict[Role, list[str]]]:
    """For each project of the workspace (or each of `project_ids`), who holds each of
    `roles`, in a stable order."""
    statement = select(ProjectRole.project_id, ProjectRole.role, ProjectRole.user_id).where(
        ProjectRole.team_id == team_id,
        col(ProjectRole.role).in_([role.value for role in roles]),
    )
    if project_ids is not None:
        statement = statement.where(one_of(col(ProjectRole.project_id), project_ids))
    rows = session.exec(statement.order_by(col(ProjectRole.id)))
    found: dict[int, dict[Role, list[str]]] = defaultdict(lambda: defaultdict(list))
    # Each role's member looked up by its value: Role(value) costs more, row by row.
    members = {role.value: role for role in Role}
    for project_id, role, user_id in rows:
        found[project_id][members[role]].append(user_id)
    return found


class RunStarts(NamedTuple):
    """When each run of a project's standing updates began: the first update of its current
    colour, of its current flagged-or-not, of its current over-or-within budget forecast."""

    colour: datetime
    flagged: datetime
    over_budget: datetime


def run_starts(
    *, session: Session, team_id: str, project_ids: Collection[int]
) -> dict[int, RunStarts]:
    """For each of `project_ids` that reported, when each current run began (one
    statement: a window over those projects' standing updates marks each change, the latest
    wins). The caller names the projects it asks about (those whose newest standing update
    is red, amber, flagged or forecast over budget, from `latest_standing`), so they are not
    worked out again here. Asked even of none: the statements a digest makes do not depend
    on its data."""
    over = col(StatusUpdate.forecast_at_completion) > col(Project.budget)
    forecast_over = case((over, 1), else_=0)
    marks = (
        select(
            col(StatusUpdate.project_id).label("project_id"),
            _changed(col(StatusUpdate.overall)).label("colour"),
            _changed(col(StatusUpdate.flagged)).label("flagged"),
            _changed(forecast_over).label("over_budget"),
        )
        .join(Project, col(Project.id) == col(StatusUpdate.project_id))
        .where(
            StatusUpdate.team_id == team_id,
            col(StatusUpdate.superseded_by_id).is_(None),
            one_of(col(StatusUpdate.project_id), project_ids),
        )
        .subquery()
    )
    rows = session.exec(
        select(
            marks.c.project_id,
            func.max(marks.c.colour, type_=UTCDateTime),
            func.max(marks.c.flagged, type_=UTCDateTime),
            func.max(marks.c.over_budget, type_=UTCDateTime),
        ).group_by(marks.c.project_id)
    )
    return {project_id: RunStarts(*starts) for project_id, *starts in rows}


def _changed(value: Any) -> Any:
    # The update's time where `value` differs from the project's update before (or it is
    # the first), else NULL: the latest non-NULL one is where the current run began.
    before = func.lag(value).over(
        partition_by=col(StatusUpdate.project_id),
        order_by=(col(StatusUpdate.created_at), col(StatusUpdate.id)),
    )
    return case((before == value, null()), else_=col(StatusUpdate.created_at))


class UnattendedRisk(NamedTuple):
    """What "Needs attention" says of a risk nobody looks after (rows, not ORM objects: a
    large portfolio has thousands)."""

    id: int
    project_id: int
    kind: str
    number: int
    title: str
    probability: int
    impact: int
    score: int
    owner: str | None
    review_date: date | None
    created_at: datetime


def unattended_risks(
    *, session: Session, team_id: str, min_score: int, today: date
) -> list[UnattendedRisk]:
    """Open or mitigating entries scored `min_score` or more, on active projects, that have
    no owner or whose review date is before `today`; highest score first."""
    columns = [col(getattr(Risk, name)) for name in UnattendedRisk._fields]
    statement = (
        select(*columns)
        .join(Project, col(Project.id) == col(Risk.project_id))
        .where(
            Risk.team_id == team_id,
            col(Risk.status).in_(ACTIVE_RISKS),
            col(Project.archived).is_(False),
            col(Risk.score) >= min_score,
            or_(col(Risk.owner).is_(None), col(Risk.review_date) < today),
        )
        .order_by(col(Risk.score).desc(), col(Risk.id))
    )
    return [UnattendedRisk(*row) for row in session.exec(statement)]


def pending_gate_deciders(
    *, session: Session, team_id: str
) -> tuple[dict[int, list[str]], dict[int, dict[str, str]]]:
    """For each pending gate, who may decide it (in the order they were listed), and each
    approver who did with their verdict: two statements, rows not ORM objects."""
    # From the workspace's pending gates to their approvers and verdicts, by gate: started
    # from the workspace's approvers, PostgreSQL without statistics yet scanned them all once
    # per pending gate (0.4 s at 1,000 gates, bench/digest_bench.py).
    pending = (Gate.team_id == team_id) & (Gate.status == GateStatus.PENDING)
    approvers: dict[int, list[str]] = defaultdict(list)
    for gate_id, user_id in session.exec(
        select(GateApprover.gate_id, GateApprover.user_id)
        .select_from(Gate)
        .join(GateApprover, col(GateApprover.gate_id) == col(Gate.id))
        .where(pending)
        .order_by(col(GateApprover.id))
    ):
        approvers[gate_id].append(user_id)
    verdicts: dict[int, dict[str, str]] = defaultdict(dict)
    for gate_id, approver, verdict in session.exec(
        select(GateDecision.gate_id, GateDecision.approver, GateDecision.verdict)
        .select_from(Gate)
        .join(GateDecision, col(GateDecision.gate_id) == col(Gate.id))
        .where(pending)
    ):
        verdicts[gate_id][approver] = verdict
    return approvers, verdicts
