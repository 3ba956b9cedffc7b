"""The nudge job's watch over dependencies: every threat not told yet, at a humane hour.

Run with the nudges (bot/jobs.py), so a red upstream, a target date past a need date and
a missed need date are all found within one run, whatever caused them. Like a nudge, an
alert goes at 10:00 or later in its recipient's time zone, on a weekday, outside quiet
hours and leave (workflows/nudges.py); its key makes it go once
(workflows/dependency_alerts.py). A module of its own: dependency_alerts is called by the
project and status workflows, which the nudges import, so it can't import the nudges.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from storage.workspaces import ensure_workspace, people_of
from workflows.dependency_alerts import unsent_alerts
from workflows.nudges import may_nudge
from workflows.outgoing import Outgoing


def due_dependency_alerts(*, session: Session, team_id: str, now: datetime) -> list[Outgoing]:
    """The alerts of the workspace's threatened dependencies never sent before, for those
    who may be told now."""
    alerts = unsent_alerts(session=session, team_id=team_id, now=now)
    if not alerts:
        return []
    workspace = ensure_workspace(session=session, team_id=team_id)
    people = people_of(session=session, team_id=team_id, user_ids=[a.to for a in alerts])
    return [a for a in alerts if may_nudge(workspace=workspace, person=people.get(a.to), now=now)]
