"""How goals read in Slack: a goal's health in a line, its measure, `/goal list` and
`/goal show`, and the word to a new owner. Home and the digest use the same lines."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from slack_sdk.models.blocks import (
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from commands import mrkdwn
from commands.labels import RAG_EMOJI
from commands.templates import Markup
from storage.models import Goal, GoalCheckin, Rag
from workflows.digest_goals import GoalWeek
from workflows.gates import gate_label
from workflows.goal_health import GoalHealth, GoalView
from workflows.goals import GoalOwnerNotice
from workflows.quantity import format_quantity
from workflows.wording import count

Rendered = tuple[str, list[dict[str, Any]]]
NO_UPDATE_EMOJI = ":black_circle:"
ARCHIVED_EMOJI = ":file_cabinet:"
# Goals listed in one message (Slack allows 50 blocks), then "and N more".
LISTED = 40
# A goal's projects that changed colour named in the digest, then "and N more".
MOVES_SHOWN = 5


def health_emoji(rag: Rag | None) -> str:
    """A goal's colour: its worst project's, or a black circle when none reported."""
    return RAG_EMOJI[rag] if rag is not None else NO_UPDATE_EMOJI


def value_text(value: Decimal, unit: str) -> str:
    """`7.25 %`, `1,200 customers` (the unit escaped)."""
    return mrkdwn.escape(format_quantity(Decimal(value), unit))


def checked_on(moment: datetime) -> str:
    """The day of a check-in as each reader's Slack shows it in their own time zone
    (`Nov 20`, `yesterday`), with `20 Nov` (UTC) for clients that can't."""
    fallback = mrkdwn.day(moment.astimezone(UTC).date())
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}}|{fallback}>"


def measure_line(goal: Goal, latest: GoalCheckin | None, progress: int | None) -> str:
    """`Monthly churn *7.2 %* on 20 Nov · 8 % → 5 % · 27 % of the way`, or that there is
    no check-in yet; empty for a goal with no measure."""
    if not goal.measure or goal.baseline is None or goal.target is None:
        return ""
    span = f"{value_text(goal.baseline, goal.unit)} → {value_text(goal.target, goal.unit)}"
    name = mrkdwn.escape(goal.measure)
    if latest is None:
        return f"{name} · {span} · no check-in yet"
    way = f" · {progress} % of the way" if progress is not None else ""
    when = checked_on(latest.created_at)
    return f"{name} *{value_text(latest.value, goal.unit)}* on {when} · {span}{way}"


def health_line(health: GoalHealth, *, high_from: int | None = None) -> str:
    """`2 of 3 projects on track (67 %) · next gate *APOLLO-G2* Plan → Execute · 1 open
    high risk`, or that no project serves it yet."""
    if not health.projects:
        return f"No project serves it yet: `/goal link KEY {health.goal.key} 60` links one."
    parts = [f"{_on_track(health)} ({health.share_on_track} %)"]
    if health.next_gate is not None:
        gate, project = health.next_gate
        steps = f"{mrkdwn.escape(gate.from_phase)} → {mrkdwn.escape(gate.to_phase)}"
        parts.append(f"next gate *{gate_label(gate, project)}* {steps}")
    risks = health.high_risks
    band = f" (score {high_from}+)" if high_from is not None else ""
    parts.append(f"{count(risks, 'open high risk') if risks else 'no open high risks'}{band}")
    return " · ".join(parts)


def goal_title(goal: Goal, rag: Rag | None) -> str:
    """`:red_circle: *CHURN* Reduce churn · owner <@U…> · by Wed 30 Jun 2027`."""
    emoji = ARCHIVED_EMOJI if goal.archived else health_emoji(rag)
    text = f"{emoji} *{goal.key}* {mrkdwn.escape(goal.title)} · owner {mrkdwn.mention(goal.owner)}"
    if goal.target_date:
        text += f" · by {mrkdwn.day(goal.target_date)}"
    return text + (" · archived" if goal.archived else "")


def goal_summary(health: GoalHealth) -> str:
    """A goal in three lines: its title, its projects' health, its measure."""
    lines = [goal_title(health.goal, health.worst), health_line(health)]
    measure = measure_line(health.goal, health.latest, health.progress)
    return "\n".join(lines + ([measure] if measure else []))


def goal_list_blocks(goals: list[GoalHealth]) -> list[dict[str, Any]]:
    """`/goal list`: each active goal's health, by key."""
    blocks: list[Any] = [HeaderBlock(text="Strategic goals")]
    if not goals:
        blocks.append(SectionBlock(text="No goal yet. A PMO lead creates one with `/goal new`."))
    for health in goals[:LISTED]:
        blocks.append(SectionBlock(text=mrkdwn.fit(goal_summary(health), 3000)))
    notes = []
    if len(goals) > LISTED:
        notes.append(f"…and {len(goals) - LISTED} more.")
    if goals:
        notes.append("`/goal GOAL` shows one with its projects and check-ins.")
    if notes:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=" ".join(notes))]))
    return [block.to_dict() for block in blocks]


def goal_blocks(view: GoalView) -> list[dict[str, Any]]:
    """`/goal show`: the goal, its measure and latest check-ins, its projects by weight."""
    health, goal = view.health, view.health.goal
    blocks: list[Any] = [
        HeaderBlock(text=mrkdwn.fit(f"{goal.key} · {goal.title}", 150)),
        SectionBlock(text=mrkdwn.fit(goal_title(goal, health.worst), 3000)),
        SectionBlock(text=mrkdwn.fit(health_line(health, high_from=view.high_from), 3000)),
    ]
    measure = measure_line(goal, health.latest, health.progress)
    if measure:
        lines = [f"*Measure* {measure}"] + [_checkin_line(c, goal.unit) for c in view.checkins]
        blocks += [DividerBlock(), SectionBlock(text=mrkdwn.fit("\n".join(lines), 3000))]
    if health.projects:
        lines = [
            f"{health_emoji(p.rag)} *{p.project.key}* {mrkdwn.escape(p.project.name)} · "
            f"weight {p.weight}"
            for p in health.projects
        ]
        title = f"*Projects serving it* ({len(lines)})"
        blocks += [DividerBlock(), SectionBlock(text=mrkdwn.fit("\n".join([title, *lines]), 3000))]
    notes = []
    if measure and not goal.archived:
        notes.append(f"`/goal update {goal.key} value [note]` checks in the measure.")
    notes.append(f"`/goal link KEY {goal.key} 60` links a project (or its form, `/pmo edit`).")
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=" ".join(notes))]))
    return [block.to_dict() for block in blocks]


def _checkin_line(checkin: GoalCheckin, unit: str) -> str:
    note = f": “{mrkdwn.quoted(checkin.note, 150)}”" if checkin.note else ""
    return (
        f"• {checked_on(checkin.created_at)} *{value_text(checkin.value, unit)}* by "
        f"{mrkdwn.mention(checkin.author)}{note}"
    )


def owner_notice(notice: GoalOwnerNotice) -> Rendered:
    """The direct message to a goal's new owner: the goal, and how to check it in."""
    goal = notice.goal
    text = (
        f":dart: {mrkdwn.mention(notice.by)} made you the owner of the goal *{goal.key}* "
        f"{mrkdwn.escape(goal.title)}."
    )
    measure = measure_line(goal, None, None)
    if measure:
        text += f"\n{measure}. Post its latest value with `/goal update {goal.key} value [note]`."
    text += f"\n`/goal {goal.key}` shows its projects and their health."
    return mrkdwn.fit(text, 3000), []


def digest_context(weeks: list[GoalWeek]) -> dict[str, Any]:
    """What the digest's Goals section says of each goal (commands/templates/
    digest_goals.j2): its colour, projects on track and measure, what moved it."""
    return {
        "goals": [
            {
                "emoji": Markup(health_emoji(week.health.worst)),
                "key": week.health.goal.key,
                "title": week.health.goal.title,
                "on_track": _on_track(week.health),
                "measure": Markup(
                    measure_line(week.health.goal, week.health.latest, week.health.progress)
                ),
                "moved": [
                    {
                        "project": change.project,
                        "before": Markup(health_emoji(change.before)),
                        "after": Markup(health_emoji(change.after)),
                    }
                    for change in week.moved[:MOVES_SHOWN]
                ],
                "more": max(len(week.moved) - MOVES_SHOWN, 0),
                "checked": _value(week.checked, week.health.goal.unit),
                "was": _value(week.before, week.health.goal.unit),
                "note": week.checked.note if week.checked else "",
            }
            for week in weeks
        ]
    }


def _on_track(health: GoalHealth) -> str:
    total = len(health.projects)
    if not total:
        return "no project serves it yet"
    return f"{health.on_track} of {count(total, 'project')} on track"


def _value(checkin: GoalCheckin | None, unit: str) -> Markup | None:
    return Markup(value_text(checkin.value, unit)) if checkin is not None else None
