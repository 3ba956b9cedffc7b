"""Gate approvals in bulk: who must still decide which pending gate, and what was decided.

The digest asks about every pending gate of a workspace at once (a statement each, however
many gates); the Home tab asks which gates wait for one person.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlmodel import Session, col, select

from storage.models import Gate, GateApprover, GateDecision, GateStatus, Project

DECIDED = [
    GateStatus.APPROVED.value,
    GateStatus.REJECTED.value,
    GateStatus.CHANGES_REQUESTED.value,
]


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
    return list(
        session.exec(
            select(Gate, Project)
            .join(Project, col(Project.id) == col(Gate.project_id))
            .where(
                Gate.team_id == team_id,
                col(Gate.status).in_(DECIDED),
                col(Gate.decided_at) >= start,
                col(Gate.decided_at) < end,
            )
            .order_by(col(Gate.decided_at))
        )
    )


def awaiting(*, session: Session, team_id: str, user_id: str) -> list[tuple[Gate, Project]]:
    """Pending gates that `user_id` may decide and has not yet, oldest request first."""
    decided = select(GateDecision.gate_id).where(
        GateDecision.team_id == team_id, GateDecision.approver == user_id
    )
    return list(
        session.exec(
            select(Gate, Project)
            .join(Project, col(Project.id) == col(Gate.project_id))
            .join(GateApprover, col(GateApprover.gate_id) == col(Gate.id))
            .where(
                Gate.team_id == team_id,
                Gate.status == GateStatus.PENDING,
                GateApprover.user_id == user_id,
                col(Gate.id).not_in(decided),
            )
            .order_by(col(Gate.requested_at))
        )
    )
