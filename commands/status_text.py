"""The short form of `/status`, for people who type faster than they click.

/status                              opens the form
/status KEY                          shows the last update
/status history [KEY]                the last 10 updates as a trend
/status [KEY] green|amber|red|hold summary [path: what brings it back]
                                     [capacity: enough|stretched|short]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from commands.mrkdwn import quoted
from storage.models import Rag, TeamCapacity
from workflows.errors import PmoError

RAG_WORDS = {
    "green": Rag.GREEN,
    "g": Rag.GREEN,
    "amber": Rag.AMBER,
    "yellow": Rag.AMBER,
    "a": Rag.AMBER,
    "red": Rag.RED,
    "r": Rag.RED,
    "hold": Rag.HOLD,
    "h": Rag.HOLD,
}
PATH_MARKER = re.compile(r"(?:^|\s)path(?: to green)?\s*:\s*", re.IGNORECASE)
# The team's capacity for the next two weeks, anywhere after the colour: `capacity: short`.
CAPACITY_MARKER = re.compile(r"(?:^|\s)(?:team )?capacity\s*:\s*(\S*)", re.IGNORECASE)
CAPACITY_WORDS = {capacity.value: capacity for capacity in TeamCapacity}
USAGE = "/status [KEY] green|amber|red|hold what happened [path: how it gets back on track]"
CAPACITY_USAGE = "capacity: enough|stretched|short"


class Kind(StrEnum):
    """What the person asked `/status` for."""

    FORM = "form"
    SHOW = "show"
    HISTORY = "history"
    POST = "post"


@dataclass(frozen=True)
class StatusCommand:
    """`/status` text, understood."""

    kind: Kind
    key: str | None = None
    rag: Rag | None = None
    summary: str = ""
    path_to_green: str | None = None
    team_capacity: TeamCapacity | None = None


class BadStatusText(PmoError):
    """The text is not a form `/status` understands; the message shows the right one."""


def parse_status_text(text: str) -> StatusCommand:
    """Read `/status` text; raises BadStatusText with the usage when it makes no sense."""
    words = text.split()
    if not words:
        return StatusCommand(Kind.FORM)
    first = words[0]
    if first.lower() == "history" and len(words) <= 2:
        return StatusCommand(Kind.HISTORY, key=words[1] if len(words) == 2 else None)
    rag_at = 0 if first.lower() in RAG_WORDS else 1
    # "/status RED green ..." is project RED: a colour word followed by another is a key.
    if rag_at == 0 and len(words) > 1 and words[1].lower() in RAG_WORDS:
        rag_at = 1
    key = words[0] if rag_at == 1 else None
    if len(words) <= rag_at:
        return StatusCommand(Kind.SHOW, key=key)
    rag = RAG_WORDS.get(words[rag_at].lower())
    if rag is None:
        raise BadStatusText(
            f"“{quoted(words[rag_at])}” is not a status. Write `{USAGE}`, or `/status` alone "
            "for the form."
        )
    rest = text.split(None, rag_at + 1)[rag_at + 1] if len(words) > rag_at + 1 else ""
    rest, capacity = _split_capacity(rest)
    summary, path = _split_path(rest)
    if not summary:
        raise BadStatusText(f"Add a line on what happened: `{USAGE}`.")
    return StatusCommand(Kind.POST, key, rag, summary, path, capacity)


def _split_capacity(text: str) -> tuple[str, TeamCapacity | None]:
    # The text without its `capacity: …`, and what it says (refused unless a known word).
    match = CAPACITY_MARKER.search(text)
    if match is None:
        return text, None
    word = match.group(1).rstrip(".,;").lower()
    capacity = CAPACITY_WORDS.get(word)
    if capacity is None:
        raise BadStatusText(
            f"“{quoted(word or '…')}” is not a team capacity: write `{CAPACITY_USAGE}` "
            f"after the summary, as in `{USAGE} [{CAPACITY_USAGE}]`."
        )
    return f"{text[: match.start()].rstrip()} {text[match.end() :].lstrip()}".strip(), capacity


def _split_path(text: str) -> tuple[str, str | None]:
    match = PATH_MARKER.search(text)
    if match is None:
        return text.strip(), None
    return text[: match.start()].strip(), text[match.end() :].strip() or None
