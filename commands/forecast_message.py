"""How the capacity forecast and the bench read in Slack (pure builders: data in, blocks out).

The forecast is a table in a code block, a week a line (capacity, demand with what is
allocated and what is requested, the gap), the weeks short of people marked; without a
skill, each skill's worst week follows in a line each. The bench is a list of people
with their free hours.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from slack_sdk.models.blocks import ContextBlock, HeaderBlock, MarkdownTextObject, SectionBlock

from commands import mrkdwn
from workflows.forecast import SkillWeek
from workflows.forecast_view import Bench, BenchLine, ForecastView, WorstWeek
from workflows.load import BENCH_BELOW_PERCENT
from workflows.wording import count, week_of

Rendered = tuple[str, list[dict[str, Any]]]
SECTION_MAX = 3000
# Lines of skills under the workspace's forecast, and people on the bench, before "and N more".
SKILLS_SHOWN = 15
BENCH_SHOWN = 40
BENCH_PER_SECTION = 20
SHORT = "◀ short"


def whole_hours(value: Decimal) -> str:
    """`1,240 h` (to the nearest hour)."""
    return f"{value:,.0f} h"


def signed_hours(value: Decimal) -> str:
    """`+20 h`, `-35 h`, `0 h`."""
    rounded = round(value)
    if rounded == 0:
        return "0 h"
    sign = "+" if rounded > 0 else "-"
    return f"{sign}{abs(rounded):,} h"


def is_short(week: SkillWeek) -> bool:
    """Demand above capacity, by an hour or more."""
    return round(week.gap) < 0


def forecast_table(weeks: list[SkillWeek]) -> str:
    """The weeks as a fixed-width table (a code block keeps its columns)."""
    header = (
        f"{'Week':<15} {'Capacity':>9} {'Demand':>9} {'(allocated + requested)':>24} {'Gap':>9}"
    )
    lines = [header]
    for week in weeks:
        parts = f"({week.allocated:,.0f} + {week.requested:,.0f})"
        line = (
            f"{mrkdwn.day(week.week):<15} {whole_hours(week.capacity):>9} "
            f"{whole_hours(week.demand):>9} {parts:>24} {signed_hours(week.gap):>9}"
        )
        lines.append(f"{line} {SHORT}" if is_short(week) else line)
    return "```\n" + "\n".join(lines) + "\n```"


def worst_week_line(line: WorstWeek) -> str:
    """`• *backend*: short 40 h in the week of Mon 7 Dec 2026` or `… 12 h to spare at worst (…)`."""
    week = line.week
    skill = f"*{mrkdwn.quoted(line.skill, 40)}*"
    when = mrkdwn.day(week.week)
    if is_short(week):
        return f"• :warning: {skill}: short {whole_hours(-week.gap)} in the week of {when}"
    return f"• {skill}: {whole_hours(week.gap)} to spare at worst (week of {when})"


def forecast_message(view: ForecastView) -> Rendered:
    """The forecast, ephemeral: the table, what it counts, and each skill's worst week."""
    weeks = view.weeks
    whose = f"`{mrkdwn.quoted(view.skill, 40)}`" if view.skill else "the workspace"
    title = f"Capacity forecast · {view.skill or 'everyone'} · next {count(len(weeks), 'week')}"
    short = [week for week in weeks if is_short(week)]
    summary = (
        f":warning: Short of people in {len(short)} of {count(len(weeks), 'week')}, first the "
        f"{week_of(short[0].week)}."
        if short
        else f"Enough people in each of the next {count(len(weeks), 'week')}."
    )
    counted = (
        f"{count(view.people, 'person')} in {whose}. "
        "Demand is the hours allocated plus the hours open requests ask for; capacity is "
        f"people's weekly hours less leave. {SHORT} marks a week with more demand than capacity."
    )
    blocks: list[Any] = [
        HeaderBlock(text=title[:150]),
        SectionBlock(text=summary),
        SectionBlock(text=forecast_table(weeks)),
        ContextBlock(elements=[MarkdownTextObject(text=counted)]),
    ]
    if view.skill is None and view.worst_weeks:
        lines = [worst_week_line(line) for line in view.worst_weeks[:SKILLS_SHOWN]]
        more = len(view.worst_weeks) - SKILLS_SHOWN
        if more > 0:
            lines.append(f"… and {more} more: `/capacity forecast SKILL` shows one.")
        text = "*By skill, each one's worst week*\n" + "\n".join(lines)
        blocks.append(SectionBlock(text=mrkdwn.fit(text, SECTION_MAX)))
    return f"{title}. {summary}", [block.to_dict() for block in blocks]


def bench_line(line: BenchLine) -> str:
    """`• @ana · 25 % allocated · 120 h free · backend, design`."""
    skills = ", ".join(mrkdwn.quoted(s, 40) for s in line.person.skills) or "no skills set"
    return (
        f"• {mrkdwn.mention(line.person.user_id)} · {line.percent} % allocated · "
        f"*{whole_hours(line.free)} free* · {skills}"
    )


def bench_message(bench: Bench) -> Rendered:
    """The bench, ephemeral: who has little allocated over the next weeks, most free first."""
    weeks = bench.weeks
    span = f"{mrkdwn.day(weeks[0])} to {mrkdwn.day(weeks[-1])}" if weeks else ""
    title = f"On the bench · next {count(len(weeks), 'week')} ({span})"
    if not bench.lines:
        text = (
            f"Nobody is on the bench: everyone has at least {BENCH_BELOW_PERCENT} % of their "
            f"capacity allocated over the next {count(len(weeks), 'week')}."
        )
        return text, [HeaderBlock(text=title).to_dict(), SectionBlock(text=text).to_dict()]
    benched = len(bench.lines)
    intro = (
        f"{count(benched, 'person has')} under "
        f"{BENCH_BELOW_PERCENT} % of their capacity allocated, the most free first:"
    )
    lines = [bench_line(line) for line in bench.lines[:BENCH_SHOWN]]
    if benched > BENCH_SHOWN:
        lines.append(f"… and {benched - BENCH_SHOWN} more.")
    blocks: list[Any] = [HeaderBlock(text=title), SectionBlock(text=intro)]
    for start in range(0, len(lines), BENCH_PER_SECTION):
        chunk = "\n".join(lines[start : start + BENCH_PER_SECTION])
        blocks.append(SectionBlock(text=mrkdwn.fit(chunk, SECTION_MAX)))
    blocks.append(
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="`/capacity allocate KEY` puts someone on a project; open requests "
                    "for people are in `/capacity requests`."
                )
            ]
        )
    )
    return f"{title}: {intro}", [block.to_dict() for block in blocks]
