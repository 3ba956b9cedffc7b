"""`/goal portfolio`: the active projects ranked by a transparent score, shown with each
part of every score and the formula with the workspace's weights, so it can be challenged.

The formula is workflows/portfolio_rank.py's; PMO leads change the weights in
`/pmo settings`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from slack_bolt import App
from slack_sdk.models.blocks import ContextBlock, HeaderBlock, MarkdownTextObject, SectionBlock

from commands import mrkdwn
from commands.command_ask import CommandAsk, Verb
from workflows.portfolio_rank import (
    GOAL_WEIGHT_FULL,
    RISKS_TO_ZERO,
    RankedProject,
    Ranking,
    rank_portfolio,
)
from workflows.wording import count

# Projects shown, one section each, then "…and N more" (Slack allows 50 blocks).
LISTED = 30
PART_NAMES = {
    "goal": "goal alignment",
    "health": "health",
    "budget": "remaining budget",
    "risk": "low open risk",
}


def register(app: App) -> None:
    """The ranking has no forms or buttons of its own: it is an answer to a command."""


def portfolio(ask: CommandAsk) -> None:
    """`/goal portfolio`: the ranking, its parts and its formula."""
    with ask.db.session() as session:
        ranking = rank_portfolio(session=session, team_id=ask.actor.team_id)
    ask.respond(blocks=ranking_blocks(ranking), text="Portfolio ranking")


def formula_text(ranking: Ranking) -> str:
    """`*Score* = goal alignment × 40 + health × 30 + …`, in the workspace's weights."""  # noqa: RUF002
    terms = " + ".join(
        f"{PART_NAMES[name]} × {weight}" for name, weight in _weights_in_order(ranking)
    )
    return f"*Score* = {terms}, each part from 0 to 1 (the weights add up to 100)."


def parts_text(ranking: Ranking) -> str:
    """How each part is worked out, in words."""
    quarter = f"¼ for each open risk or issue scored {ranking.high_from} or more"
    return (
        f"*Goal alignment*: its goal links' weights added up (at most {GOAL_WEIGHT_FULL}), "
        f"over {GOAL_WEIGHT_FULL}. *Health*: its latest update green 1, amber ½, red 0, "
        "on hold or never reported ½. *Remaining budget*: (budget − spent to date) ÷ budget; "
        f"½ when either is unknown. *Low open risk*: 1 less {quarter} "
        f"(0 from {RISKS_TO_ZERO}). PMO leads set the weights in `/pmo settings`."
    )


def ranking_blocks(ranking: Ranking) -> list[dict[str, Any]]:
    """The formula, then each project's place, score and parts (the first 30)."""
    total = len(ranking.projects)
    blocks: list[Any] = [
        HeaderBlock(text=f"Portfolio ranking · {count(total, 'active project')}"),
        SectionBlock(text=formula_text(ranking)),
        ContextBlock(elements=[MarkdownTextObject(text=parts_text(ranking))]),
    ]
    for ranked in ranking.projects[:LISTED]:
        blocks.append(SectionBlock(text=mrkdwn.fit(ranked_line(ranked), 3000)))
    if total > LISTED:
        below = _points(ranking.projects[LISTED].score)
        more = f"…and {total - LISTED} more, scoring {below} or less."
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=more)]))
    if not ranking.projects:
        blocks.append(SectionBlock(text="No active projects to rank. `/pmo new` creates one."))
    return [block.to_dict() for block in blocks]


def ranked_line(ranked: RankedProject) -> str:
    """`*1. APOLLO* Apollo launch · *82.5*` and, below, each part's points and why."""
    project = ranked.project
    parts = " · ".join(
        f"{PART_NAMES[part.name]} {_points(part.points)} ({_why(ranked, part.name)})"
        for part in ranked.parts
    )
    head = (
        f"*{ranked.rank}. {project.key}* {mrkdwn.escape(project.name)} · *{_points(ranked.score)}*"
    )
    return f"{head}\n{parts}"


def _why(ranked: RankedProject, part: str) -> str:
    # What the part read, in a few words.
    inputs = ranked.inputs
    if part == "goal":
        weight = min(inputs.goal_weight, GOAL_WEIGHT_FULL)
        return f"{weight} of {GOAL_WEIGHT_FULL} for goals" if weight else "no goal"
    if part == "health":
        return inputs.rag.value if inputs.rag is not None else "not reported"
    if part == "budget":
        value = next(p.value for p in ranked.parts if p.name == "budget")
        known = next(p.known for p in ranked.parts if p.name == "budget")
        return f"{value * 100:.0f} % left" if known else "unknown"
    high = inputs.high_risks
    return f"{high} high" if high else "none high"


def _points(value: Decimal) -> str:
    return f"{value:.1f}"


def _weights_in_order(ranking: Ranking) -> list[tuple[str, int]]:
    return [(name, ranking.weights.get(name, 0)) for name in PART_NAMES]


VERBS: dict[str, Verb] = {"portfolio": portfolio}
