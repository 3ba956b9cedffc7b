"""Slack's markup in what pmo-bot says: people's text escaped, and people and channels
named only from ids of the shape Slack gives them.

The rules' own refusals name people (`Ask <@U123>`), so this lives below commands/; the
Block Kit builders use the same functions through commands/mrkdwn.py.
"""

from __future__ import annotations

import re
from typing import TypeGuard

# Slack's ids: a letter saying what it is, then capitals and digits. 32 is what we store.
USER_ID = re.compile(r"[UW][A-Z0-9]{2,31}")
CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{2,31}")
TEAM_ID = re.compile(r"[TE][A-Z0-9]{2,31}")
# What Slack's own docs say must be escaped in mrkdwn: & < >.
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
QUOTE_MAX = 40


def is_user_id(value: object) -> TypeGuard[str]:
    """A Slack user id such as U012AB3CD (W… on Enterprise Grid)."""
    return isinstance(value, str) and USER_ID.fullmatch(value) is not None


def is_channel_id(value: object) -> TypeGuard[str]:
    """A Slack conversation id: a channel (C…), a private channel or group DM (G…), a DM (D…)."""
    return isinstance(value, str) and CHANNEL_ID.fullmatch(value) is not None


def is_team_id(value: object) -> TypeGuard[str]:
    """A Slack workspace id (T…), or an Enterprise Grid organization's (E…)."""
    return isinstance(value, str) and TEAM_ID.fullmatch(value) is not None


def escape(text: str) -> str:
    """User text that shows as typed: no pings, links or channel-wide alerts."""
    return text.translate(_ESCAPES)


def unescape(text: str) -> str:
    """mrkdwn back to plain text, for the places Slack shows as typed (inline form errors)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def quoted(text: str, limit: int = QUOTE_MAX) -> str:
    """What someone typed, echoed back to them: escaped, and cut if it is long."""
    return escape(text if len(text) <= limit else text[: limit - 1] + "…")


def mention(user_id: str | None) -> str:
    """A person as Slack shows them, or a dash when there is nobody.

    Only a well-formed id becomes a mention: anything else is shown as the text it is,
    so a stored `U<!channel>` pings nobody.
    """
    if not user_id:
        return "—"
    return f"<@{user_id}>" if is_user_id(user_id) else quoted(user_id)


def mentions(user_ids: list[str], *, joiner: str = ", ") -> str:
    """Several people, comma-separated (or joined by `joiner`), or a dash."""
    return joiner.join(mention(u) for u in user_ids) if user_ids else "—"


def channel(channel_id: str | None) -> str:
    """A channel as a link, or a dash; a malformed id shows as text, never as markup."""
    if not channel_id:
        return "—"
    return f"<#{channel_id}>" if is_channel_id(channel_id) else quoted(channel_id)
