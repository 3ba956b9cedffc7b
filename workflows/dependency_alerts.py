"""Who hears of a threatened dependency: the PM and sponsors of every project it reaches.

Each person hears of a threat once: the outbox key names the threatened dependency, the
kind of threat (for a colour, which one: amber and red are each told once) and the
person, so however often it is looked for (the nudge job every few minutes, several
processes) it is stored once.
Someone who answers for two projects the threat reaches hears of it once, for the nearer.
A change that threatens a dependency (a red status post, a target date moved past a
need date, a new dependency on a project already in trouble) tells people at once, as a
risk escalation does; the nudge job finds the rest at a humane hour
(workflows/dependency_watch.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from storage import sent_messages, watchlist
from storage.dependency_log import has_dependents
from storage.models import Project, Role
from workflows import message_keys
from workflows.dependency_threats import Reach, read_threats
from workflows.outgoing import Outgoing

TOLD = {Role.PM, Role.SPONSOR}


@dataclass(frozen=True)
class DependencyAlert:
    """A PM's or sponsor's word that a project they answer for is threatened through what
    it waits on (message content); `today` is the workspace's local day."""

    reach: Reach
    today: date


def unsent_alerts(
    *,
    session: Session,
    team_id: str,
    now: datetime,
    concerning: Callable[[Reach], bool] | None = None,
) -> list[Outgoing]:
    """The alerts of the workspace's threats at `now` (only those `concerning` says, when
    given) that were never stored before, one per person and threat."""
    found = read_threats(session=session, team_id=team_id, now=now)
    reached = [r for r in found.reaches if concerning is None or concerning(r)]
    return alerts_for(session=session, team_id=team_id, reached=reached, today=found.today)


def alerts_for(
    *, session: Session, team_id: str, reached: list[Reach], today: date
) -> list[Outgoing]:
    """The alerts of these threats never stored before: one to each PM and sponsor of each
    project reached (the nearest, for someone who answers for several)."""
    if not reached:
        return []
    waiting = {reach.waiting.id for reach in reached if reach.waiting.id is not None}
    holders = watchlist.holders_by_project(
        session=session, team_id=team_id, roles=TOLD, project_ids=waiting
    )
    planned: dict[str, Outgoing] = {}
    for reach in reached:
        threat = reach.threat
        assert threat.dependency.id is not None and reach.waiting.id is not None
        roles = holders.get(reach.waiting.id, {})
        for user in dict.fromkeys([*roles.get(Role.PM, []), *roles.get(Role.SPONSOR, [])]):
            key = message_keys.dependency_threat(
                threat.dependency.id,
                threat.kind.value,
                threat.rag.value if threat.rag else None,
                user,
            )
            alert = DependencyAlert(reach, today)
            planned.setdefault(key, Outgoing(team_id=team_id, key=key, to=user, content=alert))
    told = sent_messages.existing(session=session, team_id=team_id, keys=list(planned))
    return [message for key, message in planned.items() if key not in told]


def alerts_about_upstream(*, session: Session, project: Project, now: datetime) -> list[Outgoing]:
    """Right after a change to `project`: the alerts not sent before of the threats to
    what others wait on it for (none, at the cost of one statement, when nobody waits)."""
    assert project.id is not None
    if not has_dependents(session=session, team_id=project.team_id, project_id=project.id):
        return []
    return unsent_alerts(
        session=session,
        team_id=project.team_id,
        now=now,
        concerning=lambda reach: reach.threat.upstream.id == project.id,
    )
