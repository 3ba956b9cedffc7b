"""How improvement actions read in Slack: the owner's word, the reminders, and the lists
of open actions, each with a *Close* button (its value the action's id)."""

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
from storage.models import Project, RetroAction
from workflows.action_nudges import ActionReminder
from workflows.retro_actions import ActionAssigned

CLOSE_ACTION = "retro.action_close"
# Actions listed with a button each (Slack allows 50 blocks in a message).
LISTED = 20


def action_line(action: RetroAction, project: Project) -> str:
    """`*APOLLO* · Book the vendor review · <@owner> · due Fri 4 Dec 2026`."""
    return (
        f"*{mrkdwn.escape(project.key)}* · {mrkdwn.escape(action.title)} · "
        f"{mrkdwn.mention(action.owner)} · due {mrkdwn.day(action.due_on)}"
    )


def close_button(action: RetroAction) -> ButtonElement:
    """*Close*: asks for the outcome."""
    return ButtonElement(text="Close", action_id=CLOSE_ACTION, value=str(action.id))


def assigned(notice: ActionAssigned) -> tuple[str, list[dict[str, Any]]]:
    """The owner's direct message: the action, its project and due date, and *Close*."""
    action, project = notice.action, notice.project
    text = (
        f":dart: {mrkdwn.mention(action.created_by)} made you the owner of an improvement "
        f"action from *{mrkdwn.escape(project.key)}*'s retro: "
        f"{mrkdwn.escape(action.title)}, due {mrkdwn.day(action.due_on)}."
    )
    return text, _with_close(text, action)


def reminder(nudge: ActionReminder) -> tuple[str, list[dict[str, Any]]]:
    """The owner's reminder before the due date, or after it while the action is open."""
    action, project = nudge.action, nudge.project
    when = "was due" if nudge.overdue else "is due"
    text = (
        f":alarm_clock: Your improvement action for *{mrkdwn.escape(project.key)}* {when} "
        f"{mrkdwn.day(action.due_on)}: {mrkdwn.escape(action.title)}. "
        "Close it with a line on what came of it."
    )
    return text, _with_close(text, action)


def _with_close(text: str, action: RetroAction) -> list[dict[str, Any]]:
    blocks = [
        SectionBlock(text=mrkdwn.fit(text, 3000)),
        ActionsBlock(elements=[close_button(action)]),
    ]
    return [block.to_dict() for block in blocks]


def action_list(
    title: str, actions: list[tuple[RetroAction, Project]], empty: str
) -> list[dict[str, Any]]:
    """A header, each open action with *Close*, and what is not shown."""
    blocks: list[Any] = [HeaderBlock(text=title[:150])]
    for action, project in actions[:LISTED]:
        blocks.append(
            SectionBlock(
                text=mrkdwn.fit(action_line(action, project), 3000),
                accessory=close_button(action),
            )
        )
    notes = []
    if len(actions) > LISTED:
        notes.append(f"…and {len(actions) - LISTED} more.")
    if not actions:
        notes.append(empty)
    if notes:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=" ".join(notes))]))
    return [block.to_dict() for block in blocks]
