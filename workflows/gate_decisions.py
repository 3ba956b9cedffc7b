"""What the buttons on a gate's request do: an approver approves, rejects or asks for changes.

`decide` is one user action: it locks the gate, checks the person may decide it now,
records and audits the decision, applies the gate's rule (any / all / N of M, and whether
one objection ends it) and, when the gate ends, moves the project on. It returns the reply
in the request's thread, the edit of the request and, at the end, who hears the outcome.
Requesting a gate is workflows/gates.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from storage import audit, gate_log
from storage.models import Gate, GateDecision, GateStatus, Project, Role, Verdict
from storage.projects import holders, roles_of
from workflows import message_keys
from workflows.actor import Actor
from workflows.errors import InvalidInput, NotPermitted, PmoError, too_long
from workflows.gates import (
    TEXT_MAX,
    GateNews,
    Tally,
    card_edit,
    gate_label,
    linked_dm,
    outcome_reply,
    record_event,
    tally,
    thread_reply,
)
from workflows.markup import mentions
from workflows.outgoing import Outgoing
from workflows.projects import phases_of_project
from workflows.retros import retro_after_gate
from workflows.wording import day

VERDICT_ACTIONS = {
    Verdict.APPROVE: "gate.approve",
    Verdict.REJECT: "gate.reject",
    Verdict.CHANGES: "gate.request_changes",
}
OUTCOME_ACTIONS = {
    GateStatus.APPROVED: "gate.passed",
    GateStatus.REJECTED: "gate.rejected",
    GateStatus.CHANGES_REQUESTED: "gate.returned",
}
VERDICT_PAST = {
    Verdict.APPROVE: "approved",
    Verdict.REJECT: "rejected",
    Verdict.CHANGES: "asked for changes to",
}


class GateOutcomeNotice(GateNews):
    """How the gate ended, by direct message to a sponsor or the requester (message content)."""


@dataclass(frozen=True)
class DecisionReply:
    """One approver's decision, as a reply in the request's thread (message content)."""

    decision: GateDecision


@dataclass(frozen=True)
class Decided:
    """One decision recorded, the gate's outcome if it ended, and the messages it causes."""

    gate: Gate
    project: Project
    decision: GateDecision
    tally: Tally
    outcome: GateStatus | None
    messages: list[Outgoing] = field(default_factory=list)


def check_may_decide(*, session: Session, actor: Actor, gate_id: int) -> tuple[Gate, Project]:
    """The gate and its project, if the actor may decide it now; refusals say why not."""
    gate, project = _gate_of(session, actor.team_id, gate_id, lock=False)
    _require_decider(session, gate, project, actor.user_id)
    return gate, project


def decide(
    *,
    session: Session,
    actor: Actor,
    gate_id: int,
    verdict: Verdict,
    reason: str,
    now: datetime,
) -> Decided:
    """Record the actor's decision on a pending gate they may decide (a reason is required
    to reject or ask for changes), audited, and end the gate when its rule is met or can't
    be. The decision goes in the request's thread and the request is edited; an ending is
    told in the thread and to the sponsors (and to the requester unless it passed)."""
    # Lock the gate so simultaneous clicks are counted one after the other.
    gate, project = _gate_of(session, actor.team_id, gate_id, lock=True)
    _require_decider(session, gate, project, actor.user_id)
    if verdict != Verdict.APPROVE and not reason.strip():
        raise InvalidInput({"reason": "Say why, so the requester knows what to do next."})
    if problem := too_long("The reason", reason, TEXT_MAX):
        raise InvalidInput({"reason": problem})
    decision = _store_decision(session, gate, project, actor.user_id, verdict, reason, now)
    counted = tally(session=session, gate=gate)
    outcome = _outcome(gate, counted)
    gate.version += 1
    if outcome is not None:
        _end_gate(session, gate, project, outcome, counted, actor.user_id, now)
    session.add(gate)
    messages = [_decision_reply(gate, project, decision), card_edit(gate, project, counted)]
    if outcome is not None:
        messages += _ending_messages(session, gate, project)
    if outcome == GateStatus.APPROVED:
        # A passed gate (the last one closes the project) opens a retrospective.
        last = phases_of_project(session=session, project=project)[-1:] == [gate.to_phase]
        messages += retro_after_gate(
            session=session, project=project, by=actor.user_id, last_phase=last, now=now
        )
    return Decided(gate, project, decision, counted, outcome, messages)


def _store_decision(
    session: Session,
    gate: Gate,
    project: Project,
    approver: str,
    verdict: Verdict,
    reason: str,
    now: datetime,
) -> GateDecision:
    assert gate.id is not None
    decision = GateDecision(
        team_id=gate.team_id,
        gate_id=gate.id,
        approver=approver,
        verdict=verdict,
        reason=reason.strip(),
        decided_at=now,
    )
    try:
        with session.begin_nested():
            session.add(decision)
    except IntegrityError:
        # The same approver's other click won the race; the database counted it once.
        raise PmoError(f"You already decided {gate_label(gate, project)}.") from None
    record_event(
        session,
        gate,
        project,
        actor=approver,
        action=VERDICT_ACTIONS[verdict],
        now=now,
        detail={"reason": decision.reason},
    )
    return decision


def _outcome(gate: Gate, counted: Tally) -> GateStatus | None:
    # The gate's rule: enough approvals pass it; an objection ends it when the gate says
    # so or when the approvals still possible can no longer reach the rule.
    if counted.approvals >= counted.required:
        return GateStatus.APPROVED
    last = counted.decisions[-1]
    if last.verdict != Verdict.APPROVE and (
        gate.reject_ends or counted.approvals + len(counted.waiting) < counted.required
    ):
        return (
            GateStatus.REJECTED if last.verdict == Verdict.REJECT else GateStatus.CHANGES_REQUESTED
        )
    if counted.approvals + len(counted.waiting) < counted.required:
        return GateStatus.REJECTED
    return None


def _end_gate(
    session: Session,
    gate: Gate,
    project: Project,
    outcome: GateStatus,
    counted: Tally,
    approver: str,
    now: datetime,
) -> None:
    # The gate ends as `outcome`; a gate that passed moves the project to its next phase.
    gate.status = outcome
    gate.decided_at = now
    detail = {"approvals": counted.approvals}
    action = OUTCOME_ACTIONS[outcome]
    record_event(session, gate, project, actor=approver, action=action, now=now, detail=detail)
    if outcome != GateStatus.APPROVED:
        return
    project.phase = gate.to_phase
    project.updated_at = now
    session.add(project)
    audit.record(
        session=session,
        team_id=gate.team_id,
        actor=approver,
        action="project.phase_changed",
        entity="project",
        entity_id=project.id or 0,
        at=now,
        detail={
            "project": project.key,
            "from": gate.from_phase,
            "to": gate.to_phase,
            "gate": gate_label(gate, project),
        },
    )


def _decision_reply(gate: Gate, project: Project, decision: GateDecision) -> Outgoing:
    assert gate.id is not None
    key = message_keys.gate_decision(gate.id, decision.approver)
    return thread_reply(gate, project, key=key, content=DecisionReply(decision))


def _ending_messages(session: Session, gate: Gate, project: Project) -> list[Outgoing]:
    # The thread hears the outcome and the sponsors are told; a requester whose gate did
    # not pass hears why.
    assert gate.id is not None and project.id is not None
    sponsors = holders(
        session=session, team_id=project.team_id, project_id=project.id, role=Role.SPONSOR
    )
    told = [(message_keys.gate_sponsor_told(gate.id, sponsor), sponsor) for sponsor in sponsors]
    if gate.status != GateStatus.APPROVED:
        told.append((message_keys.gate_requester_told(gate.id), gate.requested_by))
    notice = GateOutcomeNotice(gate, project)
    dms = [linked_dm(gate, key=key, to=user, content=notice) for key, user in told]
    return [outcome_reply(gate, project), *dms]


def _gate_of(session: Session, team_id: str, gate_id: int, lock: bool) -> tuple[Gate, Project]:
    gate = gate_log.get_gate(session=session, team_id=team_id, gate_id=gate_id, lock=lock)
    if gate is None:
        raise PmoError("That gate no longer exists.")
    project = session.get(Project, gate.project_id)
    assert project is not None
    return gate, project


def _require_decider(session: Session, gate: Gate, project: Project, user_id: str) -> None:
    # Refuse, naming the reason, unless `user_id` may decide the pending gate now.
    assert gate.id is not None and project.id is not None
    if gate.status != GateStatus.PENDING:
        raise PmoError(_already_decided(gate, project))
    if user_id == gate.requested_by:
        raise NotPermitted(
            f"You requested {gate_label(gate, project)}, so you can't decide it: "
            "separation of duties."
        )
    approvers = gate_log.approvers_of(session=session, team_id=gate.team_id, gate_id=gate.id)
    if user_id not in approvers:
        is_pm = Role.PM in roles_of(
            session=session, team_id=project.team_id, project_id=project.id, user_id=user_id
        )
        if is_pm and not project.gate_pm_may_approve:
            raise NotPermitted(
                f"As PM of {project.key} you can't decide its gates: separation of duties."
            )
        names = mentions(approvers)
        raise NotPermitted(f"Only the approvers of {gate_label(gate, project)} decide it: {names}.")
    mine = next(
        (d for d in tally(session=session, gate=gate).decisions if d.approver == user_id), None
    )
    if mine is not None:
        raise PmoError(
            f"You already {VERDICT_PAST[Verdict(mine.verdict)]} {gate_label(gate, project)}; "
            "each approver decides once."
        )


def _already_decided(gate: Gate, project: Project) -> str:
    words = {
        GateStatus.APPROVED: "was approved",
        GateStatus.REJECTED: "was rejected",
        GateStatus.CHANGES_REQUESTED: "was sent back for changes",
        GateStatus.WITHDRAWN: "was withdrawn",
    }[GateStatus(gate.status)]
    when = day(gate.decided_at.date()) if gate.decided_at else ""
    return f"{gate_label(gate, project)} is already decided: it {words} on {when}. Nothing changed."
