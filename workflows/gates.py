"""Stage gates: asking to move a project on to its next phase, and taking the ask back.

`request_gate` resolves the project, checks the person may ask (its PM and members), plans
the gate (phases, entry criteria, who decides under which rule), stores the request with
its approvers, audits it and returns the request for the channel and an ask for each
approver; `withdraw` takes a pending request back. The request's card, its tally and its
thread are here too, as deciding (workflows/gate_decisions.py) edits and answers them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from storage import audit, gate_log
from storage.models import Gate, GateApprover, GateDecision, GateStatus, Project, Role, Verdict
from storage.portfolio import ProjectLike
from storage.project_type_log import type_of
from storage.projects import holders, roles_of
from storage.workspaces import ensure_workspace
from workflows import message_keys
from workflows.actor import Actor
from workflows.errors import InvalidInput, NotPermitted, PmoError, too_long
from workflows.lesson_suggestions import FIRST_GATE, suggested_lessons
from workflows.markup import mention, mentions
from workflows.outgoing import Outgoing
from workflows.projects import resolve_project
from workflows.wording import count

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
    """How the gate ended (decided or withdrawn), as a reply in the request's thread
    (message content)."""


@dataclass(frozen=True)
class Requested:
    """A stored request, the plan it follows, and the messages it causes."""

    gate: Gate
    project: Project
    plan: GatePlan
    messages: list[Outgoing] = field(default_factory=list)


@dataclass(frozen=True)
class Withdrawn:
    """A gate taken back before it was decided, and the messages it causes."""

    gate: Gate
    project: Project
    messages: list[Outgoing] = field(default_factory=list)


def gate_label(gate: Gate, project: ProjectLike) -> str:
    """APOLLO-G2."""
    return f"{project.key}-G{gate.number}"


def rule_words(rule: str, required: int, total: int) -> str:
    """`all 3 approvers`, `any one of 3 approvers`, `2 of 3 approvers`; `the approver`
    when there is only one."""
    if total == 1:
        return "the approver"
    if rule == "all":
        return f"all {total} approvers"
    if rule == "any":
        return f"any one of {total} approvers"
    return f"{required} of {count(total, 'approver')}"


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
    phases, checklists = _lifecycle(session, project)
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
        criteria=checklists.get(to_phase, OTHER_PHASE_CRITERIA),
        approvers=approvers,
        required=required,
        rule=rule,
        left_out=left_out,
    )


def _lifecycle(
    session: Session, project: Project
) -> tuple[list[str], dict[str, list[tuple[str, bool]]]]:
    # The project's type says its phases and checklists (a phase it lists nothing for has
    # none); a project from before types follows the workspace's phases and CRITERIA.
    kind = type_of(session=session, project=project)
    if kind is None:
        return list(ensure_workspace(session=session, team_id=project.team_id).phases), CRITERIA
    checklists = {
        phase: [(str(c["item"]), bool(c["required"])) for c in kind.checklists.get(phase, [])]
        for phase in kind.phases
    }
    return list(kind.phases), checklists


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
            f"{project.key}'s rule needs {count(required, 'approval')} but only "
            f"{count(len(approvers), 'approver')} may decide (the requester and the PM can't). "
            "Add approvers or change the rule with `/pmo edit`."
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
    record_event(
        session,
        gate,
        project,
        actor=requester,
        action="gate.requested",
        now=now,
        detail={
            "from": gate.from_phase,
            "to": gate.to_phase,
            "approvers": plan.approvers,
            "required": plan.required,
        },
    )
    messages = _request_messages(session, gate, project, plan)
    if gate.number == 1:
        # A project's first gate: lessons matching its phases, told to the requester alone.
        messages += suggested_lessons(
            session=session,
            project=project,
            to=requester,
            occasion=FIRST_GATE,
            words=[gate.from_phase, gate.to_phase],
        )
    return Requested(gate, project, plan, messages)


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
    record_event(
        session, gate, project, actor=actor.user_id, action="gate.withdrawn", now=now, detail={}
    )
    edit = card_edit(gate, project, tally(session=session, gate=gate))
    return Withdrawn(gate, project, [edit, outcome_reply(gate, project)])


def record_event(
    session: Session,
    gate: Gate,
    project: Project,
    *,
    actor: str,
    action: str,
    now: datetime,
    detail: dict[str, Any],
) -> None:
    """One audit row for an event of the gate, naming its project and gate, so the
    history reads without a join."""
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


def card_edit(gate: Gate, project: Project, counted: Tally) -> Outgoing:
    """The edit of the request's post after a change, named by the gate's version."""
    assert gate.id is not None
    return Outgoing(
        team_id=project.team_id,
        key=message_keys.gate_card_version(gate.id, gate.version),
        to=_channel(gate, project),
        content=GateCard(gate, project, counted),
        update_key=message_keys.gate_request(gate.id),
    )


def outcome_reply(gate: Gate, project: Project) -> Outgoing:
    """How the gate ended (decided or withdrawn), as a reply in the request's thread."""
    assert gate.id is not None
    key = message_keys.gate_outcome(gate.id)
    return thread_reply(gate, project, key=key, content=GateOutcome(gate, project))


def thread_reply(gate: Gate, project: Project, *, key: str, content: object) -> Outgoing:
    """A message under `key` in the thread of the gate's request."""
    assert gate.id is not None
    return Outgoing(
        team_id=gate.team_id,
        key=key,
        to=_channel(gate, project),
        content=content,
        thread_key=message_keys.gate_request(gate.id),
    )


def linked_dm(gate: Gate, *, key: str, to: str, content: object) -> Outgoing:
    """A direct message under `key` to `to`, whose `{link}` points to the gate's request."""
    assert gate.id is not None
    return Outgoing(
        team_id=gate.team_id,
        key=key,
        to=to,
        content=content,
        link_key=message_keys.gate_request(gate.id),
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
        linked_dm(gate, key=message_keys.gate_ask(gate.id, user), to=user, content=ask)
        for user in plan.approvers
    ]
    return [post, *asks]


def _channel(gate: Gate, project: Project) -> str:
    # The project's channel; a project without one has its gate posts sent to the requester.
    return project.channel_id or gate.requested_by


def _pms(session: Session, project: Project) -> list[str]:
    assert project.id is not None
    return holders(session=session, team_id=project.team_id, project_id=project.id, role=Role.PM)
