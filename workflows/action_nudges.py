"""The nudge job's reminders of improvement actions: the working day before an action is
due, and the working day after it if still open, each once.

Like a nudge, a reminder goes at 10:00 or later in the owner's time zone, on a weekday,
outside quiet hours and leave (workflows/nudges.py `may_nudge`); its key makes it go once.
A day counts from the owner's own calendar, so an owner in Sydney hears on their Thursday.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session

from storage import retro_action_log, sent_messages
from storage.models import Project, RetroAction
from storage.workspaces import ensure_workspace, people_of
from workflows import message_keys
from workflows.nudges import local_date, may_nudge
from workflows.outgoing import Outgoing

BEFORE, AFTER = "before", "after"


@dataclass(frozen=True)
class ActionReminder:
    """An owner reminded of an action coming due (`overdue` False) or past due (message
    content)."""

    action: RetroAction
    project: Project
    overdue: bool


def working_day_before(day: date) -> date:
    """The last weekday before `day`."""
    day -= timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def working_day_after(day: date) -> date:
    """The first weekday after `day`."""
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def when_due(action: RetroAction, today: date) -> str | None:
    """`before` from the working day before the due date to the due date itself, `after`
    from the working day after it; None in between or before."""
    if working_day_before(action.due_on) <= today <= action.due_on:
        return BEFORE
    if today >= working_day_after(action.due_on):
        return AFTER
    return None


def due_action_reminders(*, session: Session, team_id: str, now: datetime) -> list[Outgoing]:
    """The reminders of open actions never sent before, for owners who may be told now."""
    actions = retro_action_log.open_actions(session=session, team_id=team_id)
    if not actions:
        return []
    workspace = ensure_workspace(session=session, team_id=team_id)
    people = people_of(session=session, team_id=team_id, user_ids=[a.owner for a, _ in actions])
    found = []
    for action, project in actions:
        person = people.get(action.owner)
        when = when_due(action, local_date(workspace, person, now))
        if when is None or action.id is None:
            continue
        key = message_keys.nudge_retro_action(action.id, when)
        if sent_messages.exists(session=session, team_id=team_id, key=key):
            continue
        if not may_nudge(workspace=workspace, person=person, now=now):
            continue
        content = ActionReminder(action, project, overdue=when == AFTER)
        found.append(Outgoing(team_id=team_id, key=key, to=action.owner, content=content))
    return found
