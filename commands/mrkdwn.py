"""Putting people's text into Slack messages safely, within Slack's limits."""

from __future__ import annotations

import re
from datetime import date

# What Slack's own docs say must be escaped in mrkdwn: & < >.
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
CUT_NOTE = "… (cut to fit Slack)"
USER_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


def escape(text: str) -> str:
    """User text that shows as typed: no pings, links or channel-wide alerts."""
    return text.translate(_ESCAPES)


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


def mention(user_id: str | None) -> str:
    """A person as Slack shows them, or a dash when there is nobody."""
    return f"<@{user_id}>" if user_id else "—"


def mentions(user_ids: list[str]) -> str:
    """Several people, comma-separated, or a dash."""
    return ", ".join(mention(u) for u in user_ids) if user_ids else "—"


def channel(channel_id: str | None) -> str:
    """A channel as a link, or a dash."""
    return f"<#{channel_id}>" if channel_id else "—"


def day(value: date | None) -> str:
    """A date as people read it: 2026-11-25 becomes Wed 25 Nov 2026."""
    return value.strftime("%a %-d %b %Y") if value else "—"


def user_ids_in(text: str) -> list[str]:
    """The user ids of the people @-mentioned in slash command text, in order."""
    return list(dict.fromkeys(USER_MENTION.findall(text)))
