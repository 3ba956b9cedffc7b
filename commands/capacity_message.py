"""How capacity reads in Slack: loads week by week, allocations, and the messages the
capacity rules send (over-allocation, an allocation made, a question about one)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from slack_sdk.models.blocks import ContextBlock, MarkdownTextObject, SectionBlock

from commands import mrkdwn
from storage.models import Allocation, Project
from workflows.capacity import AllocationNotice, AllocationQuestion, Amount, OverAllocation
from workflows.load import PersonLoad, WeekLoad
from workflows.wording import count

Rendered = tuple[str, list[dict[str, Any]]]

# A week's load, by how full it is.
LOAD_EMOJI = (
    (None, ":palm_tree:"),  # no capacity that week: on leave
    (50, ":white_circle:"),  # under half: room to give
    (90, ":large_green_circle:"),
    (100, ":large_yellow_circle:"),
)
OVER_EMOJI = ":red_circle:"


def hours(value: Decimal) -> str:
    """`32 h`, `7.5 h`."""
    rounded = value.quantize(Decimal("0.1"))
    text = f"{rounded:f}".removesuffix(".0")
    return f"{text} h"


def span(start: date, end: date) -> str:
    """`Tue 1 Dec 2026 to Sun 31 Jan 2027`."""
    return f"{mrkdwn.day(start)} to {mrkdwn.day(end)}"


def amount_words(allocation: Allocation) -> str:
    """`20 h a week` or `50 % of their week`."""
    return Amount(allocation.hours_per_week, allocation.percent).words()


def week_emoji(week: WeekLoad, threshold: int) -> str:
    """The week's colour: on leave, room, comfortable, full, over."""
    if week.over(threshold):
        return OVER_EMOJI
    percent = week.percent
    for upper, emoji in LOAD_EMOJI:
        if upper is None:
            if percent is None:
                return emoji
        elif percent is not None and percent < upper:
            return emoji
    return ":large_yellow_circle:" if percent is not None and percent <= 100 else OVER_EMOJI


def week_words(week: WeekLoad, threshold: int) -> str:
    """`:large_green_circle: 30 Nov 75 %`, `:palm_tree: 7 Dec away`."""
    emoji = week_emoji(week, threshold)
    if week.percent is None:
        load = "away" if not week.allocated else f"away, {hours(week.allocated)} asked"
    else:
        load = f"{week.percent} %"
    return f"{emoji} {mrkdwn.day(week.week)} {load}"


def load_line(load: PersonLoad, threshold: int) -> str:
    """The weeks of a load in one line."""
    return " · ".join(week_words(week, threshold) for week in load.weeks)


def over_allocation(alert: OverAllocation) -> Rendered:
    """To a PM or PMO lead: the person is asked for more than they have, in these weeks,
    by these projects. About the plan, not the person."""
    person = mrkdwn.mention(alert.person)
    lines = []
    for week in alert.weeks:
        asks = ", ".join(
            f"{alert.projects[pid].key} {hours(h)}" if pid in alert.projects else hours(h)
            for pid, h in sorted(week.by_project.items(), key=lambda item: -item[1])
        )
        lines.append(
            f"• week of {mrkdwn.day(week.week)}: asked for *{hours(week.allocated)}* of "
            f"{hours(week.capacity)} ({asks})"
        )
    text = (
        f":warning: {person}'s allocations add up to more than their capacity "
        f"(by over {alert.threshold} %) in {count(len(alert.weeks), 'week')}:"
    )
    blocks = [
        SectionBlock(text=mrkdwn.fit(text + "\n" + "\n".join(lines), 3000)),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="The plan asks too much, not the person: move dates, share the work "
                    "or `/capacity request` someone. `/capacity "
                    + (next(iter(alert.projects.values())).key if alert.projects else "KEY")
                    + "` shows the team."
                )
            ]
        ),
    ]
    return f"{text} " + "; ".join(line.removeprefix("• ") for line in lines), _dicts(blocks)


def allocation_notice(notice: AllocationNotice) -> Rendered:
    """To the person: someone allocated them to a project."""
    allocation, project = notice.allocation, notice.project
    text = (
        f":calendar: {mrkdwn.mention(allocation.created_by)} allocated you to *{project.key}* "
        f"{mrkdwn.escape(project.name)}: {amount_words(allocation)}, "
        f"{span(allocation.start_date, allocation.end_date)}."
    )
    note = "`/capacity` shows your load and lets you question an allocation."
    blocks = [
        SectionBlock(text=mrkdwn.fit(text, 3000)),
        ContextBlock(elements=[MarkdownTextObject(text=note)]),
    ]
    return text, _dicts(blocks)


def allocation_question(asked: AllocationQuestion) -> Rendered:
    """To the PM: the person allocated asks about their allocation."""
    allocation, project = asked.allocation, asked.project
    text = (
        f":speech_balloon: {mrkdwn.mention(asked.asked_by)} asks about their allocation to "
        f"*{project.key}* ({amount_words(allocation)}, "
        f"{span(allocation.start_date, allocation.end_date)}):\n"
        f"> {mrkdwn.quoted(asked.question, 1000)}"
    )
    return text, _dicts([SectionBlock(text=mrkdwn.fit(text, 3000))])


def allocation_line(allocation: Allocation, project: Project) -> str:
    """`*APOLLO* Apollo launch · 20 h a week · 1 Dec to 31 Jan`."""
    return (
        f"*{project.key}* {mrkdwn.escape(project.name)} · {amount_words(allocation)} · "
        f"{span(allocation.start_date, allocation.end_date)}"
    )


def _dicts(blocks: list[Any]) -> list[dict[str, Any]]:
    return [block.to_dict() for block in blocks]
