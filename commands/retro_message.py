"""How retrospectives read in Slack: the invitation, the reminder and the summary.

The summary lists each item in its own section with a menu (`retro.item`, answered by
commands/retro_learning.py) to make it an action or a lesson. Named items carry their
author; anonymous ones carry nothing. A long summary continues in its thread.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    Option,
    OverflowMenuElement,
    SectionBlock,
)

from commands import mrkdwn
from storage.models import RetroAction, RetroItem, RetroItemKind
from workflows.retro_schedule import RetroSummary
from workflows.retros import TEXT_MAX, RetroInvite, RetroReminder, retro_label
from workflows.wording import count

CONTRIBUTE_ACTION = "retro.contribute"
# The item menu; its options are answered by commands/retro_learning.py.
ITEM_MENU_ACTION = "retro.item"
MESSAGE_BLOCKS_MAX = 50
HEADINGS = {
    RetroItemKind.WENT_WELL: ":sunny: *Went well*",
    RetroItemKind.DID_NOT: ":cloud: *Didn't go well*",
    RetroItemKind.IDEA: ":bulb: *Ideas*",
}
Rendered = tuple[str, list[dict[str, Any]]]


def invitation(invite: RetroInvite) -> Rendered:
    """The direct message asking one of the project's people to contribute."""
    label = retro_label(invite.retro, invite.project)
    text = (
        f":speech_balloon: *{label}* is open for {mrkdwn.escape(invite.project.name)} until "
        f"{mrkdwn.when(invite.retro.closes_at)}: what went well, what didn't, and ideas "
        f"(up to {TEXT_MAX:,} characters each). You may contribute anonymously."
    )
    return text, _with_button(text, invite.retro.id)


def reminder(content: RetroReminder) -> Rendered:
    """The one reminder, to whoever put their name to nothing yet."""
    label = retro_label(content.retro, content.project)
    text = (
        f":hourglass_flowing_sand: *{label}* closes {mrkdwn.when(content.retro.closes_at)}. "
        "Add what went well, what didn't, or an idea. If you already contributed "
        "anonymously, ignore this: anonymous contributions can't be told apart."
    )
    return text, _with_button(text, content.retro.id)


def summary_messages(summary: RetroSummary) -> list[Rendered]:
    """The summary, grouped by kind, in messages of at most 50 blocks (the parts after
    the first continue in the first one's thread)."""
    header = mrkdwn.fit(f"{summary.label} · {summary.project.name}", 150)
    blocks: list[Any] = [
        HeaderBlock(text=header),
        ContextBlock(elements=[MarkdownTextObject(text=counts_line(summary))]),
    ]
    for kind, heading in HEADINGS.items():
        items = [item for item in summary.items if item.kind == kind]
        if not items:
            continue
        blocks += [DividerBlock(), SectionBlock(text=heading)]
        blocks += [_item_block(item) for item in items]
    if not summary.items:
        blocks.append(SectionBlock(text="Nobody contributed to this retrospective."))
    if summary.actions:
        blocks += [DividerBlock(), SectionBlock(text=":repeat: *Open actions carried over*")]
        blocks += [SectionBlock(text=_action_line(action)) for action in summary.actions]
    parts = [
        [block.to_dict() for block in blocks[start : start + MESSAGE_BLOCKS_MAX]]
        for start in range(0, len(blocks), MESSAGE_BLOCKS_MAX)
    ]
    return [
        (header if number == 1 else f"{header} (continued, part {number})", part)
        for number, part in enumerate(parts, start=1)
    ]


def counts_line(summary: RetroSummary) -> str:
    """`2 named contributors · 3 anonymous items · 7 items in all`."""
    named = len(summary.named_contributors)
    anonymous = summary.anonymous_items
    return (
        f"{count(named, 'named contributor')} · "
        f"{count(anonymous, 'anonymous item')} · "
        f"{count(len(summary.items), 'item')} in all"
    )


def _item_block(item: RetroItem) -> SectionBlock:
    # One item, attributed only when named, with the menu that makes it an action or a lesson.
    by = f" — {mrkdwn.mention(item.author)}" if item.author else ""
    text = mrkdwn.fit(f"{mrkdwn.escape(item.text)}{by}", 3000)
    return SectionBlock(
        text=text,
        accessory=OverflowMenuElement(
            action_id=ITEM_MENU_ACTION,
            options=[
                Option(text="Make it an action", value=f"action:{item.id}"),
                Option(text="Make it a lesson", value=f"lesson:{item.id}"),
            ],
        ),
    )


def _action_line(action: RetroAction) -> str:
    line = (
        f"• {mrkdwn.escape(action.title)} — {mrkdwn.mention(action.owner)}, "
        f"due {mrkdwn.day(action.due_on)}"
    )
    return mrkdwn.fit(line, 3000)


def _with_button(text: str, retro_id: int | None) -> list[dict[str, Any]]:
    blocks = [
        SectionBlock(text=mrkdwn.fit(text, 3000)),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text="Contribute",
                    action_id=CONTRIBUTE_ACTION,
                    value=str(retro_id),
                    style="primary",
                )
            ]
        ),
    ]
    return [block.to_dict() for block in blocks]
