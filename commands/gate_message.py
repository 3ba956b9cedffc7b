"""How gates look in Slack: the request with its tally, the thread replies, the history."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from commands import mrkdwn
from storage.models import AuditEvent, Gate, GateStatus, Project, Verdict
from workflows.gate_decisions import DecisionReply, GateOutcomeNotice
from workflows.gates import GateAsk, GateCard, GateOutcome, Tally, gate_label, rule_words
from workflows.wording import count

APPROVE_ACTION = "gate.approve"
REJECT_ACTION = "gate.reject"
CHANGES_ACTION = "gate.changes"
SECTION_MAX = 3000

VERDICT_LINES = {
    Verdict.APPROVE: ":white_check_mark: {who} approved",
    Verdict.REJECT: ":x: {who} rejected",
    Verdict.CHANGES: ":pencil2: {who} asked for changes",
}
OUTCOME_WORDS = {
    GateStatus.PENDING: ":hourglass_flowing_sand: Pending",
    GateStatus.APPROVED: ":tada: Approved",
    GateStatus.REJECTED: ":no_entry: Rejected",
    GateStatus.CHANGES_REQUESTED: ":leftwards_arrow_with_hook: Changes requested",
    GateStatus.WITHDRAWN: ":wastebasket: Withdrawn",
}


def request_message(card: GateCard) -> tuple[str, list[dict[str, Any]]]:
    """The request in the project channel: evidence, rule, tally, and buttons while pending."""
    gate, project, tally = card.gate, card.project, card.tally
    label = gate_label(gate, project)
    total = len(tally.waiting) + len(tally.decisions)
    rule = rule_words(gate.rule, gate.required, total)
    checklist = "\n".join(
        (":white_check_mark: " if item["ticked"] else ":white_large_square: ")
        + mrkdwn.escape(item["criterion"])
        + (" _(required)_" if item["mandatory"] else "")
        for item in gate.checklist
    )
    status = GateStatus(gate.status)
    state = f"{OUTCOME_WORDS[status]} · {tally.approvals} of {count(gate.required, 'approval')}"
    if status == GateStatus.APPROVED:
        state += f" · {project.key} moved to {mrkdwn.escape(gate.to_phase)}"
    blocks: list[Any] = [
        HeaderBlock(text=mrkdwn.fit(f"{label} · {gate.from_phase} → {gate.to_phase}", 150)),
        SectionBlock(
            text=f"{mrkdwn.mention(gate.requested_by)} asks to move *{project.key}* "
            f"({mrkdwn.fit(mrkdwn.escape(project.name), 200)}) to "
            f"*{mrkdwn.escape(gate.to_phase)}*. Needs {rule}."
        ),
        SectionBlock(text=mrkdwn.fit(f"*Evidence*\n{mrkdwn.escape(gate.evidence)}", SECTION_MAX)),
    ]
    if checklist:
        blocks.append(SectionBlock(text=mrkdwn.fit(f"*Entry criteria*\n{checklist}", SECTION_MAX)))
    blocks.append(SectionBlock(text=mrkdwn.fit(f"*Decisions*\n{tally_lines(tally)}", SECTION_MAX)))
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=state)]))
    if status == GateStatus.PENDING:
        value = str(gate.id)
        blocks.append(
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text="Approve", action_id=APPROVE_ACTION, value=value, style="primary"
                    ),
                    ButtonElement(
                        text="Reject", action_id=REJECT_ACTION, value=value, style="danger"
                    ),
                    ButtonElement(text="Request changes", action_id=CHANGES_ACTION, value=value),
                ]
            )
        )
    outcome = OUTCOME_WORDS[status].split(" ", 1)[1].lower()
    text = f"{label}: {project.key} {gate.from_phase} → {gate.to_phase} ({outcome})"
    return text, [block.to_dict() for block in blocks]


def tally_lines(tally: Tally) -> str:
    """Who decided what, when; then who is still to decide."""
    lines = []
    for decision in tally.decisions:
        who = mrkdwn.mention(decision.approver)
        line = VERDICT_LINES[Verdict(decision.verdict)].format(who=who)
        line += f" {mrkdwn.when(decision.decided_at)}"
        if decision.reason:
            line += f": {mrkdwn.fit(mrkdwn.escape(decision.reason), 300)}"
        lines.append(line)
    lines += [f":hourglass: {mrkdwn.mention(user)} has not decided" for user in tally.waiting]
    return "\n".join(lines) or "No decisions yet."


def decision_reply(reply: DecisionReply) -> tuple[str, list[dict[str, Any]]]:
    """The thread reply for one decision (text only)."""
    decision = reply.decision
    line = VERDICT_LINES[Verdict(decision.verdict)].format(who=mrkdwn.mention(decision.approver))
    reason = decision.reason
    return (f"{line}: {mrkdwn.fit(mrkdwn.escape(reason), 2500)}" if reason else f"{line}."), []


def outcome_reply(outcome: GateOutcome) -> tuple[str, list[dict[str, Any]]]:
    """The thread reply when the gate ends (text only)."""
    return _outcome_words(outcome.gate, outcome.project), []


def _outcome_words(gate: Gate, project: Project) -> str:
    label = gate_label(gate, project)
    phase_from, phase_to = mrkdwn.escape(gate.from_phase), mrkdwn.escape(gate.to_phase)
    stays = f"{project.key} stays in {phase_from}"
    return {
        GateStatus.APPROVED: (
            f":tada: {label} passed: *{project.key}* moves from {phase_from} to *{phase_to}*."
        ),
        GateStatus.REJECTED: f":no_entry: {label} is rejected: {stays}.",
        GateStatus.CHANGES_REQUESTED: (
            f":leftwards_arrow_with_hook: {label} goes back for changes: {stays}. "
            f"{mrkdwn.mention(gate.requested_by)}, address them and request the gate again."
        ),
        GateStatus.WITHDRAWN: f":wastebasket: {label} was withdrawn: {stays}.",
    }[GateStatus(gate.status)]


def ask_approver(ask: GateAsk) -> tuple[str, list[dict[str, Any]]]:
    """The direct message each approver gets (text only); `{link}` becomes the request's
    permalink."""
    gate, project = ask.gate, ask.project
    text = (
        f"{mrkdwn.mention(gate.requested_by)} asks you to decide "
        f"*{gate_label(gate, project)}*: move "
        f"{project.key} from {mrkdwn.escape(gate.from_phase)} to {mrkdwn.escape(gate.to_phase)}. "
        "The buttons to approve, reject or request changes are on the request: {link}"
    )
    return text, []


def outcome_notice(notice: GateOutcomeNotice) -> tuple[str, list[dict[str, Any]]]:
    """The direct message a sponsor (or the requester) gets when the gate ends (text only)."""
    words = _outcome_words(notice.gate, notice.project)
    return words + " The request and its decisions: {link}", []


HISTORY_WORDS = {
    "gate.requested": "requested {gate} ({from} → {to})",
    "gate.approve": "approved {gate}",
    "gate.reject": "rejected {gate}",
    "gate.request_changes": "asked for changes to {gate}",
    "gate.passed": "{gate} passed",
    "gate.rejected": "{gate} was rejected",
    "gate.returned": "{gate} went back for changes",
    "gate.withdrawn": "withdrew {gate}",
    "gate.reminded": "reminded the approvers of {gate}",
    "gate.escalated": "told the sponsor that {gate} is waiting",
    "project.phase_changed": "moved {project} from {from} to {to}",
}


def history_blocks(*, project: Project, events: list[AuditEvent]) -> list[dict[str, Any]]:
    """`/gate history KEY`: every request, decision, reminder and phase change, oldest first."""
    if not events:
        return [
            SectionBlock(
                text=f"{project.key} has no gate history yet. `/gate` requests its next gate."
            ).to_dict()
        ]
    lines = []
    for event in events:
        detail = {"gate": "", "from": "", "to": "", "project": project.key, **event.detail}
        words = HISTORY_WORDS.get(event.action, event.action).format(
            **{k: mrkdwn.escape(str(v)) for k, v in detail.items()}
        )
        actor = "pmo-bot" if event.actor == "pmo-bot" else mrkdwn.mention(event.actor)
        if event.action in ("gate.passed", "gate.rejected", "gate.returned"):
            line = f"{mrkdwn.when(event.at)} · {words}"
        else:
            line = f"{mrkdwn.when(event.at)} · {actor} {words}"
        if event.detail.get("reason"):
            line += f": {mrkdwn.fit(mrkdwn.escape(event.detail['reason']), 200)}"
        lines.append(line)
    blocks = [HeaderBlock(text=f"{project.key} · gate history")]
    chunk: list[str] = []
    for line in lines:
        if chunk and len("\n".join([*chunk, line])) > SECTION_MAX:
            blocks.append(SectionBlock(text="\n".join(chunk)))
            chunk = []
        chunk.append(line)
    blocks.append(SectionBlock(text="\n".join(chunk)))
    return [block.to_dict() for block in blocks[:50]]
