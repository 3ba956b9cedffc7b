"""Someone wrote to the bot in its Messages tab (often a reply to a nudge): nobody reads
those, so they get a short help pointing to the commands that do what they want.

Quiet by design: at most one answer per person in any five minutes. Time is cut into
five-minute slots; the answer is stored in the outbox under the person's key for the
slot (so several messages in one slot, or Slack's retries, store one answer), and none
is given while an answer of the slot before exists. After an answer, the next one comes
five to ten minutes later at the earliest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from storage import sent_messages
from storage.workspaces import ensure_workspace
from workflows import message_keys
from workflows.outgoing import Outgoing

QUIET = timedelta(minutes=5)


@dataclass(frozen=True)
class BotHelp:
    """The short help for someone who wrote to the bot."""

    user_id: str


@dataclass(frozen=True)
class DirectMessageAnswer:
    """What writing to the bot causes: the help, or nothing while the bot keeps quiet."""

    messages: list[Outgoing] = field(default_factory=list)


def slot_start(now: datetime) -> datetime:
    """The start of the five-minute slot (counted from the Unix epoch, UTC) holding `now`."""
    seconds = int(QUIET.total_seconds())
    return datetime.fromtimestamp(int(now.timestamp()) // seconds * seconds, tz=UTC)


def answer_direct_message(
    *, session: Session, team_id: str, user_id: str, now: datetime
) -> DirectMessageAnswer:
    """The help for `user_id`, by direct message, unless they got one in this slot or the
    one before (see the module's rule)."""
    ensure_workspace(session=session, team_id=team_id)
    slot = slot_start(now)
    before = message_keys.bot_help(user_id, slot - QUIET)
    if sent_messages.exists(session=session, team_id=team_id, key=before):
        return DirectMessageAnswer()
    key = message_keys.bot_help(user_id, slot)
    return DirectMessageAnswer([Outgoing(team_id, key, user_id, BotHelp(user_id))])
