"""The short form of `/risk`.

/risk                           opens the form
/risk [KEY] p4 i5 title         raises a risk (probability 4, impact 5)
/risk assume [KEY] text         records an assumption
/risk decide [KEY] text         records a decision you made
/risk list [KEY] [kind] [open|closed|all] [owner @x] [min score N]
                                the project's entries by score, filtered
/risk mine                      the open ones you own
/risk heatmap [KEY]             the heat map of a project (or the portfolio) to your DMs
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from commands.mrkdwn import USER_MENTION, quoted
from storage.models import RiskKind
from workflows.errors import PmoError
from workflows.risk_views import STATES, RiskFilter

USAGE = "/risk [KEY] p4 i5 what might happen"
LIST_USAGE = (
    "/risk list [KEY] [risk|issue|assumption|decision] [open|closed|all] [owner @x] [min score N]"
)
RECORD_USAGE = {
    RiskKind.ASSUMPTION: "/risk assume [KEY] what you take as true",
    RiskKind.DECISION: "/risk decide [KEY] what was decided",
}
HEATMAP_USAGE = "/risk heatmap [KEY]"
# A project key as typed before a one-liner's text: capitals and digits (APOLLO, HR2).
_KEY = re.compile(r"^[A-Z0-9]{2,10}$")
_KIND_WORDS = {word: kind for kind in RiskKind for word in (kind.value, f"{kind.value}s")}
SCORE_MAX = 25
# ASCII digits: \d (and int()) would also read Arabic-Indic and other digits.
_SCORE = re.compile(r"^([pPiI])([0-9]{1,3})$")


class RiskAsk(StrEnum):
    """What the person asked `/risk` for."""

    FORM = "form"
    RAISE = "raise"
    LIST = "list"
    MINE = "mine"
    RECORD = "record"
    HEATMAP = "heatmap"


@dataclass(frozen=True)
class RiskCommand:
    """`/risk` text, understood."""

    kind: RiskAsk
    key: str | None = None
    probability: int | None = None
    impact: int | None = None
    title: str = ""
    # An assumption or decision to record; the filters of a list.
    entry_kind: RiskKind | None = None
    wanted: RiskFilter | None = None


class BadRiskText(PmoError):
    """The text is not a form `/risk` understands; the message shows the right one."""


def parse_risk_text(text: str) -> RiskCommand:
    """Read `/risk` text; raises BadRiskText with the usage when it makes no sense."""
    words = text.split()
    if not words:
        return RiskCommand(RiskAsk.FORM)
    verb = words[0].lower()
    if verb == "list":
        return _parse_list(text)
    if verb == "mine" and len(words) == 1:
        return RiskCommand(RiskAsk.MINE)
    if verb in ("assume", "decide"):
        return _parse_record(text, RiskKind.ASSUMPTION if verb == "assume" else RiskKind.DECISION)
    if verb == "heatmap":
        if len(words) > 2 or (len(words) == 2 and not _KEY.match(words[1].upper())):
            raise BadRiskText(f"One project key at most: `{HEATMAP_USAGE}`")
        return RiskCommand(RiskAsk.HEATMAP, key=words[1] if len(words) == 2 else None)
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


def _parse_record(text: str, kind: RiskKind) -> RiskCommand:
    # `assume [KEY] text`: a key is a first word in capitals, followed by more text.
    words = text.split()[1:]
    key = words[0] if len(words) > 1 and _KEY.match(words[0]) else None
    skip = 2 if key else 1
    title = text.split(None, skip)[skip].strip() if len(text.split()) > skip else ""
    if not title:
        raise BadRiskText(f"Say what to record: `{RECORD_USAGE[kind]}`")
    return RiskCommand(RiskAsk.RECORD, key=key, title=title, entry_kind=kind)


def _parse_list(text: str) -> RiskCommand:
    # Mentions first, so a display name with spaces stays one word: `<@U1|Mo M>` -> `@U1`.
    words = USER_MENTION.sub(lambda m: f"@{m[1]}", text).split()[1:]
    key, kinds, state, owner, min_score = None, [], None, None, 0
    index = 0
    while index < len(words):
        word, lowered = words[index], words[index].lower()
        following = words[index + 1 :]
        if lowered in _KIND_WORDS and _KIND_WORDS[lowered] not in kinds:
            kinds.append(_KIND_WORDS[lowered])
        elif lowered in STATES and state is None:
            state = lowered
        elif lowered == "owner" and owner is None and following and following[0].startswith("@"):
            owner, index = following[0][1:], index + 1
        elif lowered == "min" and min_score == 0 and _score_after(following):
            min_score, index = int(following[1]), index + 2
        elif index == 0 and _KEY.match(word.upper()):
            key = word
        else:
            raise BadRiskText(f"`{quoted(word, 40)}` is not a filter I know: `{LIST_USAGE}`")
        index += 1
    wanted = RiskFilter(tuple(kinds), state or "open", owner, min_score)
    return RiskCommand(RiskAsk.LIST, key=key, wanted=wanted)


def _score_after(words: list[str]) -> bool:
    # `min score N`, N a score from 1 to 25 in ASCII digits.
    return (
        len(words) >= 2
        and words[0].lower() == "score"
        and re.fullmatch(r"[0-9]{1,2}", words[1]) is not None
        and 1 <= int(words[1]) <= SCORE_MAX
    )
