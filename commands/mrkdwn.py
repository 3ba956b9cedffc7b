"""Putting people's text into Slack messages safely, within Slack's limits."""

from __future__ import annotations

import re
from datetime import datetime

# Escaping and mentions are defined once, below commands/, for the rules' refusals too.
from workflows.markup import (
    channel,
    escape,
    is_channel_id,
    is_team_id,
    is_user_id,
    mention,
    mentions,
    quoted,
)
from workflows.wording import day

__all__ = [
    "CUT_NOTE",
    "USER_MENTION",
    "channel",
    "day",
    "escape",
    "fit",
    "is_channel_id",
    "is_team_id",
    "is_user_id",
    "mention",
    "mentions",
    "quoted",
    "user_ids_in",
]

CUT_NOTE = "… (cut to fit Slack)"
USER_MENTION = re.compile(r"<@([UW][A-Z0-9]{2,31})(?:\|[^>]*)?>")


def fit(text: str, limit: int, note: str = CUT_NOTE) -> str:
    """`text` cut to at most `limit` characters, ending with `note` when it was cut."""
    if len(text) <= limit:
        return text
    keep = max(limit - len(note), 0)
    # Never cut an escape such as &amp; in half.
    cut = text[:keep]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + note[: limit - len(cut)]


def user_ids_in(text: str) -> list[str]:
    """The user ids of the people @-mentioned in slash command text, in order."""
    return list(dict.fromkeys(USER_MENTION.findall(text)))


def when(moment: datetime) -> str:
    """A time Slack shows in each reader's own time zone."""
    fallback = f"{day(moment.date())} {moment:%H:%M} UTC"
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"
