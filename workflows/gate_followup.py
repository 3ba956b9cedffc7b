"""After a gate is requested: its history, its SLA in working days, reminders noted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from storage import audit
from storage.models import AuditEvent, Gate, GateStatus, Project, Role
from storage.projects import holders
from storage.workspaces import ensure_workspace
from workflows.gates import gate_label, tally
from workflows.periods import add_working_days


@dataclass(frozen=True)
class OverdueGate:
    """A pending gate past its SLA, with the approvers who still owe a decision."""

    gate: Gate
    project: Project
    waiting: list[str]
    sponsors: list[str]
    due_at: datetime


def history(*, session: Session, project: Project, limit: int = 60) -> list[AuditEvent]:
    """Every request, decision, reminder and phase change of the project's gates, oldest first."""
    gate_ids = [
        str(i)
        for i in session.exec(
            select(Gate.id).where(Gate.team_id == project.team_id, Gate.project_id == project.id)
        )
    ]
    statement = (
        select(AuditEvent)
        .where(
            AuditEvent.team_id == project.team_id,
            ((AuditEvent.entity == "gate") & col(AuditEvent.entity_id).in_(gate_ids))
            | (
                (AuditEvent.entity == "project")
                & (AuditEvent.entity_id == str(project.id))
                & (AuditEvent.action == "project.phase_changed")
            ),
        )
        .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
        .limit(limit)
    )
    return list(reversed(list(session.exec(statement))))


def pending_past_sla(*, session: Session, team_id: str, now: datetime) -> list[OverdueGate]:
    """Pending gates older than their SLA in working days, oldest first."""
    workspace = ensure_workspace(session=session, team_id=team_id)
    overdue = []
    rows = session.exec(
        select(Gate, Project)
        .join(Project, col(Project.id) == col(Gate.project_id))
        .where(
            Gate.team_id == team_id,
            Gate.status == GateStatus.PENDING,
            col(Project.archived).is_(False),
        )
        .order_by(col(Gate.requested_at))
    )
    for gate, project in rows:
        due = add_working_days(gate.requested_at, gate.sla_days, workspace.time_zone)
        if now <= due:
            continue
        assert project.id is not None
        overdue.append(
            OverdueGate(
                gate=gate,
                project=project,
                waiting=tally(session=session, gate=gate).waiting,
                sponsors=holders(
                    session=session, team_id=team_id, project_id=project.id, role=Role.SPONSOR
                ),
                due_at=due,
            )
        )
    return overdue


def record_reminder(
    *,
    session: Session,
    gate: Gate,
    project: Project,
    action: str,
    recipients: list[str],
    now: datetime,
) -> None:
    """Note that approvers were reminded (or the sponsor told), in the gate's audit trail."""
    if action == "gate.reminded":
        gate.reminded_at = now
    else:
        gate.escalated_at = now
    session.add(gate)
    audit.record(
        session=session,
        team_id=gate.team_id,
        actor="pmo-bot",
        action=action,
        entity="gate",
        entity_id=gate.id or 0,
        at=now,
        detail={"project": project.key, "gate": gate_label(gate, project), "to": recipients},
    )
