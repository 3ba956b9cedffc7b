"""Nudges: who should be reminded of what, now, at a humane hour in their own time zone.

A nudge goes at 10:00 or later in the recipient's time zone, on a weekday, outside the
workspace's quiet hours, and never to someone who paused them. Each has a key naming
what it is about (`nudge:status:PROJECT:PERIOD`, workflows/message_keys.py), so it is
sent once however often the job runs: the nudges come back as messages, and the job
hands them to bot/ to store in the outbox under that key.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from sqlmodel import Session

from storage import sent_messages
from storage.models import (
    Benefit,
    Gate,
    NudgeStyle,
    Person,
    Project,
    Risk,
    Role,
    Workspace,
)
from storage.portfolio import ProjectLike
from storage.watchlist import holders_by_project
from storage.workspaces import PersonClock, clocks_of, ensure_workspace, refreshed_since
from workflows import message_keys
from workflows.benefit_checkins import asked_for_values, awaiting_check_in, mark_due
from workflows.gate_followup import OverdueGate, pending_past_sla, record_reminders
from workflows.outgoing import Outgoing
from workflows.periods import add_working_days, zone
from workflows.risks import owners_past_review, risks_past_review
from workflows.staleness import StaleProject, projects_needing_update
from workflows.workspace_policy import parse_clock_time

NUDGE_HOUR = time(10, 0)
ESCALATE_AFTER_WORKING_DAYS = 2


class NudgeKind(StrEnum):
    """What a nudge is about."""

    STATUS = "status"
    STATUS_ESCALATION = "status_escalation"
    RISK_REVIEW = "risk_review"
    GATE_REMINDER = "gate_reminder"
    GATE_ESCALATION = "gate_escalation"
    BENEFIT_CHECK_IN = "benefit_check_in"


@dataclass(frozen=True)
class Nudge:
    """One reminder to send: to whom, about what, under which key."""

    kind: NudgeKind
    key: str
    to: str
    project: ProjectLike
    stale: StaleProject | None = None
    risk: Risk | None = None
    gate: OverdueGate | None = None
    # For escalations: when the reminder that went unanswered was sent.
    reminded_at: datetime | None = None
    # The posted message `{link}` in the text points to (the risk's card, the gate's
    # request); None: it points to the project channel instead.
    link_key: str | None = None
    # For a benefit's check-in: the benefit whose value is asked for.
    benefit: Benefit | None = None


def in_quiet_hours(moment: time, start: time, end: time) -> bool:
    """True inside [start, end), which may run past midnight (19:00 to 08:00)."""
    if start == end:
        return False
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end


def may_nudge(*, workspace: Workspace, person: Person | PersonClock | None, now: datetime) -> bool:
    """A weekday, 10:00 or later where the person is, not quiet hours, not paused."""
    local = now.astimezone(zone((person and person.time_zone) or workspace.time_zone))
    if local.weekday() >= 5 or local.time() < NUDGE_HOUR:
        return False
    if in_quiet_hours(
        local.time(), parse_clock_time(workspace.quiet_start), parse_clock_time(workspace.quiet_end)
    ):
        return False
    return not (person is not None and person.paused_until and person.paused_until >= local.date())


def local_date(workspace: Workspace, person: Person | PersonClock | None, now: datetime) -> date:
    """Today where the person is."""
    return now.astimezone(zone((person and person.time_zone) or workspace.time_zone)).date()


def profiles_to_refresh(
    *,
    session: Session,
    team_id: str,
    now: datetime,
    on_projects: list[str],
    batch: int,
    max_age_days: int,
) -> list[str]:
    """Up to `batch` people whose Slack profile is unknown or `max_age_days` old, among
    everyone `on_projects` and whoever might be nudged now: those first, when there are
    more than a batch, so that their time zones are right before they are nudged.

    Who owes a status update costs as much to work out as planning the nudges does
    (bench/nudge_bench.py), and they are on their projects: it is worked out only when the
    order matters. When every stale profile fits in one batch, all are read anyway."""
    beyond = _candidates_beyond_projects(session, team_id, now)
    stale = people_to_refresh(
        session=session,
        team_id=team_id,
        user_ids=list(dict.fromkeys([*on_projects, *beyond])),
        now=now,
        max_age_days=max_age_days,
    )
    if len(stale) <= batch:
        return stale
    first = [*_owing_an_update(session, team_id, now), *beyond]
    found = set(stale)
    return [user for user in dict.fromkeys([*first, *stale]) if user in found][:batch]


def _owing_an_update(session: Session, team_id: str, now: datetime) -> list[str]:
    # The PM and the sponsors of each project whose status update is due or overdue.
    people: list[str] = []
    sponsors = holders_by_project(session=session, team_id=team_id, roles={Role.SPONSOR})
    for stale in projects_needing_update(session=session, team_id=team_id, now=now):
        if stale.pm:
            people.append(stale.pm)
        people += sponsors.get(stale.project.id or 0, {}).get(Role.SPONSOR, [])
    return people


def _candidates_beyond_projects(session: Session, team_id: str, now: datetime) -> list[str]:
    # Who else might be nudged now, and need not be on an active project: risk owners, the
    # approvers and sponsors of gates past their SLA, who records an awaited benefit (of a
    # closed project, maybe archived).
    people = owners_past_review(session=session, team_id=team_id, now=now)
    for overdue in pending_past_sla(session=session, team_id=team_id, now=now):
        people += overdue.waiting + overdue.sponsors
    people += asked_for_values(session=session, team_id=team_id, now=now)
    return people


def due_nudges(*, session: Session, team_id: str, now: datetime) -> list[Outgoing]:
    """The nudges to send now that were not sent before, as direct messages whose content
    is the `Nudge`. Nothing is stored: `issue_nudges` is what the nudge job sends."""
    return [_message(nudge) for nudge in _due(session, team_id, now)]


def issue_nudges(*, session: Session, team_id: str, now: datetime) -> list[Outgoing]:
    """The nudges due now (as `due_nudges`), with the gate reminders and escalations among
    them noted in each gate's audit trail, in the caller's transaction. Benefits whose
    check-in has come are marked due first (workflows/benefit_checkins.py)."""
    mark_due(session=session, team_id=team_id, now=now)
    nudges = _due(session, team_id, now)
    record_reminders(session=session, reminders=_reminders(session, nudges), now=now)
    return [_message(nudge) for nudge in nudges]


def _message(nudge: Nudge) -> Outgoing:
    return Outgoing(
        team_id=nudge.project.team_id,
        key=nudge.key,
        to=nudge.to,
        content=nudge,
        link_key=nudge.link_key,
    )


def _due(session: Session, team_id: str, now: datetime) -> list[Nudge]:
    # Each nudge once (its key), at a humane hour for its recipient, linked where it can be;
    # what was sent is read in bulk (one statement for all the keys), not once per nudge.
    workspace = ensure_workspace(session=session, team_id=team_id)
    people = clocks_of(session=session, team_id=team_id)
    found = [
        *_status_nudges(session, workspace, people, now),
        *_risk_nudges(session, team_id, now),
        *_gate_nudges(session, workspace, now),
        *_benefit_nudges(session, team_id, now),
    ]
    sent = sent_messages.existing(
        session=session, team_id=team_id, keys=list(dict.fromkeys(n.key for n in found))
    )
    # Whether now is humane depends on the person's time zone and leave only: asked once
    # for each of those (a few), not once for each of thousands of nudges.
    humane: dict[PersonClock | None, bool] = {}
    due = []
    for nudge in found:
        clock = people.get(nudge.to)
        if clock not in humane:
            humane[clock] = may_nudge(workspace=workspace, person=clock, now=now)
        if nudge.key not in sent and humane[clock]:
            due.append(nudge)
    targets = {id(nudge): target for nudge in due if (target := _link_target(nudge))}
    posted = sent_messages.existing(
        session=session, team_id=team_id, keys=list(dict.fromkeys(targets.values()))
    )
    return [
        replace(nudge, link_key=targets[id(nudge)]) if targets.get(id(nudge)) in posted else nudge
        for nudge in due
    ]


def _link_target(nudge: Nudge) -> str | None:
    # A nudge links to the risk's card or the gate's request, if that was ever posted;
    # otherwise its text points to the project channel (see commands/nudge_message.py).
    if nudge.risk is not None and nudge.risk.id is not None:
        return message_keys.risk_posted(nudge.risk.id)
    if nudge.gate is not None and nudge.gate.gate.id is not None:
        return message_keys.gate_request(nudge.gate.gate.id)
    return None


def _status_nudges(
    session: Session, workspace: Workspace, people: dict[str, PersonClock], now: datetime
) -> list[Nudge]:
    firm = workspace.nudge_style == NudgeStyle.FIRM
    found: list[Nudge] = []
    stale_projects = []
    today: dict[PersonClock | None, date] = {}  # by time zone, as `_due` asks `may_nudge`
    for stale in projects_needing_update(session=session, team_id=workspace.team_id, now=now):
        if stale.pm is None:
            continue
        due_day = stale.period.due_at.astimezone(zone(workspace.time_zone)).date()
        clock = people.get(stale.pm)
        if clock not in today:
            today[clock] = local_date(workspace, clock, now)
        if not stale.overdue and today[clock] < due_day:
            continue
        assert stale.project.id is not None
        key = message_keys.nudge_status(stale.project.id, stale.period.label)
        found.append(Nudge(NudgeKind.STATUS, key, stale.pm, stale.project, stale=stale))
        stale_projects.append(stale)
    if firm and stale_projects:
        # Each project's escalation follows its own reminder.
        found = _with_escalations(session, workspace, found, stale_projects, now)
    return found


def _with_escalations(
    session: Session,
    workspace: Workspace,
    reminders: list[Nudge],
    stale_projects: list[StaleProject],
    now: datetime,
) -> list[Nudge]:
    # The reminders each followed by its project's escalations, read in two statements.
    prefixes = {
        message_keys.nudge_status_prefix(stale.project.id or 0): stale.last_update_at
        for stale in stale_projects
    }
    reminded = sent_messages.first_sent_after_each(
        session=session, team_id=workspace.team_id, after=prefixes
    )
    sponsors = holders_by_project(session=session, team_id=workspace.team_id, roles={Role.SPONSOR})
    found: list[Nudge] = []
    for nudge, stale in zip(reminders, stale_projects, strict=True):
        found.append(nudge)
        project_id = stale.project.id or 0
        reminder = reminded.get(message_keys.nudge_status_prefix(project_id))
        found += _status_escalations(
            workspace, stale, reminder, sponsors.get(project_id, {}).get(Role.SPONSOR, []), now
        )
    return found


def _risk_nudges(session: Session, team_id: str, now: datetime) -> list[Nudge]:
    found: list[Nudge] = []
    for risk, project in risks_past_review(session=session, team_id=team_id, now=now):
        if risk.owner and risk.review_date and risk.id is not None:
            key = message_keys.nudge_risk_review(risk.id, risk.review_date)
            found.append(Nudge(NudgeKind.RISK_REVIEW, key, risk.owner, project, risk=risk))
    return found


def _gate_nudges(session: Session, workspace: Workspace, now: datetime) -> list[Nudge]:
    firm = workspace.nudge_style == NudgeStyle.FIRM
    found: list[Nudge] = []
    for overdue in pending_past_sla(session=session, team_id=workspace.team_id, now=now):
        gate, project = overdue.gate, overdue.project
        assert gate.id is not None
        for user in overdue.waiting:
            key = message_keys.nudge_gate_reminder(gate.id, user)
            found.append(Nudge(NudgeKind.GATE_REMINDER, key, user, project, gate=overdue))
        reminded = gate.reminded_at
        escalate = (
            firm
            and reminded is not None
            and overdue.waiting
            and now >= add_working_days(reminded, ESCALATE_AFTER_WORKING_DAYS, workspace.time_zone)
        )
        for sponsor in overdue.sponsors if escalate else []:
            key = message_keys.nudge_gate_escalation(gate.id, sponsor)
            found.append(Nudge(NudgeKind.GATE_ESCALATION, key, sponsor, project, gate=overdue))
    return found


def _benefit_nudges(session: Session, team_id: str, now: datetime) -> list[Nudge]:
    # Each benefit's sponsor (else PM) is asked once for the value realised.
    return [
        Nudge(
            NudgeKind.BENEFIT_CHECK_IN,
            message_keys.nudge_benefit_check_in(check_in.benefit.id or 0, user),
            user,
            check_in.project,
            benefit=check_in.benefit,
        )
        for check_in in awaiting_check_in(session=session, team_id=team_id, now=now)
        for user in check_in.ask
    ]


def _status_escalations(
    workspace: Workspace,
    stale: StaleProject,
    reminder: sent_messages.SentMessage | None,
    sponsors: list[str],
    now: datetime,
) -> list[Nudge]:
    # Firm style: two working days after the first reminder the PM left unanswered (the
    # first posted since their last update), the sponsor hears (even when that reminder
    # was for the period that just ended).
    assert stale.project.id is not None
    if reminder is None:
        return []
    if now < add_working_days(reminder.sent_at, ESCALATE_AFTER_WORKING_DAYS, workspace.time_zone):
        return []
    period = reminder.key.removeprefix(message_keys.nudge_status_prefix(stale.project.id))
    return [
        Nudge(
            NudgeKind.STATUS_ESCALATION,
            message_keys.nudge_status_escalation(stale.project.id, period, sponsor),
            sponsor,
            stale.project,
            stale=stale,
            reminded_at=reminder.sent_at,
        )
        for sponsor in sponsors
    ]


def record_sent(*, session: Session, nudge: Nudge, now: datetime) -> None:
    """Note gate reminders and escalations in the gate's audit trail (once per gate)."""
    record_reminders(session=session, reminders=_reminders(session, [nudge]), now=now)


def _reminders(session: Session, nudges: list[Nudge]) -> list[tuple[Gate, Project, str, list[str]]]:
    # The gate reminders and escalations among the nudges not yet noted, once per gate.
    found: dict[tuple[int, str], tuple[Gate, Project, str, list[str]]] = {}
    for nudge in nudges:
        if nudge.gate is None:
            continue
        gate = session.get(Gate, nudge.gate.gate.id)
        assert gate is not None and gate.id is not None
        if nudge.kind == NudgeKind.GATE_REMINDER and gate.reminded_at is None:
            noted = (gate, nudge.project, "gate.reminded", nudge.gate.waiting)
            found.setdefault((gate.id, "gate.reminded"), noted)
        elif nudge.kind == NudgeKind.GATE_ESCALATION and gate.escalated_at is None:
            noted = (gate, nudge.project, "gate.escalated", nudge.gate.sponsors)
            found.setdefault((gate.id, "gate.escalated"), noted)
    return list(found.values())


def people_to_refresh(
    *, session: Session, team_id: str, user_ids: list[str], now: datetime, max_age_days: int = 7
) -> list[str]:
    """Those of `user_ids` (in their order) whose time zone is unknown or was read from
    Slack `max_age_days` or more ago."""
    if not user_ids:
        return []
    fresh = refreshed_since(
        session=session, team_id=team_id, since=now - timedelta(days=max_age_days)
    )
    return [user for user in user_ids if user not in fresh]
