"""The nudge job's part in retrospectives: the one reminder, the summary, the cadence.

Run with the nudges (bot/jobs.py). Half-way through a retro's window, at a humane hour
in the workspace's zone, whoever put their name to nothing is reminded once
(`reminded_at`): the bot cannot know who contributed anonymously, so the reminder says
they may ignore it. Once the window has closed the summary goes to the project channel
(or the PM); a project with a cadence opens its next retro N weeks after the last one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session

from storage import audit, retro_log
from storage.models import Project, Retro, RetroAction, RetroItem, RetroStatus, Role
from storage.projects import holders
from storage.workspaces import ensure_workspace
from workflows import message_keys
from workflows.nudges import may_nudge
from workflows.outgoing import Outgoing
from workflows.retros import (
    SYSTEM,
    Reason,
    RetroReminder,
    invited_people,
    open_retro,
    retro_label,
)


@dataclass(frozen=True)
class RetroSummary:
    """A closed retro's items grouped by kind, named ones attributed, anonymous ones not,
    and the project's improvement actions still open (message content)."""

    retro: Retro
    project: Project
    items: list[RetroItem]
    actions: list[RetroAction] = field(default_factory=list)

    @property
    def named_contributors(self) -> list[str]:
        """Who put their name to at least one item, in the order they first did."""
        return list(dict.fromkeys(item.author for item in self.items if item.author))

    @property
    def anonymous_items(self) -> int:
        """How many items carry no name."""
        return sum(1 for item in self.items if not item.author)

    @property
    def label(self) -> str:
        """APOLLO-RETRO2."""
        return retro_label(self.retro, self.project)


def due_retro_messages(*, session: Session, team_id: str, now: datetime) -> list[Outgoing]:
    """Summaries of the retros whose window closed, reminders of those half-way through
    (once each) and the invitations of the retros a cadence opens now."""
    workspace = ensure_workspace(session=session, team_id=team_id)
    humane = may_nudge(workspace=workspace, person=None, now=now)
    messages: list[Outgoing] = []
    for retro in retro_log.open_retros(session=session, team_id=team_id):
        project = session.get(Project, retro.project_id)
        assert project is not None
        if now >= retro.closes_at:
            messages.append(summarise(session=session, retro=retro, project=project, now=now))
        elif humane and retro.reminded_at is None and now >= _half_way(retro):
            messages += remind(session=session, retro=retro, project=project, now=now)
    if humane:
        for project in retro_log.projects_on_cadence(session=session, team_id=team_id):
            if _cadence_due(session, project, now):
                started = open_retro(
                    session=session, project=project, reason=Reason.CADENCE, by=SYSTEM, now=now
                )
                messages += started.messages if started else []
    return messages


def remind(*, session: Session, retro: Retro, project: Project, now: datetime) -> list[Outgoing]:
    """The one reminder, to the invited people who put their name to nothing yet."""
    assert retro.id is not None
    retro.reminded_at = now
    session.add(retro)
    named = retro_log.named_authors(session=session, team_id=retro.team_id, retro_id=retro.id)
    reminder = RetroReminder(retro, project)
    return [
        Outgoing(
            team_id=retro.team_id,
            key=message_keys.retro_reminder(retro.id, user),
            to=user,
            content=reminder,
        )
        for user in invited_people(session=session, project=project)
        if user not in named
    ]


def summarise(*, session: Session, retro: Retro, project: Project, now: datetime) -> Outgoing:
    """Close the retro and post its summary to the project channel (else the PM's, else
    the facilitator's, direct messages); audited."""
    assert retro.id is not None and project.id is not None
    retro.status = RetroStatus.SUMMARISED
    retro.summarised_at = now
    session.add(retro)
    items = retro_log.items_of(session=session, team_id=retro.team_id, retro_id=retro.id)
    actions = retro_log.open_actions(session=session, team_id=retro.team_id, project_id=project.id)
    summary = RetroSummary(retro, project, items, actions)
    audit.record(
        session=session,
        team_id=retro.team_id,
        actor=SYSTEM,
        action="retro.summarised",
        entity="retro",
        entity_id=retro.id,
        at=now,
        detail={
            "retro": summary.label,
            "items": len(items),
            "named_contributors": len(summary.named_contributors),
        },
    )
    pms = holders(session=session, team_id=project.team_id, project_id=project.id, role=Role.PM)
    to = project.channel_id or (pms[0] if pms else retro.facilitator)
    return Outgoing(
        team_id=retro.team_id, key=message_keys.retro_summary(retro.id), to=to, content=summary
    )


def _half_way(retro: Retro) -> datetime:
    return retro.opened_at + (retro.closes_at - retro.opened_at) / 2


def _cadence_due(session: Session, project: Project, now: datetime) -> bool:
    # N weeks since the last retro opened; a project with none yet once it is N weeks old.
    assert project.id is not None and project.retro_every_weeks is not None
    every = timedelta(weeks=project.retro_every_weeks)
    last = retro_log.latest_retro(session=session, team_id=project.team_id, project_id=project.id)
    since = last.opened_at if last is not None else project.created_at
    return now - since >= every and (last is None or last.status != RetroStatus.OPEN)
