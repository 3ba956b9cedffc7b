"""(being built)"""

from __future__ import annotations

from slack_bolt import App

from commands.capacity_ask import CapacityAsk, Verb

VERBS: dict[str, Verb] = {}


def register(app: App) -> None:
    """Attach this part's forms and buttons."""


def my_load(ask: CapacityAsk) -> None:
    """Your load for the next weeks."""
    ask.respond(text="(being built)")


def project_team(ask: CapacityAsk) -> None:
    """A project's team and load."""
    ask.respond(text="(being built)")
