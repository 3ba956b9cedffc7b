"""Outbox keys: one function per kind of message, so each message is stored (and sent) once.

A key names what the message is about and, for a recurring one, its period; the outbox
refuses a second message under the same key in a workspace. Keys of messages that edit
or answer another (`update_key`, `thread_key`, `link_key`) are built here too.
"""

from __future__ import annotations

from datetime import date, datetime


def status_posted(update_id: int) -> str:
    """The channel post of a status update."""
    return f"status:{update_id}:posted"


def status_retired(update_id: int) -> str:
    """The edit that marks an update's post as replaced by a newer one."""
    return f"status:{update_id}:retired"


def status_acknowledged(update_id: int, version: int) -> str:
    """An edit of an update's post showing its acknowledgements, `version` counting each
    acknowledgement or new comment."""
    return f"status:{update_id}:ack:v{version}"


def status_acknowledgement_told(update_id: int, version: int, user_id: str) -> str:
    """The direct message telling the PM (or the update's author) of an acknowledgement."""
    return f"status:{update_id}:ack:v{version}:dm:{user_id}"


def risk_posted(risk_id: int) -> str:
    """A risk's card in the project channel."""
    return f"risk:{risk_id}:posted"


def risk_escalated(risk_id: int, user_id: str) -> str:
    """The direct message telling a sponsor or PM of a high or critical risk."""
    return f"risk:{risk_id}:escalated:{user_id}"


def risk_rescored_escalated(risk_id: int, band: str, user_id: str) -> str:
    """The direct message telling a sponsor or PM that a re-score made a risk high or
    critical: once per risk, band and person."""
    return f"risk:{risk_id}:escalated:{band}:{user_id}"


def risk_heatmap(user_id: str, now: datetime) -> str:
    """The risk heat map someone asked for with `/risk heatmap`, at that moment."""
    return f"risk:heatmap:{user_id}:{now.isoformat()}"


def risk_card_version(risk_id: int, version: int) -> str:
    """An edit of a risk's card after a change."""
    return f"risk:{risk_id}:v{version}"


def gate_request(gate_id: int) -> str:
    """A gate request's post, whose thread holds the decisions."""
    return f"gate:{gate_id}:request"


def gate_ask(gate_id: int, approver: str) -> str:
    """The direct message asking an approver to decide."""
    return f"gate:{gate_id}:ask:{approver}"


def gate_card_version(gate_id: int, version: int) -> str:
    """An edit of the gate request's post after a decision."""
    return f"gate:{gate_id}:v{version}"


def gate_decision(gate_id: int, approver: str) -> str:
    """An approver's decision, as a reply in the gate's thread."""
    return f"gate:{gate_id}:decision:{approver}"


def gate_outcome(gate_id: int) -> str:
    """The thread reply saying how the gate ended."""
    return f"gate:{gate_id}:outcome"


def gate_sponsor_told(gate_id: int, sponsor: str) -> str:
    """The direct message telling a sponsor how the gate ended."""
    return f"gate:{gate_id}:sponsor:{sponsor}"


def gate_requester_told(gate_id: int) -> str:
    """The direct message telling the requester how the gate ended."""
    return f"gate:{gate_id}:requester"


def kudos_thanks(kudos_id: int, user_id: str) -> str:
    """The direct message telling a person they were thanked."""
    return f"kudos:{kudos_id}:dm:{user_id}"


def project_announced(project_id: int, verb: str, at: datetime) -> str:
    """A project's card posted when it is created or changed (each change its own post)."""
    return f"project:{project_id}:{verb}:{at.isoformat()}"


def digest(team_id: str, period: str) -> str:
    """A workspace's digest for one period, in its digest channel (or first recipient)."""
    return f"digest:{team_id}:{period}"


def digest_copy(digest_key: str, recipient: str) -> str:
    """A leader's own copy of the digest, by direct message."""
    return f"{digest_key}:dm:{recipient}"


def digest_chart(digest_key: str) -> str:
    """The digest's chart, shared in the thread of the digest (or of a leader's copy)."""
    return f"{digest_key}:chart"


def continuation(first_key: str, part: int) -> str:
    """Part 2, 3, … of a message too long for one, posted in the first part's thread."""
    return f"{first_key}:part{part}"


def nudge_status(project_id: int, period: str) -> str:
    """The PM's reminder that a status update is due for `period`."""
    return f"nudge:status:{project_id}:{period}"


def nudge_status_prefix(project_id: int) -> str:
    """What every status reminder of a project starts with."""
    return f"nudge:status:{project_id}:"


def nudge_status_escalation(project_id: int, period: str, sponsor: str) -> str:
    """The sponsor's word that the PM's reminder went unanswered."""
    return f"nudge:status-escalation:{project_id}:{period}:{sponsor}"


def nudge_risk_review(risk_id: int, review_date: date) -> str:
    """The owner's reminder that a risk is past its review date."""
    return f"nudge:risk:{risk_id}:{review_date.isoformat()}"


def nudge_gate_reminder(gate_id: int, approver: str) -> str:
    """An approver's reminder that a gate is past its SLA."""
    return f"nudge:gate:{gate_id}:remind:{approver}"


def nudge_gate_escalation(gate_id: int, sponsor: str) -> str:
    """The sponsor's word that a gate is past its SLA and reminders went unanswered."""
    return f"nudge:gate:{gate_id}:escalate:{sponsor}"


def capacity_alert(user_id: str, first_week: date, recipient: str) -> str:
    """A PM's or PMO lead's word that a person is over-allocated from `first_week` on."""
    return f"capacity:over:{user_id}:{first_week.isoformat()}:{recipient}"


def resource_request(request_id: int) -> str:
    """A request for a person, posted to the PMO leads (its buttons' message)."""
    return f"resource-request:{request_id}"


def resource_request_version(request_id: int, version: int) -> str:
    """The request's message as it reads after its `version`-th change (an edit)."""
    return f"resource-request:{request_id}:v{version}"


def resource_request_told(request_id: int, version: int, user_id: str) -> str:
    """A person told of the request's outcome (the PM, the person assigned)."""
    return f"resource-request:{request_id}:v{version}:told:{user_id}"


def resource_request_copy(request_id: int, lead: str) -> str:
    """A PMO lead's own copy of a request, by direct message, when the workspace has no
    channel for requests (its buttons' message too)."""
    return f"resource-request:{request_id}:lead:{lead}"


def resource_request_edit(card_key: str, version: int) -> str:
    """An edit of one of a request's cards (its post, or a lead's copy) after its
    `version`-th change; for the post, the same key as `resource_request_version`."""
    return f"{card_key}:v{version}"


def resource_request_reply(card_key: str, version: int) -> str:
    """The reply in the thread of one of a request's cards saying what its `version`-th
    change was."""
    return f"{card_key}:v{version}:reply"


def allocation_told(allocation_id: int) -> str:
    """The person's word that they were allocated."""
    return f"allocation:{allocation_id}:told"


def allocation_questioned(allocation_id: int, at: str, user_id: str) -> str:
    """A PM asked about an allocation by the person allocated (at an ISO time)."""
    return f"allocation:{allocation_id}:question:{at}:{user_id}"


def capacity_heatmap(user_id: str, at: datetime) -> str:
    """The capacity heat map a PMO lead asked for, in their direct messages with the bot."""
    return f"capacity:heatmap:{user_id}:{at.isoformat(timespec='seconds')}"


def digest_heatmap(digest_key: str) -> str:
    """The capacity heat map, shared in the thread of the digest (or of a leader's copy)."""
    return f"{digest_key}:heatmap"


def goal_owner_told(goal_id: int, owner: str, at: datetime) -> str:
    """The direct message telling a person they were made a goal's owner (at a time: an
    owner may be named again after someone else)."""
    return f"goal:{goal_id}:owner:{owner}:{at.isoformat(timespec='seconds')}"


def dependency_notice(dependency_id: int, change: str, user_id: str) -> str:
    """A PM's word that a dependency was added (to the upstream's), delivered or dropped."""
    return f"dependency:{dependency_id}:{change}:{user_id}"


def dependency_threat(dependency_id: int, kind: str, detail: str | None, user_id: str) -> str:
    """A PM's or sponsor's word that a dependency their project waits on (at any hop) is
    threatened: once per kind, and for a colour once per colour (amber, then red)."""
    more = f":{detail}" if detail is not None else ""
    return f"dependency:{dependency_id}:threat:{kind}{more}:{user_id}"


def nudge_benefit_check_in(benefit_id: int, user_id: str) -> str:
    """A sponsor's request for the value a closed project's benefit realised."""
    return f"nudge:benefit:{benefit_id}:{user_id}"


def retro_action_assigned(action_id: int) -> str:
    """The direct message telling an improvement action's owner, with its Close button."""
    return f"retro_action:{action_id}:assigned"


def nudge_retro_action(action_id: int, when: str) -> str:
    """An action's owner reminded `before` its due date, or `after` it while still open."""
    return f"nudge:retro_action:{action_id}:{when}"


def lessons_suggested(project_id: int, occasion: str) -> str:
    """Lessons suggested to whoever created a project (`created`) or asked its first gate."""
    return f"lessons:suggested:{project_id}:{occasion}"


def retro_invite(retro_id: int, user_id: str) -> str:
    """A project person's invitation to contribute to a retrospective."""
    return f"retro:{retro_id}:invite:{user_id}"


def retro_reminder(retro_id: int, user_id: str) -> str:
    """The one reminder to contribute before a retrospective closes."""
    return f"retro:{retro_id}:reminder:{user_id}"


def retro_summary(retro_id: int) -> str:
    """A retrospective's summary, in the project channel (or the PM's direct messages)."""
    return f"retro:{retro_id}:summary"


def export_archive(user_id: str, at: datetime) -> str:
    """The CSV export a PMO lead asked for with `/pmo export`, in their direct messages."""
    return f"export:{user_id}:{at.isoformat(timespec='seconds')}"


def bot_help(user_id: str, slot_start: datetime) -> str:
    """The short help sent to someone who wrote to the bot, once per five-minute slot."""
    return f"dm:help:{user_id}:{slot_start.isoformat(timespec='minutes')}"
