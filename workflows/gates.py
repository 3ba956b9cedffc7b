"""Stage gates: who may ask to move a project on, who decides, and when the rule is met."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from storage import audit
from storage.models import (
    Gate,
    GateApprover,
    GateDecision,
    GateStatus,
    Project,
    Role,
    Verdict,
)
from storage.projects import holders, roles_of
from storage.workspaces import ensure_workspace
from workflows.errors import InvalidInput, NotPermitted, PmoError, too_long
from workflows.markup import mention, mentions

# Entry criteria for the phase a gate leads into: (criterion, mandatory).
CRITERIA: dict[str, list[tuple[str, bool]]] = {
    "Plan": [
        ("Business case approved by the sponsor", True),
        ("Objectives and scope agreed", True),
        ("Key stakeholders identified", False),
    ],
    "Execute": [
        ("Plan and schedule baselined", True),
        ("Budget approved", True),
        ("Team and resources committed", True),
        ("Risk register reviewed", False),
    ],
    "Close": [
        ("Deliverables accepted by the sponsor", True),
        ("Handover to operations complete", True),
        ("Lessons learned captured", False),
    ],
}
OTHER_PHASE_CRITERIA = [
    ("Exit criteria of the current phase met", True),
    ("Open risks reviewed", False),
]
RULES = ["all", "any", "2", "3", "4", "5"]
# Evidence and reasons: a section of a Slack message.
TEXT_MAX = 3000
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


@dataclass(frozen=True)
class GatePlan:
    """The gate a project would request now: phases, entry criteria and who decides."""

    project: Project
    from_phase: str
    to_phase: str
    criteria: list[tuple[str, bool]]
    approvers: list[str]
    required: int
    rule: str
    left_out: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class GateDraft:
    """What the requester gives: the evidence and which criteria they tick."""

    evidence: str
    ticked: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Tally:
    """The decisions on a gate so far, and who has not decided."""

    decisions: list[GateDecision]
    waiting: list[str]
    required: int

    @property
    def approvals(self) -> int:
        return sum(1 for d in self.decisions if d.verdict == Verdict.APPROVE)

    @property
    def objections(self) -> int:
        return sum(1 for d in self.decisions if d.verdict != Verdict.APPROVE)


@dataclass(frozen=True)
class Decided:
    """One decision recorded, and the gate's outcome if it ended."""

    gate: Gate
    project: Project
    decision: GateDecision
    tally: Tally
    outcome: GateStatus | None


def gate_label(gate: Gate, project: Project) -> str:
    """APOLLO-G2."""
    return f"{project.key}-G{gate.number}"


def rule_words(rule: str, required: int, total: int) -> str:
    """`all 3 approvers`, `any one of 3 approvers`, `2 of 3 approvers`."""
    if rule == "all":
        return f"all {total} approver{'s' * (total != 1)}"
    if rule == "any":
        return f"any one of {total} approver{'s' * (total != 1)}"
    return f"{required} of {total} approvers"


def may_request(*, session: Session, project: Project, user_id: str) -> bool:
    """The PM and members may ask for the project's next gate."""
    assert project.id is not None
    held = roles_of(
        session=session, team_id=project.team_id, project_id=project.id, user_id=user_id
    )
    return bool(held & {Role.PM, Role.MEMBER})


def plan_next_gate(*, session: Session, project: Project, requester: str) -> GatePlan:
    """The gate `requester` may request now, or a refusal saying why not."""
    assert project.id is not None
    if not may_request(session=session, project=project, user_id=requester):
        pms = holders(session=session, team_id=project.team_id, project_id=project.id, role=Role.PM)
        raise NotPermitted(
            f"Only the PM and members of {project.key} request its gates. "
            f"Ask {mentions(pms, joiner=' or ') if pms else 'its PM'}."
        )
    pending = pending_gate(session=session, project=project)
    if pending is not None:
        raise PmoError(
            f"{gate_label(pending, project)} ({pending.from_phase} → {pending.to_phase}) is "
            "still pending: it must be decided (or withdrawn with `/gate withdraw "
            f"{project.key}`) before another gate is requested."
        )
    phases = ensure_workspace(session=session, team_id=project.team_id).phases
    if project.phase not in phases or phases.index(project.phase) == len(phases) - 1:
        raise PmoError(
            f"{project.key} is in {project.phase}, its last phase: there is no next gate."
        )
    to_phase = phases[phases.index(project.phase) + 1]
    listed = holders(
        session=session, team_id=project.team_id, project_id=project.id, role=Role.APPROVER
    )
    pms = set(
        holders(session=session, team_id=project.team_id, project_id=project.id, role=Role.PM)
    )
    left_out = [
        u for u in listed if u == requester or (u in pms and not project.gate_pm_may_approve)
    ]
    approvers = [u for u in listed if u not in left_out]
    rule = project.gate_rule if project.gate_rule in RULES else "all"
    required = len(approvers) if rule == "all" else 1 if rule == "any" else int(rule)
    if not approvers:
        raise PmoError(
            f"{project.key} has no approver who may decide this gate"
            + (" (the requester and the PM can't approve their own gate)" if left_out else "")
            + ". Add approvers with `/pmo edit`."
        )
    if required > len(approvers):
        raise PmoError(
            f"{project.key}'s rule needs {required} approvals but only {len(approvers)} "
            "approvers may decide (the requester and the PM can't). Add approvers or change "
            "the rule with `/pmo edit`."
        )
    return GatePlan(
        project=project,
        from_phase=project.phase,
        to_phase=to_phase,
        criteria=CRITERIA.get(to_phase, OTHER_PHASE_CRITERIA),
        approvers=approvers,
        required=required,
        rule=rule,
        left_out=left_out,
    )


def check_draft(plan: GatePlan, draft: GateDraft) -> dict[str, str]:
    """What is missing from the request (empty when it may be sent)."""
    errors: dict[str, str] = {}
    if not draft.evidence.strip():
        errors["evidence"] = (
            "Give the evidence that the project is ready: what was done, with links."
        )
    elif problem := too_long("The evidence", draft.evidence, TEXT_MAX):
        errors["evidence"] = problem
    missing = [
        text
        for i, (text, mandatory) in enumerate(plan.criteria)
        if mandatory and i not in draft.ticked
    ]
    if any(i not in range(len(plan.criteria)) for i in draft.ticked):
        errors["checklist"] = "Tick only the criteria offered."
    elif missing:
        errors["checklist"] = "Required before requesting: " + "; ".join(missing) + "."
    return errors


def request_gate(
    *, session: Session, project: Project, requester: str, draft: GateDraft, now: datetime
) -> tuple[Gate, GatePlan]:
    """Store the request with its approvers, audited; InvalidInput when something is missing."""
    assert project.id is not None
    session.exec(select(Project).where(Project.id == project.id).with_for_update()).one()
    plan = plan_next_gate(session=session, project=project, requester=requester)
    errors = check_draft(plan, draft)
    if errors:
        raise InvalidInput(errors)
    number = session.exec(
        select(func.max(Gate.number)).where(
            Gate.team_id == project.team_id, Gate.project_id == project.id
        )
    ).one()
    gate = Gate(
        team_id=project.team_id,
        project_id=project.id,
        number=(number or 0) + 1,
        from_phase=plan.from_phase,
        to_phase=plan.to_phase,
        requested_by=requester,
        requested_at=now,
        evidence=draft.evidence.strip(),
        checklist=[
            {"criterion": text, "mandatory": mandatory, "ticked": i in draft.ticked}
            for i, (text, mandatory) in enumerate(plan.criteria)
        ],
        rule=plan.rule,
        required=plan.required,
        reject_ends=project.gate_reject_ends,
        sla_days=project.gate_sla_days,
    )
    try:
        with session.begin_nested():
            session.add(gate)
    except IntegrityError:
        raise PmoError(f"Another gate of {project.key} was requested just now.") from None
    for user in plan.approvers:
        session.add(GateApprover(team_id=project.team_id, gate_id=gate.id or 0, user_id=user))
    audit.record(
        session=session,
        team_id=project.team_id,
        actor=requester,
        action="gate.requested",
        entity="gate",
        entity_id=gate.id or 0,
        at=now,
        detail={
            "project": project.key,
            "gate": gate_label(gate, project),
            "from": gate.from_phase,
            "to": gate.to_phase,
            "approvers": plan.approvers,
            "required": plan.required,
        },
    )
    return gate, plan


def pending_gate(*, session: Session, project: Project) -> Gate | None:
    """The project's pending gate, if one is waiting for decisions."""
    return session.exec(
        select(Gate).where(
            Gate.team_id == project.team_id,
            Gate.project_id == project.id,
            Gate.status == GateStatus.PENDING,
        )
    ).first()


def approvers_of(*, session: Session, gate: Gate) -> list[str]:
    """Who may decide the gate (fixed when it was requested)."""
    return list(
        session.exec(
            select(GateApprover.user_id)
            .where(GateApprover.team_id == gate.team_id, GateApprover.gate_id == gate.id)
            .order_by(col(GateApprover.id))
        )
    )


def tally(*, session: Session, gate: Gate) -> Tally:
    """The decisions so far and who still has to decide."""
    decisions = list(
        session.exec(
            select(GateDecision)
            .where(GateDecision.team_id == gate.team_id, GateDecision.gate_id == gate.id)
            .order_by(col(GateDecision.id))
        )
    )
    decided = {d.approver for d in decisions}
    waiting = [u for u in approvers_of(session=session, gate=gate) if u not in decided]
    return Tally(decisions=decisions, waiting=waiting, required=gate.required)


def get_gate(
    *, session: Session, team_id: str, gate_id: int, lock: bool = False
) -> tuple[Gate, Project]:
    """The gate and its project; `lock` serializes decisions on it."""
    statement = select(Gate).where(Gate.team_id == team_id, Gate.id == gate_id)
    if lock:
        statement = statement.with_for_update()
    gate = session.exec(statement).first()
    if gate is None:
        raise PmoError("That gate no longer exists.")
    project = session.get(Project, gate.project_id)
    assert project is not None
    return gate, project


def check_may_decide(*, session: Session, gate: Gate, project: Project, user_id: str) -> None:
    """Refuse, naming the reason, unless `user_id` may decide the pending gate now."""
    if gate.status != GateStatus.PENDING:
        raise PmoError(_already_decided(session, gate, project))
    if user_id == gate.requested_by:
        raise NotPermitted(
            f"You requested {gate_label(gate, project)}, so you can't decide it: "
            "separation of duties."
        )
    approvers = approvers_of(session=session, gate=gate)
    if user_id not in approvers:
        assert project.id is not None
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


def decide(
    *,
    session: Session,
    team_id: str,
    gate_id: int,
    approver: str,
    verdict: Verdict,
    reason: str,
    now: datetime,
) -> Decided:
    """Record one approver's decision and end the gate when its rule is met or can't be."""
    gate, project = get_gate(session=session, team_id=team_id, gate_id=gate_id, lock=True)
    check_may_decide(session=session, gate=gate, project=project, user_id=approver)
    if verdict != Verdict.APPROVE and not reason.strip():
        raise InvalidInput({"reason": "Say why, so the requester knows what to do next."})
    if problem := too_long("The reason", reason, TEXT_MAX):
        raise InvalidInput({"reason": problem})
    decision = GateDecision(
        team_id=team_id,
        gate_id=gate_id,
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
    label = gate_label(gate, project)
    audit.record(
        session=session,
        team_id=team_id,
        actor=approver,
        action=VERDICT_ACTIONS[verdict],
        entity="gate",
        entity_id=gate_id,
        at=now,
        detail={"project": project.key, "gate": label, "reason": decision.reason},
    )
    counted = tally(session=session, gate=gate)
    outcome = _outcome(gate, counted)
    gate.version += 1
    if outcome is not None:
        gate.status = outcome
        gate.decided_at = now
        audit.record(
            session=session,
            team_id=team_id,
            actor=approver,
            action=OUTCOME_ACTIONS[outcome],
            entity="gate",
            entity_id=gate_id,
            at=now,
            detail={"project": project.key, "gate": label, "approvals": counted.approvals},
        )
        if outcome == GateStatus.APPROVED:
            project.phase = gate.to_phase
            project.updated_at = now
            session.add(project)
            audit.record(
                session=session,
                team_id=team_id,
                actor=approver,
                action="project.phase_changed",
                entity="project",
                entity_id=project.id or 0,
                at=now,
                detail={
                    "project": project.key,
                    "from": gate.from_phase,
                    "to": gate.to_phase,
                    "gate": label,
                },
            )
    session.add(gate)
    return Decided(gate=gate, project=project, decision=decision, tally=counted, outcome=outcome)


def _outcome(gate: Gate, counted: Tally) -> GateStatus | None:
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


def withdraw(*, session: Session, project: Project, user_id: str, now: datetime) -> Gate:
    """The requester, the PM or the sponsor takes back the pending gate."""
    assert project.id is not None
    gate = pending_gate(session=session, project=project)
    if gate is None:
        raise PmoError(f"{project.key} has no pending gate to withdraw.")
    held = roles_of(
        session=session, team_id=project.team_id, project_id=project.id, user_id=user_id
    )
    if user_id != gate.requested_by and not held & {Role.PM, Role.SPONSOR}:
        raise NotPermitted(
            f"Only the requester ({mention(gate.requested_by)}), the PM or the sponsor can "
            f"withdraw {gate_label(gate, project)}."
        )
    gate.status = GateStatus.WITHDRAWN
    gate.decided_at = now
    gate.version += 1
    session.add(gate)
    audit.record(
        session=session,
        team_id=project.team_id,
        actor=user_id,
        action="gate.withdrawn",
        entity="gate",
        entity_id=gate.id or 0,
        at=now,
        detail={"project": project.key, "gate": gate_label(gate, project)},
    )
    return gate


def _already_decided(session: Session, gate: Gate, project: Project) -> str:
    words = {
        GateStatus.APPROVED: "was approved",
        GateStatus.REJECTED: "was rejected",
        GateStatus.CHANGES_REQUESTED: "was sent back for changes",
        GateStatus.WITHDRAWN: "was withdrawn",
    }[GateStatus(gate.status)]
    when = gate.decided_at.date().isoformat() if gate.decided_at else ""
    return f"{gate_label(gate, project)} is already decided: it {words} on {when}. Nothing changed."
