"""Stage gates: queries only, every one scoped by workspace.

One gate's questions (its approvers, its decisions) serve a request or a decision; the
bulk ones serve the digest (a statement each, however many gates) and the Home tab
(which gates wait for one person).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from storage.models import AuditEvent, Gate, GateApprover, GateDecision, GateStatus, Project

DECIDED = [
    GateStatus.APPROVED.value,
    GateStatus.REJECTED.value,
    GateStatus.CHANGES_REQUESTED.value,
]


def get_gate(*, session: Session, team_id: str, gate_id: int, lock: bool = False) -> Gate | None:
    """One gate of the workspace; `lock` holds its row until the transaction ends."""
    statement = select(Gate).where(Gate.team_id == team_id, Gate.id == gate_id)
    if lock:
        statement = statement.with_for_update()
    return session.exec(statement).first()


def hold_project(*, session: Session, team_id: str, project_id: int) -> None:
    """Lock the project's row until the transaction ends, so that requests for its next
    gate are made one after the other."""
    session.exec(
        select(Project)
        .where(Project.team_id == team_id, Project.id == project_id)
        .with_for_update()
    ).one()


def next_number(*, session: Session, team_id: str, project_id: int) -> int:
    """The number the project's next gate gets (G1, G2, ...)."""
    highest = session.exec(
        select(func.max(Gate.number)).where(Gate.team_id == team_id, Gate.project_id == project_id)
    ).one()
    return (highest or 0) + 1


def pending_gate(*, session: Session, team_id: str, project_id: int) -> Gate | None:
    """The project's gate waiting for decisions, if any (there is at most one)."""
    return session.exec(
        select(Gate).where(
            Gate.team_id == team_id,
            Gate.project_id == project_id,
            Gate.status == GateStatus.PENDING,
        )
    ).first()


def approvers_of(*, session: Session, team_id: str, gate_id: int) -> list[str]:
    """Who may decide the gate (fixed when it was requested), in the order they were listed."""
    return list(
        session.exec(
            select(GateApprover.user_id)
            .where(GateApprover.team_id == team_id, GateApprover.gate_id == gate_id)
            .order_by(col(GateApprover.id))
        )
    )


def decisions_on(*, session: Session, team_id: str, gate_id: int) -> list[GateDecision]:
    """The gate's decisions, first decided first."""
    return list(
        session.exec(
            select(GateDecision)
            .where(GateDecision.team_id == team_id, GateDecision.gate_id == gate_id)
            .order_by(col(GateDecision.id))
        )
    )


def pending_gates(*, session: Session, team_id: str) -> list[tuple[Gate, Project]]:
    """Pending gates of active projects, oldest request first."""
    statement = _gates_with_projects(team_id).where(
        Gate.status == GateStatus.PENDING, col(Project.archived).is_(False)
    )
    return list(session.exec(statement.order_by(col(Gate.requested_at))))


def gate_history(
    *, session: Session, team_id: str, project_id: int, limit: int
) -> list[AuditEvent]:
    """The latest `limit` audit events of the project's gates and phase changes, oldest first."""
    gate_ids = [
        str(i)
        for i in session.exec(
            select(Gate.id).where(Gate.team_id == team_id, Gate.project_id == project_id)
        )
    ]
    statement = (
        select(AuditEvent)
        .where(
            AuditEvent.team_id == team_id,
            ((AuditEvent.entity == "gate") & col(AuditEvent.entity_id).in_(gate_ids))
            | (
                (AuditEvent.entity == "project")
                & (AuditEvent.entity_id == str(project_id))
                & (AuditEvent.action == "project.phase_changed")
            ),
        )
        .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
        .limit(limit)
    )
    return list(reversed(list(session.exec(statement))))


def approvers_by_gate(
    *, session: Session, team_id: str, gate_ids: list[int]
) -> dict[int, list[str]]:
    """For each gate, who may decide it, in the order they were listed."""
    approvers: dict[int, list[str]] = defaultdict(list)
    for row in session.exec(
        select(GateApprover)
        .where(GateApprover.team_id == team_id, col(GateApprover.gate_id).in_(gate_ids))
        .order_by(col(GateApprover.id))
    ):
        approvers[row.gate_id].append(row.user_id)
    return approvers


def verdicts_by_gate(
    *, session: Session, team_id: str, gate_ids: list[int]
) -> dict[int, dict[str, str]]:
    """For each gate, each approver who decided and their verdict."""
    verdicts: dict[int, dict[str, str]] = defaultdict(dict)
    for row in session.exec(
        select(GateDecision).where(
            GateDecision.team_id == team_id, col(GateDecision.gate_id).in_(gate_ids)
        )
    ):
        verdicts[row.gate_id][row.approver] = row.verdict
    return verdicts


def decided_between(
    *, session: Session, team_id: str, start: datetime, end: datetime
) -> list[tuple[Gate, Project]]:
    """Gates passed, rejected or sent back in [start, end), first decided first."""
    statement = _gates_with_projects(team_id).where(
        col(Gate.status).in_(DECIDED), col(Gate.decided_at) >= start, col(Gate.decided_at) < end
    )
    return list(session.exec(statement.order_by(col(Gate.decided_at))))


def awaiting(*, session: Session, team_id: str, user_id: str) -> list[tuple[Gate, Project]]:
    """Pending gates that `user_id` may decide and has not yet, oldest request first."""
    decided = select(GateDecision.gate_id).where(
        GateDecision.team_id == team_id, GateDecision.approver == user_id
    )
    statement = (
        _gates_with_projects(team_id)
        .join(GateApprover, col(GateApprover.gate_id) == col(Gate.id))
        .where(
            Gate.status == GateStatus.PENDING,
            GateApprover.user_id == user_id,
            col(Gate.id).not_in(decided),
        )
    )
    return list(session.exec(statement.order_by(col(Gate.requested_at))))


def _gates_with_projects(team_id: str) -> Select[Gate, Project]:
    # The workspace's gates, each with its project: what the digest and Home list.
    return (
        select(Gate, Project)
        .join(Project, col(Project.id) == col(Gate.project_id))
        .where(Gate.team_id == team_id)
    )
