"""After a gate is requested: its history, its SLA in working days, reminders noted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from storage import audit, gate_log
from storage.models import AuditEvent, Gate, Project, Role
from storage.watchlist import holders_by_project
from storage.workspaces import ensure_workspace
from workflows.actor import Actor
from workflows.gates import gate_label
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
    """Pending gates older than their SLA in working days, oldest first (four statements,
    however many gates: the nudge job asks every few minutes)."""
    workspace = ensure_workspace(session=session, team_id=team_id)
    late = [
        (gate, project, due)
        for gate, project in gate_log.pending_gates(session=session, team_id=team_id)
        if now > (due := add_working_days(gate.requested_at, gate.sla_days, workspace.time_zone))
    ]
    if not late:
        return []
    ids = [gate.id for gate, _, _ in late if gate.id is not None]
    approvers = gate_log.approvers_by_gate(session=session, team_id=team_id, gate_ids=ids)
    decided = gate_log.verdicts_by_gate(session=session, team_id=team_id, gate_ids=ids)
    sponsors = holders_by_project(session=session, team_id=team_id, roles={Role.SPONSOR})
    overdue = []
    for gate, project, due in late:
        assert gate.id is not None and project.id is not None
        overdue.append(
            OverdueGate(
                gate=gate,
                project=project,
                waiting=[
                    u for u in approvers.get(gate.id, []) if u not in decided.get(gate.id, {})
                ],
                sponsors=list(sponsors.get(project.id, {}).get(Role.SPONSOR, [])),
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
    record_reminders(session=session, reminders=[(gate, project, action, recipients)], now=now)


def record_reminders(
    *, session: Session, reminders: list[tuple[Gate, Project, str, list[str]]], now: datetime
) -> None:
    """`record_reminder` for each (gate, project, action, recipients), the audit rows
    written in one statement (the nudge job may remind hundreds of gates at once)."""
    events = []
    for gate, project, action, recipients in reminders:
        if action == "gate.reminded":
            gate.reminded_at = now
        else:
            gate.escalated_at = now
        session.add(gate)
        events.append(
            {
                "team_id": gate.team_id,
                "actor": "pmo-bot",
                "action": action,
                "entity": "gate",
                "entity_id": gate.id or 0,
                "at": now,
                "detail": {
                    "project": project.key,
                    "gate": gate_label(gate, project),
                    "to": recipients,
                },
            }
        )
    audit.record_many(session=session, events=events)
