"""Stage gates: queries only, every one scoped by workspace."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.models import AuditEvent, Gate, GateApprover, GateDecision, GateStatus, Project


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
    return list(
        session.exec(
            select(Gate, Project)
            .join(Project, col(Project.id) == col(Gate.project_id))
            .where(
                Gate.team_id == team_id,
                Gate.status == GateStatus.PENDING,
                col(Project.archived).is_(False),
            )
            .order_by(col(Gate.requested_at))
        )
    )


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
