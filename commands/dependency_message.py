"""How dependencies read in Slack: a project's list with its buttons, the alert of a threat,
the word that one was added, delivered or dropped; and the threat in words, which "Needs
attention" uses too (commands/attention_message.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from commands import mrkdwn
from storage.models import Dependency, Project
from workflows.dependencies import DependencyList, DependencyNotice, Listed
from workflows.dependency_alerts import DependencyAlert
from workflows.dependency_threats import Reach, Threat, ThreatKind

DELIVERED_ACTION = "dependency.delivered"
DROP_ACTION = "dependency.drop"
SECTION_MAX = 3000
DELIVERABLE_SHOWN = 120
# A dependency waited on takes two blocks (its line, its buttons): 15 stay within 50.
WAITS_LISTED = 15
WAITED_LISTED = 10

Day = Callable[[date], str]


def chain_words(chain: tuple[Project, ...]) -> str:
    """`ZEUS → HERMES → APOLLO`: each project feeds the next."""
    return " → ".join(project.key for project in chain)


def need_words(dependency: Dependency, downstream: Project, upstream: Project, day: Day) -> str:
    """`APOLLO needs “payment API” from HERMES by Mon 1 Feb 2027` (mrkdwn, escaped)."""
    what = mrkdwn.quoted(dependency.deliverable, DELIVERABLE_SHOWN)
    return f"*{downstream.key}* needs “{what}” from *{upstream.key}* by {day(dependency.need_by)}"


def threat_words(threat: Threat, day: Day) -> str:
    """Why the dependency is in danger: `HERMES is red`, `HERMES's target date … is after
    the need date`, `the need date … has passed`."""
    up = threat.upstream.key
    if threat.kind == ThreatKind.COLOUR and threat.rag is not None:
        return f"{up} is {threat.rag.value} ({threat.rag.label.lower()})"
    if threat.kind == ThreatKind.LATE_TARGET and threat.target_date is not None:
        return f"{up}'s target date {day(threat.target_date)} is after the need date"
    return f"the need date {day(threat.dependency.need_by)} has passed without it"


def reach_words(reach: Reach, day: Day) -> str:
    """The threat as the waiting project sees it, with the chain when it is longer than one
    hop: `APOLLO needs … by …, and HERMES is red`, `along the chain ZEUS → HERMES → APOLLO:
    HERMES needs …`."""
    if reach.hops > 1:
        return f"along the chain {chain_line(reach, day)}"
    return _danger(reach.threat, day)


def chain_line(reach: Reach, day: Day) -> str:
    """`ZEUS → HERMES → APOLLO: HERMES needs … by …, and ZEUS is red`."""
    return f"{chain_words(reach.chain)}: {_danger(reach.threat, day)}"


def _danger(threat: Threat, day: Day) -> str:
    need = need_words(threat.dependency, threat.downstream, threat.upstream, day)
    return f"{need}, and {threat_words(threat, day)}"


def dependency_alert(alert: DependencyAlert) -> tuple[str, list[dict[str, Any]]]:
    """The direct message to a PM or sponsor of a project a threat reaches."""
    reach = alert.reach
    waiting = reach.waiting
    what = reach_words(reach, mrkdwn.day)
    if reach.hops == 1:
        text = f":link: A dependency of *{waiting.key}* is threatened: {what}."
    else:
        text = f":link: *{waiting.key}* is threatened {what}."
    text = mrkdwn.fit(text, SECTION_MAX)
    hint = f"`/pmo depends {waiting.key}` shows what {waiting.key} waits on."
    blocks = [
        SectionBlock(text=text),
        ContextBlock(elements=[MarkdownTextObject(text=hint)]),
    ]
    return text, [block.to_dict() for block in blocks]


def dependency_notice(notice: DependencyNotice) -> tuple[str, list[dict[str, Any]]]:
    """The word to a PM that a dependency was added, delivered or dropped (text only)."""
    dependency, by = notice.dependency, mrkdwn.mention(notice.by)
    need = need_words(dependency, notice.downstream, notice.upstream, mrkdwn.day)
    if notice.change == "added":
        text = (
            f":link: {by} recorded that {need} (#{dependency.id}). "
            f"`/pmo depends {notice.upstream.key}` shows who waits on {notice.upstream.key}."
        )
    elif notice.change == "delivered":
        text = f":white_check_mark: {by} marked #{dependency.id} delivered: {need}."
    else:
        text = f":heavy_minus_sign: {by} dropped #{dependency.id}: {need}."
    return mrkdwn.fit(text, SECTION_MAX), []


def dependency_list_blocks(listing: DependencyList) -> list[dict[str, Any]]:
    """What the project waits on (each with *Delivered* and *Drop*), the threats further up
    its chains, and who waits on it."""
    project = listing.project
    direct: dict[int | None, list[Threat]] = {}
    for reach in listing.reaches:
        if reach.hops == 1:
            direct.setdefault(reach.threat.dependency.id, []).append(reach.threat)
    blocks: list[Any] = [
        HeaderBlock(text=mrkdwn.fit(f"{project.key} · dependencies", 150)),
        SectionBlock(text=f"*{project.key} waits on* ({len(listing.waits_on)})"),
    ]
    for listed in listing.waits_on[:WAITS_LISTED]:
        blocks += _waits_on_blocks(listed, project, direct.get(listed.dependency.id, []))
    if len(listing.waits_on) > WAITS_LISTED:
        blocks.append(SectionBlock(text=f"…and {len(listing.waits_on) - WAITS_LISTED} more."))
    further = [r for r in listing.reaches if r.hops > 1]
    if further:
        lines = [f":warning: {chain_line(r, mrkdwn.day)}" for r in further]
        text = "*Threats further up the chain*\n" + "\n".join(lines)
        blocks.append(SectionBlock(text=mrkdwn.fit(text, SECTION_MAX)))
    waited = [
        f"#{listed.dependency.id} "
        + need_words(listed.dependency, listed.other, project, mrkdwn.day)
        for listed in listing.waited_by[:WAITED_LISTED]
    ]
    text = f"*Waiting on {project.key}* ({len(listing.waited_by)})"
    if waited:
        text += "\n" + "\n".join(waited)
    if len(listing.waited_by) > WAITED_LISTED:
        text += f"\n…and {len(listing.waited_by) - WAITED_LISTED} more."
    blocks.append(SectionBlock(text=mrkdwn.fit(text, SECTION_MAX)))
    hint = (
        f'Add one: `/pmo depends {project.key} on OTHER "what" by YYYY-MM-DD`, or '
        f"`/pmo depends` for the form. `/pmo depends {project.key} done N` marks #N delivered."
    )
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=hint)]))
    return [block.to_dict() for block in blocks]


def _waits_on_blocks(listed: Listed, project: Project, threats: list[Threat]) -> list[Any]:
    dependency = listed.dependency
    line = f"#{dependency.id} " + need_words(dependency, project, listed.other, mrkdwn.day)
    if threats:
        line += "\n:warning: " + "; ".join(threat_words(t, mrkdwn.day) for t in threats)
    value = str(dependency.id)
    return [
        SectionBlock(text=mrkdwn.fit(line, SECTION_MAX)),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text="Delivered", action_id=DELIVERED_ACTION, value=value, style="primary"
                ),
                ButtonElement(
                    text="Drop",
                    action_id=DROP_ACTION,
                    value=value,
                    confirm=ConfirmObject(
                        title="Drop this dependency?",
                        text=f"{project.key} will no longer wait on {listed.other.key} for it.",
                        confirm="Drop",
                        deny="Keep",
                    ),
                ),
            ]
        ),
    ]
