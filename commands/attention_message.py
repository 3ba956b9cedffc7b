"""How a project that needs attention reads: one line, its most severe reason first, each
reason saying how long it has been so. The digest and the leaders' Home tab both use it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from commands import mrkdwn
from commands.dependency_message import reach_words
from commands.risk_message import severity_text
from workflows.attention import (
    AttentionItem,
    Colour,
    Concern,
    FirstUpdate,
    Flagged,
    GateOverdue,
    NoUpdate,
    OverBudget,
    PastTarget,
    Reason,
    RiskUnattended,
    Threatened,
    Unacknowledged,
)
from workflows.dependency_threats import ThreatKind
from workflows.money import format_money
from workflows.wording import count

QUOTE_MAX = 120
CONCERN_EMOJI = {
    Concern.OFF_TRACK: ":red_circle:",
    Concern.NO_UPDATE: ":black_circle:",
    Concern.AT_RISK: ":large_yellow_circle:",
    Concern.PAST_TARGET: ":calendar:",
    Concern.OVER_BUDGET: ":moneybag:",
    Concern.DEPENDENCY: ":link:",
    Concern.FLAGGED_GREEN: ":triangular_flag_on_post:",
    Concern.GATE_OVERDUE: ":hourglass:",
    Concern.RISK_UNATTENDED: ":warning:",
    Concern.UNACKNOWLEDGED: ":eyes:",
    Concern.FIRST_UPDATE: ":information_source:",
}


def attention_line(item: AttentionItem, today: date) -> str:
    """`:red_circle: *APOLLO* Apollo launch · PM @pm: off track for 3 weeks …; …` (mrkdwn,
    user text escaped; days as `Wed 18 Nov 2026`)."""
    project = item.project
    emoji = CONCERN_EMOJI[item.reasons[0].concern]
    pm = f" · PM {mrkdwn.mention(item.pm)}" if item.pm else ""
    reasons = "; ".join(reason_text(reason, today) for reason in item.reasons)
    return f"{emoji} *{project.key}* {mrkdwn.escape(project.name)}{pm}: {reasons}"


def reason_text(reason: Reason, today: date) -> str:
    """One reason in words, with how long it has been so."""
    return WORDS[type(reason)](reason, mrkdwn.day)


# How a reason writes a day: mrkdwn.day, the one way days read in Slack.
_Dates = Callable[[date], str]


def lasting(days: int) -> str:
    """`for 3 weeks`, `for 4 days`, `since today`."""
    return f"for {_span(days)}" if days > 0 else "since today"


def _ago(days: int) -> str:
    return f"{_span(days)} ago" if days > 0 else "today"


def _span(days: int) -> str:
    # Days for the first week, whole weeks after that.
    if days < 7:
        return count(days, "day")
    return count(days // 7, "week")


def _colour(reason: Colour, day: _Dates) -> str:
    since = f" (since {day(reason.since)})" if reason.days > 0 else ""
    words = f"{reason.rag.label.lower()} {lasting(reason.days)}{since}"
    path = reason.path_to_green.strip()
    return f"{words}, path to green: “{mrkdwn.quoted(path, QUOTE_MAX)}”" if path else words


def _flagged(reason: Flagged, day: _Dates) -> str:
    flags = ", ".join(mrkdwn.escape(flag) for flag in reason.flags) or "flagged"
    return f"flagged green {lasting(reason.days)}: {flags}"


def _past_target(reason: PastTarget, day: _Dates) -> str:
    return (
        f"target date {day(reason.since)} passed {_ago(reason.days)}, "
        f"still in {mrkdwn.escape(reason.phase)}"
    )


def _over_budget(reason: OverBudget, day: _Dates) -> str:
    return (
        f"forecast {format_money(reason.forecast)} over its budget of "
        f"{format_money(reason.budget)} {lasting(reason.days)}"
    )


def _no_update(reason: NoUpdate, day: _Dates) -> str:
    due = f"due {day(reason.due)}"
    if reason.last_update is None:
        return f"never reported, created {_ago(reason.days)}; {due}"
    return f"no update {lasting(reason.days)}, {due} (last {day(reason.last_update)})"


def _gate_overdue(reason: GateOverdue, day: _Dates) -> str:
    gate = reason.gate
    waiting = f", waiting for {mrkdwn.mentions(reason.waiting)}" if reason.waiting else ""
    sla = count(gate.sla_days, "working day")
    return (
        f"gate {reason.label} {mrkdwn.escape(gate.from_phase)} → {mrkdwn.escape(gate.to_phase)} "
        f"overdue since {day(reason.since)} (SLA {sla}){waiting}"
    )


def _risk_unattended(reason: RiskUnattended, day: _Dates) -> str:
    risk = reason.risk
    title = mrkdwn.quoted(risk.title, QUOTE_MAX)
    what = f"{reason.label} “{title}” ({severity_text(risk, reason.band)})"
    # `days` counts from when it was raised when it has no owner, else from its review date.
    problems = [f"has no owner {lasting(reason.days)}"] if reason.unowned else []
    if reason.review_date is not None:
        late = "" if reason.unowned else f" {lasting(reason.days)}"
        problems.append(f"is past its review date {day(reason.review_date)}{late}")
    return f"{what} {' and '.join(problems)}"


def _unacknowledged(reason: Unacknowledged, day: _Dates) -> str:
    return (
        f"its {reason.rag.value} update of {day(reason.since)} is not acknowledged "
        f"by its sponsor or a leader ({_ago(reason.days)})"
    )


def _threatened(reason: Threatened, day: _Dates) -> str:
    reach = reason.reach
    words = reach_words(reach, day)
    text = f"dependency in danger{':' if reach.hops == 1 else ''} {words}"
    colour = reach.threat.kind == ThreatKind.COLOUR
    return f"{text} {lasting(reason.days)}" if colour and reason.days > 0 else text


def _first_update(reason: FirstUpdate, day: _Dates) -> str:
    return f"new project, first update due {day(reason.due)}"


WORDS: dict[type, Callable[[Any, _Dates], str]] = {
    Colour: _colour,
    Flagged: _flagged,
    PastTarget: _past_target,
    OverBudget: _over_budget,
    NoUpdate: _no_update,
    GateOverdue: _gate_overdue,
    RiskUnattended: _risk_unattended,
    Unacknowledged: _unacknowledged,
    Threatened: _threatened,
    FirstUpdate: _first_update,
}
