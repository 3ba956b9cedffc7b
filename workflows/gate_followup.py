"""After a gate is requested: its history, its SLA in working days, reminders noted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from storage import audit, gate_log
from storage.models import AuditEvent, Gate, Project, Role
from storage.projects import holders
from storage.workspaces import ensure_workspace
from workflows.actor import Actor
from workflows.gates import gate_label, tally
from workflows.periods import add_working_days
from workflows.projects import resolve_project


@dataclass(frozen=True)
class OverdueGate:
    """A pending gate past its SLA, with the approvers who still owe a decision."""

    gate: Gate
    project: Project
    waiting: list[str]
    sponsors: list[str]
    due_at: datetime


@dataclass(frozen=True)
class GateHistory:
    """A project and its gates' audit events, oldest first."""

    project: Project
    events: list[AuditEvent]


def history(
    *, session: Session, actor: Actor, key: str | None, usage: str, limit: int = 60
) -> GateHistory:
    """Every request, decision, reminder and phase change of the gates of the project named
    by `key` (else the actor's channel's project), the latest `limit`, oldest first."""
    project = resolve_project(
        session=session, team_id=actor.team_id, key=key, channel_id=actor.channel_id, usage=usage
    )
    assert project.id is not None
    events = gate_log.gate_history(
        session=session, team_id=project.team_id, project_id=project.id, limit=limit
    )
    return GateHistory(project=project, events=events)


def pending_past_sla(*, session: Session, team_id: str, now: datetime) -> list[OverdueGate]:
    """Pending gates older than their SLA in working days, oldest first."""
    workspace = ensure_workspace(session=session, team_id=team_id)
    overdue = []
    for gate, project in gate_log.pending_gates(session=session, team_id=team_id):
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
