"""How projects look in Slack: the card of one project, its announcement, the portfolio."""

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
from commands.labels import CADENCE_LABELS, GATE_RULE_LABELS
from storage.models import Cadence, Role
from workflows.money import format_money
from workflows.projects import ProjectAnnouncement, ProjectCard

EDIT_ACTION = "project.edit"
SECTION_MAX = 3000
MESSAGE_BLOCKS_MAX = 50


def project_card_blocks(card: ProjectCard) -> list[dict[str, Any]]:
    """One project: name, phase, people, channel, dates and budget, with an Edit button."""
    project = card.project
    roles = card.roles
    fields = [
        f"*Phase*\n{mrkdwn.escape(project.phase)}",
        f"*PM*\n{mrkdwn.mention(card.pm)}",
        f"*Sponsor*\n{mrkdwn.mentions(roles.get(Role.SPONSOR, []))}",
        f"*Approvers*\n{mrkdwn.mentions(roles.get(Role.APPROVER, []))}",
        f"*Members*\n{mrkdwn.mentions(roles.get(Role.MEMBER, []))}",
        f"*Home channel*\n{mrkdwn.channel(project.channel_id)}",
        f"*Start*\n{mrkdwn.day(project.start_date)}",
        f"*Target*\n{mrkdwn.day(project.target_date)}",
        "*Budget*\n" + (format_money(project.budget) if project.budget is not None else "—"),
        f"*Status updates due*\n{CADENCE_LABELS[Cadence(project.status_cadence)]}",
        f"*Gate approval*\n{GATE_RULE_LABELS.get(project.gate_rule, project.gate_rule)}",
    ]
    blocks = [
        HeaderBlock(text=mrkdwn.fit(f"{project.key} · {project.name}", 150)),
        SectionBlock(fields=[mrkdwn.fit(f, 2000) for f in fields[:5]]),
        SectionBlock(fields=[mrkdwn.fit(f, 2000) for f in fields[5:]]),
    ]
    if project.archived:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=":file_cabinet: Archived")]))
    blocks.append(
        ActionsBlock(
            elements=[ButtonElement(text="Edit", action_id=EDIT_ACTION, value=project.key)]
        )
    )
    return [block.to_dict() for block in blocks]


def announcement(said: ProjectAnnouncement) -> tuple[str, list[dict[str, Any]]]:
    """`<@ana> created project APOLLO`, above the project's card."""
    who, verb = mrkdwn.mention(said.by), said.verb
    byline = ContextBlock(elements=[MarkdownTextObject(text=f"{who} {verb} this project.")])
    text = f"{who} {verb} project {said.card.project.key}"
    return text, [byline.to_dict(), *project_card_blocks(said.card)]


def portfolio_blocks(cards: list[ProjectCard]) -> list[dict[str, Any]]:
    """The workspace's projects, one line each, packed into as few sections as fit."""
    if not cards:
        return [SectionBlock(text="No projects yet. `/pmo new` creates the first one.").to_dict()]
    lines = [
        f"*{card.project.key}* {mrkdwn.escape(card.project.name)} · "
        f"{mrkdwn.escape(card.project.phase)} · PM {mrkdwn.mention(card.pm)}"
        for card in cards
    ]
    blocks: list[dict[str, Any]] = [HeaderBlock(text=f"Projects ({len(cards)})").to_dict()]
    chunk: list[str] = []
    shown = 0
    for line in lines:
        line = mrkdwn.fit(line, SECTION_MAX)
        if chunk and len("\n".join([*chunk, line])) > SECTION_MAX:
            if len(blocks) == MESSAGE_BLOCKS_MAX - 2:
                break
            blocks.append(SectionBlock(text="\n".join(chunk)).to_dict())
            chunk = []
        chunk.append(line)
        shown += 1
    if chunk:
        blocks.append(SectionBlock(text="\n".join(chunk)).to_dict())
    if shown < len(lines):
        blocks.append(
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text=f"…and {len(lines) - shown} more. `/pmo show KEY` shows any of them."
                    )
                ]
            ).to_dict()
        )
    return blocks
