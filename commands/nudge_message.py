"""Nudges as Slack messages: text from Jinja2 templates, and a button where one helps."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, SectionBlock

from commands import benefit_message, mrkdwn, risk_message
from commands.block_cache import blocks_built_once
from commands.templates import Templates
from storage.models import Benefit
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
    rendered = _blocks(nudge, text)
    if nudge.link_key is None and nudge.kind in LINKING:
        return _unlinked(text, rendered, nudge.project.channel_id)
    return text, rendered


def _blocks(nudge: Nudge, text: str) -> list[dict[str, Any]]:
    # The message's shape (a section, then a button or none) is checked once and filled
    # per nudge: the job renders thousands, and checking each was most of what it cost.
    # The text is within Slack's 3,000 characters (`fit`), the buttons' values are a
    # project key (ten characters at most) or an id; an empty text is built the long way,
    # so that slack_sdk refuses it as it always did.
    if not text:
        SectionBlock(text=text).to_dict()
    values = _button_values(nudge)
    blocks = _shape(tuple(values))
    blocks[0]["text"]["text"] = text
    for block, value in zip(blocks[1:], values.values(), strict=True):
        block["elements"][0]["value"] = value
    return blocks


def _button_values(nudge: Nudge) -> dict[str, str]:
    # The message's buttons in order, each by its action id, with the value it carries.
    values: dict[str, str] = {}
    if nudge.kind == NudgeKind.STATUS:
        values[POST_STATUS_ACTION] = nudge.project.key
    if nudge.benefit is not None:
        values[benefit_message.RECORD_ACTION] = str(nudge.benefit.id)
    if nudge.kind == NudgeKind.RISK_REVIEW and nudge.risk is not None:
        values[risk_message.REVIEW_ACTION] = str(nudge.risk.id)
    return values


@blocks_built_once
def _shape(actions: tuple[str, ...]) -> list[Block]:
    # A nudge's blocks with stand-ins for the text and the buttons' values.
    buttons = {
        POST_STATUS_ACTION: ButtonElement(
            text="Post update", action_id=POST_STATUS_ACTION, value="-", style="primary"
        ),
        # A stand-in benefit: the button is the one its list shows.
        benefit_message.RECORD_ACTION: benefit_message.record_button(Benefit(id=0)),
        risk_message.REVIEW_ACTION: ButtonElement(
            text="New review date", action_id=risk_message.REVIEW_ACTION, value="-"
        ),
    }
    return [SectionBlock(text="-"), *(ActionsBlock(elements=[buttons[a]]) for a in actions)]


def _unlinked(
    text: str, blocks: list[dict[str, Any]], channel_id: str | None
) -> tuple[str, list[dict[str, Any]]]:
    # `{link}` pointing at the project channel (or nowhere) instead of a message.
    where = mrkdwn.channel(channel_id) if channel_id else "the project channel"
    swapped = json.loads(json.dumps(blocks).replace("{link}", where))
    return text.replace("{link}", where), swapped
