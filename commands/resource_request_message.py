"""How requests for people read in Slack: the card the PMO leads decide on, the replies
in its thread, the direct messages, and the list of open requests."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from commands import mrkdwn
from commands.capacity_message import hours, span
from storage.models import Project, RequestStatus, ResourceRequest
from workflows.resource_requests import (
    AssignmentNotice,
    Change,
    OpenRequests,
    RequestCard,
    RequestNotice,
    RequestReply,
    Suggestion,
    request_label,
)

ASSIGN_ACTION = "resource_request.assign"
PROPOSE_ACTION = "resource_request.propose"
DECLINE_ACTION = "resource_request.decline"
WITHDRAW_ACTION = "resource_request.withdraw"
SECTION_MAX = 3000
# Blocks of the open requests list: a header, one per request, and a line for the rest.
LISTED_MAX = 45

Rendered = tuple[str, list[dict[str, Any]]]

STATUS_WORDS = {
    RequestStatus.OPEN: "open",
    RequestStatus.ASSIGNED: "assigned",
    RequestStatus.DECLINED: "declined",
    RequestStatus.WITHDRAWN: "withdrawn",
}


def asked_for(request: ResourceRequest) -> str:
    """`*backend* · 20 h a week · 7 Dec to 29 Jan 2027`."""
    return (
        f"*{mrkdwn.escape(request.skill)}* · {hours(Decimal(request.hours_per_week))} a week · "
        f"{span(request.start_date, request.end_date)}"
    )


def suggestion_lines(found: list[Suggestion], request: ResourceRequest) -> str:
    """Who has the skill and the most free hours in the request's weeks, one a line."""
    if not found:
        return (
            f"Nobody on a project has the skill `{mrkdwn.escape(request.skill)}` and free "
            "hours in those weeks."
        )
    wanted = Decimal(request.hours_per_week)
    lines = []
    for suggestion in found:
        line = f"• {mrkdwn.mention(suggestion.user_id)} · {hours(suggestion.free_hours)} free"
        if suggestion.fits(wanted):
            line += f", at least {hours(suggestion.least_weekly)} every week :white_check_mark:"
        else:
            line += f", only {hours(suggestion.least_weekly)} in the tightest week"
        lines.append(line)
    return "\n".join(lines)


def request_card(card: RequestCard) -> Rendered:
    """The request as the PMO leads see it: what is asked, suggestions and buttons while
    open, the outcome once decided."""
    request, project = card.request, card.project
    label = request_label(request, project)
    status = RequestStatus(request.status)
    blocks: list[Any] = [
        HeaderBlock(text=mrkdwn.fit(f"{label} · {request.skill}", 150)),
        SectionBlock(
            text=f"{mrkdwn.mention(request.requested_by)} asks for someone on *{project.key}* "
            f"({mrkdwn.fit(mrkdwn.escape(project.name), 200)}):\n{asked_for(request)}"
        ),
    ]
    if request.note:
        note = f"*Note*\n{mrkdwn.escape(request.note)}"
        blocks.append(SectionBlock(text=mrkdwn.fit(note, SECTION_MAX)))
    if request.proposed:
        blocks.append(
            SectionBlock(text=f"*Proposed instead:* {mrkdwn.mentions(request.proposed[-10:])}")
        )
    if status == RequestStatus.OPEN:
        lines = suggestion_lines(card.suggestions, request)
        text = f"*Suggestions* (free hours in those weeks, most free first)\n{lines}"
        blocks.append(SectionBlock(text=mrkdwn.fit(text, SECTION_MAX)))
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=_state(request))]))
    if status == RequestStatus.OPEN:
        value = str(request.id)
        blocks.append(
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text="Assign", action_id=ASSIGN_ACTION, value=value, style="primary"
                    ),
                    ButtonElement(
                        text="Propose someone else", action_id=PROPOSE_ACTION, value=value
                    ),
                    ButtonElement(
                        text="Decline", action_id=DECLINE_ACTION, value=value, style="danger"
                    ),
                ]
            )
        )
    text = (
        f"{label}: someone with {request.skill} for {project.key}, "
        f"{hours(Decimal(request.hours_per_week))} a week ({STATUS_WORDS[status]})"
    )
    return text, [block.to_dict() for block in blocks]


def _state(request: ResourceRequest) -> str:
    by = mrkdwn.mention(request.decided_by)
    when = f" {mrkdwn.when(request.decided_at)}" if request.decided_at else ""
    status = RequestStatus(request.status)
    if status == RequestStatus.ASSIGNED:
        return f":white_check_mark: Assigned to {mrkdwn.mention(request.assigned_to)} by {by}{when}"
    if status == RequestStatus.DECLINED:
        reason = mrkdwn.fit(mrkdwn.escape(request.reason), 1500)
        return f":no_entry: Declined by {by}{when}: {reason}"
    if status == RequestStatus.WITHDRAWN:
        return f":wastebasket: Withdrawn by {by}{when}"
    return f":hourglass_flowing_sand: Open · asked {mrkdwn.when(request.requested_at)}"


def change_reply(reply: RequestReply) -> Rendered:
    """The reply in the card's thread saying what changed (text only)."""
    by, person = mrkdwn.mention(reply.by), mrkdwn.mention(reply.person)
    words = mrkdwn.fit(mrkdwn.escape(reply.words), 2500)
    request, project = reply.request, reply.project
    text = {
        Change.ASSIGNED: (
            f":white_check_mark: {by} assigned {person}: "
            f"{hours(Decimal(request.hours_per_week))} a week on {project.key}, "
            f"{span(request.start_date, request.end_date)}."
        ),
        Change.PROPOSED: f":bust_in_silhouette: {by} proposes {person} instead"
        + (f": {words}" if words else "."),
        Change.DECLINED: f":no_entry: {by} declined it: {words}",
        Change.WITHDRAWN: f":wastebasket: {by} withdrew it.",
    }[reply.change]
    return text, []


def change_notice(notice: RequestNotice) -> Rendered:
    """The direct message telling the PM who asked what became of it (text only); `{link}`
    becomes the card's permalink when it is in a channel."""
    by, person = mrkdwn.mention(notice.by), mrkdwn.mention(notice.person)
    words = mrkdwn.fit(mrkdwn.escape(notice.words), 2500)
    label = request_label(notice.request, notice.project)
    yours = f"your request {label} ({_plain_ask(notice.request)})"
    text = {
        Change.ASSIGNED: (
            f":white_check_mark: {by} assigned {person} to {yours}: they are allocated to "
            f"{notice.project.key}."
        ),
        Change.PROPOSED: f":bust_in_silhouette: {by} proposes {person} for {yours} instead"
        + (f": {words}" if words else ".")
        + f" The request stays open: talk it over with {by}.",
        Change.DECLINED: f":no_entry: {by} declined {yours}: {words}",
        Change.WITHDRAWN: f":wastebasket: {by} withdrew {yours}.",
    }[notice.change]
    if notice.linked:
        text += " The request: {link}"
    return text, []


def assignment_notice(notice: AssignmentNotice) -> Rendered:
    """The direct message telling the person they were assigned (text only)."""
    request, project = notice.request, notice.project
    text = (
        f":calendar: {mrkdwn.mention(notice.by)} assigned you to *{project.key}* "
        f"({mrkdwn.escape(project.name)}) as *{mrkdwn.escape(request.skill)}*: "
        f"{hours(Decimal(request.hours_per_week))} a week, "
        f"{span(request.start_date, request.end_date)}, at "
        f"{mrkdwn.mention(request.requested_by)}'s request. `/capacity` shows your load."
    )
    return text, []


def _plain_ask(request: ResourceRequest) -> str:
    return (
        f"{mrkdwn.escape(request.skill)}, {hours(Decimal(request.hours_per_week))} a week, "
        f"{span(request.start_date, request.end_date)}"
    )


def open_requests_blocks(listed: OpenRequests, *, viewer: str) -> list[dict[str, Any]]:
    """`/capacity requests`: the open requests, oldest first, with their age and project;
    the viewer's own can be withdrawn from here."""
    if not listed.rows:
        text = "No open requests for people. `/capacity request` asks for someone."
        return [SectionBlock(text=text).to_dict()]
    blocks: list[Any] = [HeaderBlock(text=f"Open requests for people ({len(listed.rows)})")]
    for request, project in listed.rows[:LISTED_MAX]:
        blocks.append(_listed(request, project, listed.now, viewer))
    if len(listed.rows) > LISTED_MAX:
        more = len(listed.rows) - LISTED_MAX
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=f"… and {more} more.")]))
    return [block.to_dict() for block in blocks]


def _listed(request: ResourceRequest, project: Project, now: datetime, viewer: str) -> Any:
    text = (
        f"*{request_label(request, project)}* · {asked_for(request)}\n"
        f"for *{project.key}* ({mrkdwn.fit(mrkdwn.escape(project.name), 200)}), asked by "
        f"{mrkdwn.mention(request.requested_by)} {age(request.requested_at, now)}"
    )
    if request.proposed:
        text += f" · proposed: {mrkdwn.mentions(request.proposed[-3:])}"
    withdraw = None
    if request.requested_by == viewer:
        withdraw = ButtonElement(text="Withdraw", action_id=WITHDRAW_ACTION, value=str(request.id))
    return SectionBlock(text=mrkdwn.fit(text, SECTION_MAX), accessory=withdraw)


def age(since: datetime, now: datetime) -> str:
    """`today`, `yesterday`, `3 days ago`."""
    days = max((now - since).days, 0)
    return {0: "today", 1: "yesterday"}.get(days, f"{days} days ago")
