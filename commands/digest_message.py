"""The Monday digest as Slack messages: Jinja2 writes the text, Python packs the blocks.

Each section is cut into section blocks of at most 3,000 characters; a message holds at
most 50 blocks, and what does not fit continues in the thread of the first message.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, NamedTuple

from slack_sdk.models.blocks import (
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from commands import benefit_message, goal_message, learning_message, mrkdwn
from commands.attention_message import attention_line
from commands.block_cache import built_once
from commands.capacity_message import hours
from commands.labels import RAG_EMOJI, SEVERITY_EMOJI
from commands.risk_message import severity_text
from commands.templates import Markup, Templates
from storage.models import GateStatus, Project, Rag
from workflows.attention import AttentionItem
from workflows.digest import Digest
from workflows.digest_capacity import CapacityOutlook
from workflows.gates import gate_label
from workflows.load import WeekLoad
from workflows.resource_requests import request_label
from workflows.risks import risk_label

SECTION_MAX = 3000
MESSAGE_BLOCKS_MAX = 50
BAR_WIDTH = 20
SPARKS = "▁▂▃▄▅▆▇█"
NO_UPDATE_EMOJI = ":black_circle:"
OUTCOMES = {
    GateStatus.APPROVED.value: Markup(":white_check_mark: passed"),
    GateStatus.REJECTED.value: Markup(":x: rejected"),
    GateStatus.CHANGES_REQUESTED.value: Markup(":leftwards_arrow_with_hook: sent back"),
}


class DigestMessage(NamedTuple):
    """One message of the digest: the first is posted, the others go in its thread."""

    text: str
    blocks: list[dict[str, Any]]


# Renders one of the digest's templates with the digest in its context.
Section = Callable[..., str]


def digest_messages(digest: Digest, templates: Templates) -> list[DigestMessage]:
    """The digest, split into messages of at most 50 blocks (its builder in
    commands/rendering.py: the parts after the first continue in the first's thread)."""

    def render(name: str, **context: Any) -> str:
        return templates.render(
            name, team_id=digest.team_id, digest=digest, window=digest.window, **context
        )

    header = mrkdwn.fit(render("digest_header.j2", week_of=_week_of(digest)), 150)
    blocks: list[dict[str, Any]] = [
        HeaderBlock(text=header).to_dict(),
        ContextBlock(
            elements=[MarkdownTextObject(text=mrkdwn.fit(render("digest_intro.j2"), 3000))]
        ).to_dict(),
    ]
    for text in _sections(digest, render):
        if not text:
            continue  # nothing to say: Capacity where nobody plans any, a blanked override
        blocks.append(_divider())
        blocks += [_section(chunk) for chunk in _chunks(text)]
    return _pack(header, blocks)


@built_once
def _divider() -> DividerBlock:
    return DividerBlock()


@built_once
def _mrkdwn_section() -> SectionBlock:
    # A section of mrkdwn text as slack_sdk writes it, checked once: at 10,000 projects the
    # digest has hundreds of them (bench/digest_bench.py).
    return SectionBlock(text=" ")


def _section(text: str) -> dict[str, Any]:
    # A chunk's section: what SectionBlock(text=text).to_dict() says. _chunks keeps each
    # chunk to SECTION_MAX characters, never empty (slack_sdk's own checks).
    if not 0 < len(text) <= SECTION_MAX:
        return SectionBlock(text=text).to_dict()  # refused as slack_sdk refuses it
    block = _mrkdwn_section()
    block["text"]["text"] = text
    return block


def _sections(digest: Digest, render: Section) -> list[str]:
    # In the order the digest reads: what needs attention, then health, goals, moves, gaps, risks,
    # gates, decisions, capacity, benefits, trend, learning.
    attention = digest.attention
    return [
        render(
            "digest_attention.j2",
            warnings=_lines(attention.warnings, attention.today),
            information=_lines(attention.information, attention.today),
        ),
        render("digest_health.j2", rows=_health_rows(digest)),
        render("digest_goals.j2", **goal_message.digest_context(digest.goals)),
        render("digest_moved.j2", lines=_moved_lines(digest)),
        render(
            "digest_missing.j2",
            lines=digest.missing,
            never_reported=digest.counts["none"],
            all_clear=not attention.warnings,
        ),
        render("digest_risks.j2", groups=_risk_groups(digest), high_from=digest.risk_high_from),
        render("digest_gates.j2", lines=_gate_lines(digest)),
        render("digest_decisions.j2", groups=digest.decided_gates, outcome=OUTCOMES),
        render("digest_capacity.j2", **_capacity_context(digest.capacity)),
        render("digest_benefits.j2", **benefit_message.digest_context(digest.benefits)),
        render(
            "digest_participation.j2",
            latest=digest.participation[-1],
            weeks=digest.participation,
            trend=Markup(_trend(digest)),
        ),
        render("digest_learning.j2", **learning_message.digest_context(digest.learning)),
    ]


def _moved_lines(digest: Digest) -> list[dict[str, Any]]:
    return [
        {
            "project": line.project,
            "pm": line.pm,
            "before": Markup(_rag_emoji(line.previous)),
            "after": Markup(_rag_emoji(line.rag)),
        }
        for line in digest.moved
    ]


def _risk_groups(digest: Digest) -> list[tuple[Project, list[dict[str, Any]]]]:
    return [
        (
            project,
            [
                {
                    "risk": line.risk,
                    "label": risk_label(line.risk, project),
                    "emoji": Markup(SEVERITY_EMOJI[line.severity]),  # for older overrides
                    "severity": Markup(severity_text(line.risk, line.severity)),
                }
                for line in lines
            ],
        )
        for project, lines in digest.top_risks
    ]


def _gate_lines(digest: Digest) -> list[dict[str, Any]]:
    return [
        {
            "label": gate_label(line.gate, line.project),
            "gate": line.gate,
            "approvals": line.approvals,
            "working_days": line.working_days,
            "waiting": line.waiting,
        }
        for line in digest.pending_gates
    ]


def _capacity_context(outlook: CapacityOutlook) -> dict[str, Any]:
    # Plain figures and dates ("week of Mon 7 Dec 2026", "52 h"); the template says who and what.
    return {
        "tracked": outlook.tracked,
        "clear": outlook.clear,
        "weeks": len(outlook.weeks),
        "over": [
            {
                "person": line.user_id,
                "weeks": _said_once([(w.week, _over_week(w, outlook)) for w in line.weeks]),
            }
            for line in outlook.over_allocated
        ],
        "requests": [
            {
                "label": request_label(line.request, line.project),
                "project": line.project,
                "skill": line.request.skill,
                "hours": hours(line.request.hours_per_week),
                "since": mrkdwn.day(line.request.start_date),
            }
            for line in outlook.late_requests
        ],
        "gaps": [
            {
                "skill": gap.skill,
                "weeks": _said_once([(w.week, {"short": hours(-w.gap)}) for w in gap.weeks]),
            }
            for gap in outlook.gaps
        ],
        "short": [
            {"project": line.project, "said": mrkdwn.day(line.said_on)}
            for line in outlook.short_teams
        ],
    }


def _over_week(week: WeekLoad, outlook: CapacityOutlook) -> dict[str, str]:
    # What the plan asks of the person that week, and which projects ask it, most first.
    asked = (
        f"asked for {hours(week.allocated)} of {hours(week.capacity)}"
        if week.capacity
        else f"asked for {hours(week.allocated)} while away"
    )
    asks = ", ".join(
        f"{outlook.projects[pid].key} {hours(h)}" if pid in outlook.projects else hours(h)
        for pid, h in sorted(week.by_project.items(), key=lambda item: (-item[1], item[0]))
    )
    return {"asked": asked, "asks": asks}


def _said_once(weeks: list[tuple[date, dict[str, str]]]) -> list[dict[str, str]]:
    # Weeks that read the same are said together: "weeks of 7 Dec and 14 Dec: …".
    together: dict[tuple[tuple[str, str], ...], list[date]] = {}
    for week, wording in weeks:
        together.setdefault(tuple(wording.items()), []).append(week)
    return [{"when": _weeks_of(days), **dict(wording)} for wording, days in together.items()]


def _weeks_of(days: list[date]) -> str:
    named = [mrkdwn.day(day) for day in days]
    if len(named) == 1:
        return f"week of {named[0]}"
    return f"weeks of {', '.join(named[:-1])} and {named[-1]}"


def _lines(items: list[AttentionItem], today: date) -> list[Markup]:
    return [Markup(attention_line(item, today)) for item in items]


def _week_of(digest: Digest) -> str:
    # "Mon 30 Nov 2026": the Monday of the week the digest is sent in, as people write it.
    return mrkdwn.day(digest.window.week_of)


def _rag_emoji(rag: Rag | None) -> str:
    return RAG_EMOJI[rag] if rag is not None else NO_UPDATE_EMOJI


def _health_rows(digest: Digest) -> list[dict[str, Any]]:
    total = max(digest.active_projects, 1)
    rows = []
    for key, label in (
        ("green", Rag.GREEN.label),
        ("amber", Rag.AMBER.label),
        ("red", Rag.RED.label),
        ("hold", Rag.HOLD.label),
        ("none", "No update yet"),
    ):
        count = digest.counts[key]
        change = count - digest.previous_counts[key]
        filled = round(BAR_WIDTH * count / total)
        rows.append(
            {
                "emoji": Markup(RAG_EMOJI[Rag(key)] if key != "none" else NO_UPDATE_EMOJI),
                "label": label,
                "count": count,
                "change": Markup(f"({change:+d})" if change else "(=)"),
                "bar": Markup(f"`{'█' * filled}{'░' * (BAR_WIDTH - filled)}`"),
            }
        )
    return rows


def _trend(digest: Digest) -> str:
    points = [p.percent for p in digest.participation]
    words = " → ".join(f"{p}%" if p is not None else "–" for p in points)
    spark = "".join(
        SPARKS[min(p * len(SPARKS) // 101, len(SPARKS) - 1)] if p is not None else " "
        for p in points
    )
    return f"{words} `{spark}`"


def _chunks(text: str) -> list[str]:
    # Whole lines per section block; a single line longer than a block is cut with a note.
    # Lines are gathered and joined once per block (thousands of lines at 10,000 projects).
    chunks: list[str] = []
    lines: list[str] = []
    size = 0  # of the lines so far joined; none (or only empty ones) are dropped
    for line in text.split("\n"):
        if len(line) > SECTION_MAX:
            line = mrkdwn.fit(line, SECTION_MAX)
        if not size:
            lines, size = [line], len(line)
        elif size + 1 + len(line) > SECTION_MAX:
            chunks.append("\n".join(lines))
            lines, size = [line], len(line)
        else:
            lines.append(line)
            size += 1 + len(line)
    current = "\n".join(lines)
    if current.strip():
        chunks.append(current)
    return chunks


def _pack(header: str, blocks: list[dict[str, Any]]) -> list[DigestMessage]:
    messages = []
    for start in range(0, len(blocks), MESSAGE_BLOCKS_MAX):
        part = blocks[start : start + MESSAGE_BLOCKS_MAX]
        number = len(messages) + 1
        text = header if number == 1 else f"{header} (continued, part {number})"
        messages.append(DigestMessage(text=text, blocks=part))
    return messages
