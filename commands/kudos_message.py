"""How kudos read in Slack: the public thank-you and the word to each person thanked."""

from __future__ import annotations

from typing import Any

from commands import mrkdwn
from storage.models import Kudos
from workflows.kudos import KudosThanks


def thanks_text(kudos: Kudos) -> str:
    """`:clap: <@giver> thanks <@ana> and <@ben>: for …` (their words escaped)."""
    names = [mrkdwn.mention(user) for user in kudos.receivers]
    who = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    reason = mrkdwn.escape(kudos.reason)
    joined = f" {reason}" if kudos.reason.lower().startswith("for ") else f": {reason}"
    return mrkdwn.fit(f":clap: {mrkdwn.mention(kudos.giver)} thanks {who}{joined}", 3000)


def thanked_you(thanks: KudosThanks) -> tuple[str, list[dict[str, Any]]]:
    """The direct message to a person thanked: who, and for what (text only)."""
    kudos = thanks.kudos
    text = (
        f":sparkles: {mrkdwn.mention(kudos.giver)} thanked you: "
        f"{mrkdwn.fit(mrkdwn.escape(kudos.reason), 2500)}"
    )
    return text, []
