"""Retrospectives: a project's people say what went well, what didn't and what to try.

A retro opens when a gate passes, when the project closes, on the project's cadence or
when someone asks (`/retro KEY`); one is open per project at a time. Each of the
project's people is invited by direct message and may contribute, named or anonymously,
for three working days; the nudge job then reminds once and summarises
(workflows/retro_schedule.py).

Privacy: an anonymous contribution stores its items with no author and only the local
date, writes no audit row and no log line, and sends nothing, so nothing kept leads
back to who wrote it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from storage import audit, retro_log
from storage.models import Project, Retro, RetroItem, RetroItemKind, RetroStatus, Role
from storage.projects import holders, roles_of
from storage.workspaces import ensure_workspace
from workflows import message_keys
from workflows.actor import Actor
from workflows.errors import InvalidInput, NotPermitted, PmoError, too_long
from workflows.outgoing import Outgoing
from workflows.periods import add_working_days, zone
from workflows.projects import get_project, resolve_project, set_archived
from workflows.wording import day

TEXT_MAX = 1000
WINDOW_WORKING_DAYS = 3
CADENCE_MAX_WEEKS = 52
# Who starts a retro nobody asked for (a cadence), in the audit trail.
SYSTEM = "pmo-bot"
USAGE_START = "/retro KEY"


class Reason:
    """What started a retrospective (`Retro.reason`)."""

    ASKED = "asked"
    GATE = "gate"
    CLOSED = "closed"
    CADENCE = "cadence"


@dataclass(frozen=True)
class Contribution:
    """What one person wrote, each part optional, and whether to put their name to it."""

    went_well: str = ""
    did_not: str = ""
    ideas: str = ""
    anonymous: bool = False

    def parts(self) -> list[tuple[RetroItemKind, str]]:
        """The non-blank parts, stripped, by kind."""
        texts = [
            (RetroItemKind.WENT_WELL, self.went_well),
            (RetroItemKind.DID_NOT, self.did_not),
            (RetroItemKind.IDEA, self.ideas),
        ]
        return [(kind, text.strip()) for kind, text in texts if text.strip()]


# The form field each kind of text is entered in (InvalidInput's keys).
FIELDS = {
    RetroItemKind.WENT_WELL: "went_well",
    RetroItemKind.DID_NOT: "did_not",
    RetroItemKind.IDEA: "ideas",
}


@dataclass(frozen=True)
class RetroInvite:
    """A project person's invitation to contribute, with a *Contribute* button (content)."""

    retro: Retro
    project: Project


@dataclass(frozen=True)
class RetroReminder:
    """The one reminder before the retro closes, to whoever put their name to nothing
    (content)."""

    retro: Retro
    project: Project


@dataclass(frozen=True)
class RetroStarted:
    """A retrospective just opened and the invitations it sends."""

    retro: Retro
    project: Project
    invited: list[str]
    messages: list[Outgoing] = field(default_factory=list)


@dataclass(frozen=True)
class Contributed:
    """How many items a contribution added (nothing else is said about it)."""

    retro: Retro
    project: Project
    items: int
    anonymous: bool
    messages: list[Outgoing] = field(default_factory=list)


@dataclass(frozen=True)
class CadenceSet:
    """A project's retro cadence after `/retro every`."""

    project: Project
    weeks: int | None
    messages: list[Outgoing] = field(default_factory=list)


@dataclass(frozen=True)
class ProjectArchived:
    """A project archived (or brought back), and the closing retro it starts."""

    project: Project
    messages: list[Outgoing] = field(default_factory=list)


def retro_label(retro: Retro, project: Project) -> str:
    """How people name a retrospective: APOLLO-RETRO2."""
    return f"{project.key}-RETRO{retro.number}"


def invited_people(*, session: Session, project: Project) -> list[str]:
    """Who is asked to contribute: the PM, the members and the sponsor."""
    assert project.id is not None
    people = [
        user
        for role in (Role.PM, Role.MEMBER, Role.SPONSOR)
        for user in holders(
            session=session, team_id=project.team_id, project_id=project.id, role=role
        )
    ]
    return list(dict.fromkeys(people))


def is_on_project(*, session: Session, project: Project, user_id: str) -> bool:
    """True when the person holds any role on the project."""
    assert project.id is not None
    return bool(
        roles_of(session=session, team_id=project.team_id, project_id=project.id, user_id=user_id)
    )


def start_retro(*, session: Session, actor: Actor, key: str | None, now: datetime) -> RetroStarted:
    """The project's people or a PMO lead open its retrospective (the key's project, else
    the channel's); refused while one is open, saying until when."""
    project = resolve_project(
        session=session,
        team_id=actor.team_id,
        key=key,
        channel_id=actor.channel_id,
        usage=USAGE_START,
    )
    workspace = ensure_workspace(session=session, team_id=actor.team_id)
    if actor.user_id not in workspace.pmo_leads and not is_on_project(
        session=session, project=project, user_id=actor.user_id
    ):
        raise NotPermitted(
            f"Only the people of {project.key} or a PMO lead can start its retrospective."
        )
    started = open_retro(
        session=session, project=project, reason=Reason.ASKED, by=actor.user_id, now=now
    )
    if started is None:
        current = retro_log.open_retro(
            session=session, team_id=project.team_id, project_id=project.id or 0
        )
        raise PmoError(_already_open(current, project, workspace.time_zone))
    return started


def open_retro(
    *, session: Session, project: Project, reason: str, by: str, now: datetime
) -> RetroStarted | None:
    """Open the project's next retrospective for three working days and invite its
    people; None when one is open already. `by` is who (or what) started it."""
    assert project.id is not None
    if retro_log.open_retro(session=session, team_id=project.team_id, project_id=project.id):
        return None
    workspace = ensure_workspace(session=session, team_id=project.team_id)
    pm = holders(session=session, team_id=project.team_id, project_id=project.id, role=Role.PM)
    retro = Retro(
        team_id=project.team_id,
        project_id=project.id,
        number=retro_log.next_number(
            session=session, team_id=project.team_id, project_id=project.id
        ),
        reason=reason,
        facilitator=by if by != SYSTEM else (pm[0] if pm else SYSTEM),
        opened_at=now,
        closes_at=add_working_days(now, WINDOW_WORKING_DAYS, workspace.time_zone),
    )
    try:
        with session.begin_nested():
            session.add(retro)
    except IntegrityError:
        # Someone else opened this number a moment ago: theirs is the open one.
        return None
    assert retro.id is not None
    audit.record(
        session=session,
        team_id=project.team_id,
        actor=by,
        action="retro.started",
        entity="retro",
        entity_id=retro.id,
        at=now,
        detail={"retro": retro_label(retro, project), "reason": reason},
    )
    invited = invited_people(session=session, project=project)
    invite = RetroInvite(retro, project)
    messages = [
        Outgoing(
            team_id=project.team_id,
            key=message_keys.retro_invite(retro.id, user),
            to=user,
            content=invite,
        )
        for user in invited
    ]
    return RetroStarted(retro, project, invited, messages)


def retro_after_gate(
    *, session: Session, project: Project, by: str, last_phase: bool, now: datetime
) -> list[Outgoing]:
    """The invitations of the retro a passed gate opens (a closing one when the project
    reached its last phase); none while a retro is open."""
    reason = Reason.CLOSED if last_phase else Reason.GATE
    started = open_retro(session=session, project=project, reason=reason, by=by, now=now)
    return started.messages if started else []


def archive_project(
    *, session: Session, actor: Actor, key: str, archived: bool, now: datetime
) -> ProjectArchived:
    """Archive a project (or bring it back), as workflows.projects.set_archived; archiving
    an active project opens its closing retrospective."""
    was_archived = get_project(session=session, team_id=actor.team_id, key=key).archived
    project = set_archived(
        session=session,
        team_id=actor.team_id,
        actor=actor.user_id,
        key=key,
        archived=archived,
        now=now,
    )
    if not archived or was_archived:
        return ProjectArchived(project)
    started = open_retro(
        session=session, project=project, reason=Reason.CLOSED, by=actor.user_id, now=now
    )
    return ProjectArchived(project, started.messages if started else [])


def check_may_contribute(
    *, session: Session, actor: Actor, retro_id: int, now: datetime
) -> tuple[Retro, Project]:
    """The retro and its project, if the actor may contribute to it now."""
    retro = retro_log.get_retro(session=session, team_id=actor.team_id, retro_id=retro_id)
    if retro is None:
        raise PmoError("That retrospective no longer exists.")
    project = session.get(Project, retro.project_id)
    assert project is not None
    if not is_on_project(session=session, project=project, user_id=actor.user_id):
        raise NotPermitted(f"Only the people of {project.key} contribute to its retrospectives.")
    if retro.status != RetroStatus.OPEN or now >= retro.closes_at:
        raise PmoError(f"{retro_label(retro, project)} is closed: its summary is in the channel.")
    return retro, project


def check_contribution(contribution: Contribution) -> dict[str, str]:
    """What is wrong with the contribution, by field (empty when it may be stored)."""
    parts = contribution.parts()
    if not parts:
        return {"went_well": "Write at least one thing: what went well, what didn't, or an idea."}
    errors: dict[str, str] = {}
    for kind, text in parts:
        if problem := too_long("Each answer", text, TEXT_MAX):
            errors[FIELDS[kind]] = problem
    return errors


def contribute(
    *,
    session: Session,
    actor: Actor,
    retro_id: int,
    contribution: Contribution,
    now: datetime,
) -> Contributed:
    """One of the project's people contributes to its open retrospective. A named
    contribution is stored with its author and audited; an anonymous one is stored with
    no author, only the local date, and no audit row."""
    retro, project = check_may_contribute(session=session, actor=actor, retro_id=retro_id, now=now)
    errors = check_contribution(contribution)
    if errors:
        raise InvalidInput(errors)
    assert retro.id is not None
    workspace = ensure_workspace(session=session, team_id=actor.team_id)
    given_on = now.astimezone(zone(workspace.time_zone)).date()
    author = None if contribution.anonymous else actor.user_id
    parts = contribution.parts()
    for kind, text in parts:
        session.add(
            RetroItem(
                team_id=actor.team_id,
                retro_id=retro.id,
                kind=kind,
                text=text,
                author=author,
                given_on=given_on,
            )
        )
    if author is not None:
        audit.record(
            session=session,
            team_id=actor.team_id,
            actor=author,
            action="retro.contributed",
            entity="retro",
            entity_id=retro.id,
            at=now,
            detail={"retro": retro_label(retro, project), "items": len(parts)},
        )
    return Contributed(retro, project, len(parts), contribution.anonymous)


def set_cadence(
    *, session: Session, actor: Actor, key: str, weeks: int | None, now: datetime
) -> CadenceSet:
    """The PM or a PMO lead sets how often the project holds a retro (None: only at gates,
    closing and on demand)."""
    project = get_project(session=session, team_id=actor.team_id, key=key)
    assert project.id is not None
    workspace = ensure_workspace(session=session, team_id=actor.team_id)
    is_pm = Role.PM in roles_of(
        session=session, team_id=project.team_id, project_id=project.id, user_id=actor.user_id
    )
    if not is_pm and actor.user_id not in workspace.pmo_leads:
        raise NotPermitted(f"Only the PM of {project.key} or a PMO lead sets its retro cadence.")
    if weeks is not None and not 1 <= weeks <= CADENCE_MAX_WEEKS:
        raise InvalidInput({"weeks": f"A retro every 1 to {CADENCE_MAX_WEEKS} weeks, or `off`."})
    if project.retro_every_weeks != weeks:
        project.retro_every_weeks = weeks
        project.updated_at = now
        session.add(project)
        audit.record(
            session=session,
            team_id=project.team_id,
            actor=actor.user_id,
            action="project.retro_cadence_set",
            entity="project",
            entity_id=project.id,
            at=now,
            detail={"project": project.key, "every_weeks": weeks},
        )
    return CadenceSet(project, weeks)


def _already_open(retro: Retro | None, project: Project, time_zone: str) -> str:
    if retro is None:
        return f"A retrospective of {project.key} was opened a moment ago."
    closes = retro.closes_at.astimezone(zone(time_zone))
    until = f"{day(closes.date())} {closes:%H:%M}"
    return (
        f"{retro_label(retro, project)} is open until {until}: contribute from the direct "
        "message it sent you. One retrospective at a time."
    )
