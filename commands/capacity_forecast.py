"""`/capacity forecast [skill]`, `/capacity bench` and `/capacity heatmap [skill]`: demand
against capacity for the weeks ahead, who is free, and everyone's load as a picture.

The forecast is for anyone; the bench and the heat map for PMO leads (the workflow
says so). The heat map is drawn when it is stored in the outbox and reaches the lead in
their direct messages with the bot, like the digest's chart.
"""

from __future__ import annotations

from functools import partial

from slack_bolt import App

from commands.command_ask import CommandAsk, Verb
from commands.forecast_message import bench_message, forecast_message
from workflows.capacity import parse_skills
from workflows.errors import PmoError
from workflows.forecast_view import bench, forecast_view, share_heat_map
from workflows.markup import quoted
from workflows.wording import count

USAGE_FORECAST = "/capacity forecast [skill]"
USAGE_BENCH = "/capacity bench"
USAGE_HEATMAP = "/capacity heatmap [skill]"


def register(app: App) -> None:
    """Nothing to attach: these verbs answer at once and have no forms or buttons."""


def show_forecast(ask: CommandAsk) -> None:
    """The next twelve weeks, for the workspace and each skill, or for the skill named."""
    skill = skill_named(ask.rest, USAGE_FORECAST)
    with ask.db.session() as session:
        view = forecast_view(session=session, actor=ask.actor, skill=skill, now=ask.clock())
    text, blocks = forecast_message(view)
    ask.respond(text=text, blocks=blocks)


def show_bench(ask: CommandAsk) -> None:
    """The people with little allocated over the next four weeks (PMO leads)."""
    if ask.rest:
        raise PmoError(f"The bench takes no more words: `{USAGE_BENCH}`.")
    with ask.db.session() as session:
        found = bench(session=session, actor=ask.actor, now=ask.clock())
    text, blocks = bench_message(found)
    ask.respond(text=text, blocks=blocks)


def send_heatmap(ask: CommandAsk) -> None:
    """The heat map, sent to the PMO lead who asked in their direct messages with the bot."""
    skill = skill_named(ask.rest, USAGE_HEATMAP)
    shared = ask.delivery.perform(partial(share_heat_map, actor=ask.actor, skill=skill))
    people = shared.heat_map.people
    ask.respond(
        text=f":frame_with_picture: The heat map of {count(people, 'person')} is on its way "
        "to your direct messages with me."
    )


def skill_named(text: str, usage: str) -> str | None:
    """The one skill tag in `text` (lower case), or None when there is none."""
    try:
        skills = parse_skills(text)
    except ValueError:
        raise PmoError(
            f"`{quoted(text.strip(), 40)}` is not a skill tag: use letters, digits and - "
            f"(e.g. `backend`). `{usage}`"
        ) from None
    if len(skills) > 1:
        raise PmoError(f"One skill at a time: `{usage}`.")
    return skills[0] if skills else None


VERBS: dict[str, Verb] = {
    "forecast": show_forecast,
    "bench": show_bench,
    "heatmap": send_heatmap,
}
