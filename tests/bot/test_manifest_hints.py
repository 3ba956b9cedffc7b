"""The manifest's usage hints name every verb of the commands that have them."""

from __future__ import annotations

from bot.manifest import SLASH_COMMANDS
from commands import pmo


def hint(command: str) -> str:
    return next(usage for name, _, usage in SLASH_COMMANDS if name == command)


def test_the_pmo_hint_lists_every_pmo_verb():
    words = set(hint("/pmo").replace("|", " ").split())
    assert {verb for verb in pmo.VERBS if verb} - words == set()


def test_the_gate_hint_lists_history_and_withdraw():
    assert {"history", "withdraw"} <= set(hint("/gate").replace("|", " ").split())


def test_every_hint_fits_slack():
    # Slack's manifest allows a usage hint of at most 1,000 characters.
    assert all(len(usage) <= 1000 for _, _, usage in SLASH_COMMANDS)
