"""Stage gates: who may ask to move a project on, who decides, and when the rule is met.

Each user action here (`request_gate`, `decide`, `withdraw`) resolves the gate or project,
checks the person may act, validates, stores, audits, and returns the messages it causes
(plain data, rendered by commands/gate_message.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from storage import audit, gate_log
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
from workflows import message_keys
from workflows.actor import Actor
from workflows.errors import InvalidInput, NotPermitted, PmoError, too_long
from workflows.markup import mention, mentions
from workflows.outgoing import Outgoing
from workflows.projects import resolve_project

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
class GateNews:
    """A gate and its project: all that most messages about a gate need. Each kind of
    message is its own subclass, as commands/rendering.py picks a builder by type."""

    gate: Gate
    project: Project


@dataclass(frozen=True)
class GateCard(GateNews):
    """The request in the project's channel as it stands, with its tally (message content)."""

    tally: Tally


class GateAsk(GateNews):
    """An approver's word that a gate waits for their decision (message content)."""


class GateOutcome(GateNews):
    """How the gate ended, as a reply in the request's thread (message content)."""


class GateOutcomeNotice(GateNews):
    """How the gate ended, by direct message to a sponsor or the requester (message content)."""


@dataclass(frozen=True)
class DecisionReply:
    """One approver's decision, as a reply in the request's thread (message content)."""

    decision: GateDecision


@dataclass(frozen=True)
class Requested:
    """A stored request, the plan it follows, and the messages it causes."""

    gate: Gate
    project: Project
    plan: GatePlan
    messages: list[Outgoing] = field(default_factory=list)


@dataclass(frozen=True)
class Decided:
    """One decision recorded, the gate's outcome if it ended, and the messages it causes."""

    gate: Gate
    project: Project
    decision: GateDecision
    tally: Tally
    outcome: GateStatus | None
    messages: list[Outgoing] = field(default_factory=list)


@dataclass(frozen=True)
class Withdrawn:
    """A gate taken back before it was decided, and the messages it causes."""

    gate: Gate
    project: Project
    messages: list[Outgoing] = field(default_factory=list)


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
        pms = _pms(session, project)
        raise NotPermitted(
            f"Only the PM and members of {project.key} request its gates. "
            f"Ask {mentions(pms, joiner=' or ') if pms else 'its PM'}."
        )
    pending = gate_log.pending_gate(session=session, team_id=project.team_id, project_id=project.id)
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
    approvers, left_out = _who_decides(session, project, requester)
    rule = project.gate_rule if project.gate_rule in RULES else "all"
    required = len(approvers) if rule == "all" else 1 if rule == "any" else int(rule)
    _check_rule_can_be_met(project, approvers, left_out, required)
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


def _who_decides(session: Session, project: Project, requester: str) -> tuple[list[str], list[str]]:
    # The listed approvers, less the requester (and the PM unless the project allows it).
    assert project.id is not None
    listed = holders(
        session=session, team_id=project.team_id, project_id=project.id, role=Role.APPROVER
    )
    pms = set(_pms(session, project))
    left_out = [
        u for u in listed if u == requester or (u in pms and not project.gate_pm_may_approve)
    ]
    return [u for u in listed if u not in left_out], left_out


def _check_rule_can_be_met(
    project: Project, approvers: list[str], left_out: list[str], required: int
) -> None:
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
    *,
    session: Session,
    actor: Actor,
    key: str | None,
    draft: GateDraft,
    now: datetime,
    usage: str = "/gate KEY",
) -> Requested:
    """Request the next gate of the project named by `key` (else the actor's channel's
    project): only its PM and members may, one pending gate at a time. Stored with its
    approvers and audited; the request goes to the channel and each approver is asked."""
    project = resolve_project(
        session=session, team_id=actor.team_id, key=key, channel_id=actor.channel_id, usage=usage
    )
    return store_request(
        session=session, project=project, requester=actor.user_id, draft=draft, now=now
    )


def store_request(
    *, session: Session, project: Project, requester: str, draft: GateDraft, now: datetime
) -> Requested:
    """Store `requester`'s request for the project's next gate with its approvers, audited,
    with the messages it causes; InvalidInput when something is missing."""
    assert project.id is not None
    gate_log.hold_project(session=session, team_id=project.team_id, project_id=project.id)
    plan = plan_next_gate(session=session, project=project, requester=requester)
    errors = check_draft(plan, draft)
    if errors:
        raise InvalidInput(errors)
    gate = _new_gate(session, plan, requester, draft, now)
    try:
        with session.begin_nested():
            session.add(gate)
    except IntegrityError:
        raise PmoError(f"Another gate of {project.key} was requested just now.") from None
    assert gate.id is not None
    for user in plan.approvers:
        session.add(GateApprover(team_id=project.team_id, gate_id=gate.id, user_id=user))
    _audit(
        session,
        gate,
        project,
        requester,
        "gate.requested",
        now,
        {
            "from": gate.from_phase,
            "to": gate.to_phase,
            "approvers": plan.approvers,
            "required": plan.required,
        },
    )
    return Requested(gate, project, plan, _request_messages(session, gate, project, plan))


def _new_gate(
    session: Session, plan: GatePlan, requester: str, draft: GateDraft, now: datetime
) -> Gate:
    project = plan.project
    assert project.id is not None
    return Gate(
        team_id=project.team_id,
        project_id=project.id,
        number=gate_log.next_number(
            session=session, team_id=project.team_id, project_id=project.id
        ),
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


def tally(*, session: Session, gate: Gate) -> Tally:
    """The decisions so far and who still has to decide."""
    assert gate.id is not None
    decisions = gate_log.decisions_on(session=session, team_id=gate.team_id, gate_id=gate.id)
    decided = {d.approver for d in decisions}
    approvers = gate_log.approvers_of(session=session, team_id=gate.team_id, gate_id=gate.id)
    waiting = [u for u in approvers if u not in decided]
    return Tally(decisions=decisions, waiting=waiting, required=gate.required)


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
    messages = [_decision_reply(gate, project, decision), _card_edit(gate, project, counted)]
    if outcome is not None:
        messages += _ending_messages(session, gate, project)
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
    _audit(
        session, gate, project, approver, VERDICT_ACTIONS[verdict], now, {"reason": decision.reason}
    )
    return decision


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
    action = OUTCOME_ACTIONS[outcome]
    _audit(session, gate, project, approver, action, now, {"approvals": counted.approvals})
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


def _audit(
    session: Session,
    gate: Gate,
    project: Project,
    actor: str,
    action: str,
    now: datetime,
    detail: dict[str, Any],
) -> None:
    # Each gate event names its project and gate, so the history reads without a join.
    audit.record(
        session=session,
        team_id=gate.team_id,
        actor=actor,
        action=action,
        entity="gate",
        entity_id=gate.id or 0,
        at=now,
        detail={"project": project.key, "gate": gate_label(gate, project), **detail},
    )


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


def withdraw(
    *,
    session: Session,
    actor: Actor,
    key: str | None,
    now: datetime,
    usage: str = "/gate withdraw KEY",
) -> Withdrawn:
    """Take back the pending gate of the project named by `key` (else the actor's channel's
    project): its requester, the PM or the sponsor may. Audited; the request is edited and
    its thread told."""
    project = resolve_project(
        session=session, team_id=actor.team_id, key=key, channel_id=actor.channel_id, usage=usage
    )
    assert project.id is not None
    gate = gate_log.pending_gate(session=session, team_id=project.team_id, project_id=project.id)
    if gate is None:
        raise PmoError(f"{project.key} has no pending gate to withdraw.")
    held = roles_of(
        session=session, team_id=project.team_id, project_id=project.id, user_id=actor.user_id
    )
    if actor.user_id != gate.requested_by and not held & {Role.PM, Role.SPONSOR}:
        raise NotPermitted(
            f"Only the requester ({mention(gate.requested_by)}), the PM or the sponsor can "
            f"withdraw {gate_label(gate, project)}."
        )
    gate.status = GateStatus.WITHDRAWN
    gate.decided_at = now
    gate.version += 1
    session.add(gate)
    _audit(session, gate, project, actor.user_id, "gate.withdrawn", now, {})
    edit = _card_edit(gate, project, tally(session=session, gate=gate))
    return Withdrawn(gate, project, [edit, *_ending_messages(session, gate, project)])


def _card_edit(gate: Gate, project: Project, counted: Tally) -> Outgoing:
    """The edit of the request's post after a change, named by the gate's version."""
    assert gate.id is not None
    return Outgoing(
        team_id=project.team_id,
        key=message_keys.gate_card_version(gate.id, gate.version),
        to=_channel(gate, project),
        content=GateCard(gate, project, counted),
        update_key=message_keys.gate_request(gate.id),
    )


def _request_messages(
    session: Session, gate: Gate, project: Project, plan: GatePlan
) -> list[Outgoing]:
    # The request in the channel; each approver asked by direct message, with its link.
    assert gate.id is not None
    post = Outgoing(
        team_id=project.team_id,
        key=message_keys.gate_request(gate.id),
        to=_channel(gate, project),
        content=GateCard(gate, project, tally(session=session, gate=gate)),
    )
    ask = GateAsk(gate, project)
    asks = [
        _linked_dm(gate, message_keys.gate_ask(gate.id, user), user, ask) for user in plan.approvers
    ]
    return [post, *asks]


def _decision_reply(gate: Gate, project: Project, decision: GateDecision) -> Outgoing:
    assert gate.id is not None
    key = message_keys.gate_decision(gate.id, decision.approver)
    return _thread_reply(gate, project, key, DecisionReply(decision))


def _ending_messages(session: Session, gate: Gate, project: Project) -> list[Outgoing]:
    # The thread hears the outcome; unless it was withdrawn, the sponsors are told, and a
    # requester whose gate did not pass hears why.
    assert gate.id is not None and project.id is not None
    said = _thread_reply(
        gate, project, message_keys.gate_outcome(gate.id), GateOutcome(gate, project)
    )
    if gate.status == GateStatus.WITHDRAWN:
        return [said]
    sponsors = holders(
        session=session, team_id=project.team_id, project_id=project.id, role=Role.SPONSOR
    )
    told = [(message_keys.gate_sponsor_told(gate.id, sponsor), sponsor) for sponsor in sponsors]
    if gate.status != GateStatus.APPROVED:
        told.append((message_keys.gate_requester_told(gate.id), gate.requested_by))
    notice = GateOutcomeNotice(gate, project)
    return [said, *(_linked_dm(gate, key, user, notice) for key, user in told)]


def _thread_reply(gate: Gate, project: Project, key: str, content: object) -> Outgoing:
    # A reply in the request's thread.
    assert gate.id is not None
    return Outgoing(
        team_id=gate.team_id,
        key=key,
        to=_channel(gate, project),
        content=content,
        thread_key=message_keys.gate_request(gate.id),
    )


def _linked_dm(gate: Gate, key: str, user: str, content: object) -> Outgoing:
    # A direct message whose `{link}` points to the request.
    assert gate.id is not None
    return Outgoing(
        team_id=gate.team_id,
        key=key,
        to=user,
        content=content,
        link_key=message_keys.gate_request(gate.id),
    )


def _channel(gate: Gate, project: Project) -> str:
    # The project's channel; a project without one has its gate posts sent to the requester.
    return project.channel_id or gate.requested_by


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


def _pms(session: Session, project: Project) -> list[str]:
    assert project.id is not None
    return holders(session=session, team_id=project.team_id, project_id=project.id, role=Role.PM)


def _already_decided(gate: Gate, project: Project) -> str:
    words = {
        GateStatus.APPROVED: "was approved",
        GateStatus.REJECTED: "was rejected",
        GateStatus.CHANGES_REQUESTED: "was sent back for changes",
        GateStatus.WITHDRAWN: "was withdrawn",
    }[GateStatus(gate.status)]
    when = gate.decided_at.date().isoformat() if gate.decided_at else ""
    return f"{gate_label(gate, project)} is already decided: it {words} on {when}. Nothing changed."
