"""The short form of `/risk`.

/risk                           opens the form
/risk [KEY] p4 i5 title         raises a risk (probability 4, impact 5)
/risk list [KEY]                the project's open risks and issues by score
/risk mine                      the open ones you own
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from commands.mrkdwn import quoted
from workflows.errors import PmoError

USAGE = "/risk [KEY] p4 i5 what might happen"
# ASCII digits: \d (and int()) would also read Arabic-Indic and other digits.
_SCORE = re.compile(r"^([pPiI])([0-9]{1,3})$")


class RiskAsk(StrEnum):
    """What the person asked `/risk` for."""

    FORM = "form"
    RAISE = "raise"
    LIST = "list"
    MINE = "mine"


@dataclass(frozen=True)
class RiskCommand:
    """`/risk` text, understood."""

    kind: RiskAsk
    key: str | None = None
    probability: int | None = None
    impact: int | None = None
    title: str = ""


class BadRiskText(PmoError):
    """The text is not a form `/risk` understands; the message shows the right one."""


def parse_risk_text(text: str) -> RiskCommand:
    """Read `/risk` text; raises BadRiskText with the usage when it makes no sense."""
    words = text.split()
    if not words:
        return RiskCommand(RiskAsk.FORM)
    verb = words[0].lower()
    if verb == "list" and len(words) <= 2:
        return RiskCommand(RiskAsk.LIST, key=words[1] if len(words) == 2 else None)
    if verb == "mine" and len(words) == 1:
        return RiskCommand(RiskAsk.MINE)
    key = None if _SCORE.match(words[0]) else words[0]
    rest = words[1:] if key else words
    scores: dict[str, int] = {}
    while rest and _SCORE.match(rest[0]) and len(scores) < 2:
        match = _SCORE.match(rest[0])
        assert match is not None
        letter, value = match[1].lower(), int(match[2])
        if letter in scores:
            break
        if not 1 <= value <= 5:
            raise BadRiskText(
                f"`{quoted(rest[0])}`: probability and impact go from 1 to 5. `{USAGE}`"
            )
        scores[letter] = value
        rest = rest[1:]
    if set(scores) != {"p", "i"}:
        raise BadRiskText(f"Give a probability and an impact from 1 to 5: `{USAGE}`")
    if not rest:
        raise BadRiskText(f"Add a title, what might happen: `{USAGE}`")
    title = text.split(None, len(words) - len(rest))[-1].strip()
    return RiskCommand(
        RiskAsk.RAISE, key=key, probability=scores["p"], impact=scores["i"], title=title
    )
