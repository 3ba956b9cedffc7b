"""The short form of `/pmo depends`.

/pmo depends                                              opens the form
/pmo depends KEY                                          what KEY waits on, who waits on it
/pmo depends KEY on OTHER "what it needs" by YYYY-MM-DD   KEY waits on OTHER's deliverable
/pmo depends KEY done N  (or drop N)                      dependency #N delivered (or dropped)

KEY can be left out in a project's home channel (`/pmo depends on HERMES …`). The
deliverable may be quoted with straight or curly quotes (Slack's clients type either).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from commands import payload
from commands.mrkdwn import quoted
from workflows.dependencies import USAGE_ADD
from workflows.errors import InvalidInput, PmoError

USAGE_CLOSE = "/pmo depends KEY done N"
OPENING_QUOTES = "\"“”'‘’"
CLOSING_QUOTES = {'"': '"“”', "“": '”"“', "”": '”"“', "'": "'’‘", "‘": "’'‘", "’": "’'‘"}
_ADD = re.compile(r"(?:(?P<key>\S+)\s+)?on\s+(?P<upstream>\S+)(?:\s+(?P<rest>.*))?", re.I | re.S)
_BY = re.compile(r"(?P<what>.*?)\s*\bby\s+(?P<date>\S+)", re.I | re.S)
# Strictly YYYY-MM-DD in ASCII digits: "next friday" and 2027-2-1 are not read as anything.
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
CLOSE_VERBS = {"done": "delivered", "delivered": "delivered", "drop": "dropped"}


class DependsAsk(StrEnum):
    """What the person asked `/pmo depends` for."""

    FORM = "form"
    LIST = "list"
    ADD = "add"
    DELIVERED = "delivered"
    DROPPED = "dropped"


@dataclass(frozen=True)
class DependsCommand:
    """`/pmo depends` text, understood."""

    kind: DependsAsk
    key: str = ""
    upstream: str = ""
    deliverable: str = ""
    need_by: date | None = None
    number: int | None = None


class BadDependsText(PmoError):
    """The text is not a form `/pmo depends` understands; the message shows the right ones."""

    def __init__(self, problem: str) -> None:
        super().__init__(f"{problem} `{USAGE_ADD}`, `/pmo depends KEY` or `{USAGE_CLOSE}`.")


def parse_depends_text(text: str) -> DependsCommand:
    """Read `/pmo depends` text. BadDependsText with the usage when it makes no sense;
    InvalidInput on `need_by` when the date is not one."""
    text = text.strip()
    words = text.split()
    if not words:
        return DependsCommand(DependsAsk.FORM)
    if len(words) == 1 and words[0].lower() != "on":
        return DependsCommand(DependsAsk.LIST, key=words[0])
    if len(words) == 3 and words[1].lower() in CLOSE_VERBS:
        number = payload.record_id(words[2].removeprefix("#"))
        if number is None:
            raise BadDependsText(f"`{quoted(words[2])}` is not a dependency's number.")
        kind = DependsAsk(CLOSE_VERBS[words[1].lower()])
        return DependsCommand(kind, key=words[0], number=number)
    found = _ADD.fullmatch(text)
    if found is None:
        raise BadDependsText("I don't understand that.")
    deliverable, need_by = _deliverable_and_date(found.group("rest") or "")
    return DependsCommand(
        DependsAsk.ADD,
        key=found.group("key") or "",
        upstream=found.group("upstream"),
        deliverable=deliverable,
        need_by=need_by,
    )


def _deliverable_and_date(rest: str) -> tuple[str, date | None]:
    # `"payment API" by 2027-02-01`: the quoted text (anything, "by" too), then the date.
    rest = rest.strip()
    if rest[:1] and rest[0] in OPENING_QUOTES:
        close = next(
            (n for n, c in enumerate(rest[1:], 1) if c in CLOSING_QUOTES.get(rest[0], rest[0])),
            None,
        )
        if close is None:
            raise BadDependsText("The deliverable's closing quote is missing.")
        what, after = rest[1:close], rest[close + 1 :].strip()
        if not after:
            return what, None
        by = _BY.fullmatch(after)
        if by is None or by.group("what"):
            raise BadDependsText(
                f"After the deliverable, I expected `by YYYY-MM-DD`, not `{quoted(after)}`."
            )
        return what, _need_date(by.group("date"))
    by = _BY.fullmatch(rest)
    if by is None:
        return rest, None
    return by.group("what"), _need_date(by.group("date"))


def _need_date(text: str) -> date:
    if _ISO_DATE.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise InvalidInput({"need_by": f"`{quoted(text)}` is not a date: give it as YYYY-MM-DD."})
