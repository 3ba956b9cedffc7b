"""(being built)"""

from __future__ import annotations

from slack_bolt import App

from commands.command_ask import CommandAsk, Verb

VERBS: dict[str, Verb] = {}


def register(app: App) -> None:
    """Attach this part's forms and buttons."""


def my_actions(ask: CommandAsk) -> None:
    """(being built)"""
    ask.respond(text="(being built)")
