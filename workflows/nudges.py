"""Nudges: who should be reminded of what, now, at a humane hour in their own time zone.

A nudge goes at 10:00 or later in the recipient's time zone, on a weekday, outside the
workspace's quiet hours, and never to someone who paused them. Each has a key naming
what it is about (`nudge:status:PROJECT:PERIOD`), so it is sent once however often the
job runs; the bot stores it in the outbox under that key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum

from sqlmodel import Session, col, select

from storage import outbox
from storage.models import (
    Gate,
    NudgeStyle,
    Person,
    Project,
    Risk,
    Role,
    Workspace,
)
from storage.projects import holders
from storage.workspaces import ensure_workspace
from workflows.gate_followup import OverdueGate, pending_past_sla, record_reminder
from workflows.periods import add_working_days, zone
from workflows.risks import risks_past_review
from workflows.status import StaleProject, projects_needing_update
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


@dataclass(frozen=True)
class Nudge:
    """One reminder to send: to whom, about what, under which key."""

    kind: NudgeKind
    key: str
    to: str
    project: Project
    stale: StaleProject | None = None
    risk: Risk | None = None
    gate: OverdueGate | None = None
    # For escalations: when the reminder that went unanswered was sent.
    reminded_at: datetime | None = None


def in_quiet_hours(moment: time, start: time, end: time) -> bool:
    """True inside [start, end), which may run past midnight (19:00 to 08:00)."""
    if start == end:
        return False
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end


def may_nudge(*, workspace: Workspace, person: Person | None, now: datetime) -> bool:
    """A weekday, 10:00 or later where the person is, not quiet hours, not paused."""
    local = now.astimezone(zone((person and person.time_zone) or workspace.time_zone))
    if local.weekday() >= 5 or local.time() < NUDGE_HOUR:
        return False
    if in_quiet_hours(
        local.time(), parse_clock_time(workspace.quiet_start), parse_clock_time(workspace.quiet_end)
    ):
        return False
    return not (person is not None and person.paused_until and person.paused_until >= local.date())


def local_date(workspace: Workspace, person: Person | None, now: datetime) -> date:
    """Today where the person is."""
    return now.astimezone(zone((person and person.time_zone) or workspace.time_zone)).date()


def candidates(*, session: Session, team_id: str, now: datetime) -> list[str]:
    """Everyone who might be nudged now, so their time zones can be looked up first."""
    people: list[str] = []
    for stale in projects_needing_update(session=session, team_id=team_id, now=now):
        if stale.pm:
            people.append(stale.pm)
        people += _sponsors(session, stale.project)
    for risk, _ in risks_past_review(session=session, team_id=team_id, now=now):
        if risk.owner:
            people.append(risk.owner)
    for overdue in pending_past_sla(session=session, team_id=team_id, now=now):
        people += overdue.waiting + overdue.sponsors
    return list(dict.fromkeys(people))


def due_nudges(*, session: Session, team_id: str, now: datetime) -> list[Nudge]:
    """The nudges to send now that have not been sent before."""
    workspace = ensure_workspace(session=session, team_id=team_id)
    people = {p.user_id: p for p in session.exec(select(Person).where(Person.team_id == team_id))}
    firm = workspace.nudge_style == NudgeStyle.FIRM
    found: list[Nudge] = []

    def consider(nudge: Nudge) -> None:
        if outbox.find(session=session, team_id=team_id, key=nudge.key) is not None:
            return
        if may_nudge(workspace=workspace, person=people.get(nudge.to), now=now):
            found.append(nudge)

    for stale in projects_needing_update(session=session, team_id=team_id, now=now):
        if stale.pm is None:
            continue
        pm = people.get(stale.pm)
        due_day = stale.period.due_at.astimezone(zone(workspace.time_zone)).date()
        if not stale.overdue and local_date(workspace, pm, now) < due_day:
            continue
        key = f"nudge:status:{stale.project.id}:{stale.period.label}"
        consider(Nudge(NudgeKind.STATUS, key, stale.pm, stale.project, stale=stale))
        if firm:
            _escalate_status(session, team_id, stale, now, workspace, consider)

    for risk, project in risks_past_review(session=session, team_id=team_id, now=now):
        if risk.owner and risk.review_date:
            key = f"nudge:risk:{risk.id}:{risk.review_date.isoformat()}"
            consider(Nudge(NudgeKind.RISK_REVIEW, key, risk.owner, project, risk=risk))

    for overdue in pending_past_sla(session=session, team_id=team_id, now=now):
        gate = overdue.gate
        for user in overdue.waiting:
            key = f"nudge:gate:{gate.id}:remind:{user}"
            consider(Nudge(NudgeKind.GATE_REMINDER, key, user, overdue.project, gate=overdue))
        reminded = gate.reminded_at
        escalate = (
            firm
            and reminded is not None
            and overdue.waiting
            and now >= add_working_days(reminded, ESCALATE_AFTER_WORKING_DAYS, workspace.time_zone)
        )
        for sponsor in overdue.sponsors if escalate else []:
            key = f"nudge:gate:{gate.id}:escalate:{sponsor}"
            consider(Nudge(NudgeKind.GATE_ESCALATION, key, sponsor, overdue.project, gate=overdue))
    return found


def _escalate_status(
    session: Session,
    team_id: str,
    stale: StaleProject,
    now: datetime,
    workspace: Workspace,
    consider: Callable[[Nudge], None],
) -> None:
    # Firm style: two working days after the first reminder the PM left unanswered, the
    # sponsor hears (even when that reminder was for the period that just ended).
    prefix = f"nudge:status:{stale.project.id}:"
    reminder = outbox.first_sent_after(
        session=session, team_id=team_id, key_prefix=prefix, after=stale.last_update_at
    )
    if reminder is None or reminder.sent_at is None:
        return
    if now < add_working_days(reminder.sent_at, ESCALATE_AFTER_WORKING_DAYS, workspace.time_zone):
        return
    period = reminder.key.removeprefix(prefix)
    for sponsor in _sponsors(session, stale.project):
        key = f"nudge:status-escalation:{stale.project.id}:{period}:{sponsor}"
        consider(
            Nudge(
                NudgeKind.STATUS_ESCALATION,
                key,
                sponsor,
                stale.project,
                stale=stale,
                reminded_at=reminder.sent_at,
            )
        )


def _sponsors(session: Session, project: Project) -> list[str]:
    assert project.id is not None
    return holders(
        session=session, team_id=project.team_id, project_id=project.id, role=Role.SPONSOR
    )


def record_sent(*, session: Session, nudge: Nudge, now: datetime) -> None:
    """Note gate reminders and escalations in the gate's audit trail (once per gate)."""
    if nudge.gate is None:
        return
    gate = session.get(Gate, nudge.gate.gate.id)
    assert gate is not None
    if nudge.kind == NudgeKind.GATE_REMINDER and gate.reminded_at is None:
        record_reminder(
            session=session,
            gate=gate,
            project=nudge.project,
            action="gate.reminded",
            recipients=nudge.gate.waiting,
            now=now,
        )
    elif nudge.kind == NudgeKind.GATE_ESCALATION and gate.escalated_at is None:
        record_reminder(
            session=session,
            gate=gate,
            project=nudge.project,
            action="gate.escalated",
            recipients=nudge.gate.sponsors,
            now=now,
        )


def people_to_refresh(
    *, session: Session, team_id: str, user_ids: list[str], now: datetime, max_age_days: int = 7
) -> list[str]:
    """Those whose time zone is unknown or was read from Slack more than a week ago."""
    if not user_ids:
        return []
    known = {
        p.user_id: p
        for p in session.exec(
            select(Person).where(Person.team_id == team_id, col(Person.user_id).in_(user_ids))
        )
    }
    stale = []
    for user in user_ids:
        person = known.get(user)
        refreshed = person.profile_refreshed_at if person else None
        if refreshed is None or (now - refreshed).days >= max_age_days:
            stale.append(user)
    return stale
