"""(being built)"""

from __future__ import annotations

from slack_bolt import App

from commands.command_ask import Verb

VERBS: dict[str, Verb] = {}


def register(app: App) -> None:
    """Attach this part's forms and buttons."""
