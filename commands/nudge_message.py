"""Nudges as Slack messages: text from Jinja2 templates, and a button where one helps."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.blocks import ActionsBlock, ButtonElement, SectionBlock

from commands import benefit_message, mrkdwn, risk_message
from commands.templates import Templates
from workflows.gates import gate_label
from workflows.nudges import Nudge, NudgeKind
from workflows.risks import risk_label

POST_STATUS_ACTION = "nudge.post_status"
TEMPLATES = {
    NudgeKind.STATUS: "nudge_status.j2",
    NudgeKind.STATUS_ESCALATION: "nudge_status_escalation.j2",
    NudgeKind.RISK_REVIEW: "nudge_risk.j2",
    NudgeKind.GATE_REMINDER: "nudge_gate.j2",
    NudgeKind.GATE_ESCALATION: "nudge_gate_escalation.j2",
    NudgeKind.BENEFIT_CHECK_IN: "nudge_benefit.j2",
}
# The kinds whose text ends with `{link}` (to the risk's card, the gate's request).
LINKING = {NudgeKind.RISK_REVIEW, NudgeKind.GATE_REMINDER, NudgeKind.GATE_ESCALATION}


def nudge_message(nudge: Nudge, templates: Templates) -> tuple[str, list[dict[str, Any]]]:
    """The direct message for a nudge. `{link}` in it becomes the permalink of the message
    the nudge links to when sent; with none to link to, it names the project channel."""
    context: dict[str, Any] = {"project": nudge.project}
    if nudge.stale is not None:
        context |= {"stale": nudge.stale, "reminded_at": nudge.reminded_at}
    if nudge.risk is not None:
        context |= {"risk": nudge.risk, "label": risk_label(nudge.risk, nudge.project)}
    if nudge.gate is not None:
        context |= {
            "gate": nudge.gate.gate,
            "label": gate_label(nudge.gate.gate, nudge.project),
            "waiting": nudge.gate.waiting,
        }
    if nudge.benefit is not None:
        context |= benefit_message.check_in_context(nudge.benefit)
    text = mrkdwn.fit(
        templates.render(TEMPLATES[nudge.kind], team_id=nudge.project.team_id, **context), 3000
    )
    blocks: list[Any] = [SectionBlock(text=text)]
    if nudge.kind == NudgeKind.STATUS:
        blocks.append(
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text="Post update",
                        action_id=POST_STATUS_ACTION,
                        value=nudge.project.key,
                        style="primary",
                    )
                ]
            )
        )
    if nudge.benefit is not None:
        blocks.append(ActionsBlock(elements=[benefit_message.record_button(nudge.benefit)]))
    if nudge.kind == NudgeKind.RISK_REVIEW and nudge.risk is not None:
        button = ButtonElement(
            text="New review date",
            action_id=risk_message.REVIEW_ACTION,
            value=str(nudge.risk.id),
        )
        blocks.append(ActionsBlock(elements=[button]))
    rendered = [block.to_dict() for block in blocks]
    if nudge.link_key is None and nudge.kind in LINKING:
        return _unlinked(text, rendered, nudge.project.channel_id)
    return text, rendered


def _unlinked(
    text: str, blocks: list[dict[str, Any]], channel_id: str | None
) -> tuple[str, list[dict[str, Any]]]:
    # `{link}` pointing at the project channel (or nowhere) instead of a message.
    where = mrkdwn.channel(channel_id) if channel_id else "the project channel"
    swapped = json.loads(json.dumps(blocks).replace("{link}", where))
    return text.replace("{link}", where), swapped
