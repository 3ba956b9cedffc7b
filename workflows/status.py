"""Status updates: who may post, what an honest update needs, what changed, the history.

Which projects owe an update (what is stale) is workflows/staleness.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal

from sqlmodel import Session, select

from storage import acknowledgements, audit, status_form_reads, status_history
from storage.models import (
    Acknowledgement,
    Project,
    Rag,
    Role,
    StatusUpdate,
    TeamCapacity,
    Workspace,
)
from storage.projects import holders, roles_of
from storage.workspaces import ensure_workspace
from workflows import message_keys
from workflows.actor import Actor
from workflows.dependency_alerts import alerts_about_upstream
from workflows.errors import InvalidInput, NotPermitted, PmoError, too_long
from workflows.markup import mention
from workflows.outgoing import Outgoing
from workflows.periods import Period, period_containing, zone
from workflows.projects import get_project, resolve_project

DIMENSIONS = ("schedule", "scope", "budget", "resources")


def dimensions_asked(of_type: list[str] | None) -> tuple[str, ...]:
    """The dimensions a project's updates ask, in the usual order: its type's (`of_type`),
    else all four. One the form does not ask takes the overall colour."""
    if not of_type:
        return DIMENSIONS
    return tuple(name for name in DIMENSIONS if name in of_type) or DIMENSIONS


HISTORY_LENGTH = 10
# Each text of an update is one section of the post; Slack shows at most 3,000 characters.
TEXT_MAX = 3000
TEXTS = {
    "summary": "The summary",
    "accomplishments": "The accomplishments",
    "next_steps": "The next steps",
    "blockers": "The blockers",
    "path_to_green": "The path to green",
}


@dataclass(frozen=True)
class StatusDraft:
    """A status update as the PM gives it, before the rules have looked at it."""

    overall: Rag
    summary: str
    schedule: Rag = Rag.GREEN
    scope: Rag = Rag.GREEN
    budget: Rag = Rag.GREEN
    resources: Rag = Rag.GREEN
    percent_complete: int | None = None
    accomplishments: str = ""
    next_steps: str = ""
    blockers: str = ""
    path_to_green: str = ""
    spent_to_date: Decimal | None = None
    forecast_at_completion: Decimal | None = None
    # The team's capacity for the next two weeks (None: not said).
    team_capacity: TeamCapacity | None = None


@dataclass(frozen=True)
class ShortStatus:
    """What the short form gives; the rest of the update is carried from the last one."""

    overall: Rag
    summary: str
    path_to_green: str | None = None
    team_capacity: TeamCapacity | None = None


@dataclass(frozen=True)
class Changes:
    """What moved since the last update of an earlier period."""

    first_update: bool
    rag_moves: list[tuple[str, Rag, Rag]] = field(default_factory=list)
    percent_delta: int | None = None
    new_blockers: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class StatusPost:
    """An update's post in its project's channel (message content), with who has
    acknowledged it so far (none when it is first posted)."""

    project: Project
    update: StatusUpdate
    changes: Changes
    replaced: bool
    acknowledgements: tuple[Acknowledgement, ...] = ()


@dataclass(frozen=True)
class StatusRetired:
    """What an update's post becomes once a newer one of its period replaces it (message
    content)."""

    project: Project
    update: StatusUpdate
    newer: StatusUpdate


@dataclass(frozen=True)
class Posted:
    """A stored update with what it replaced, what changed, and the messages it causes."""

    update: StatusUpdate
    previous: StatusUpdate | None
    replaced: StatusUpdate | None
    changes: Changes
    project: Project
    messages: list[Outgoing] = field(default_factory=list)


@dataclass(frozen=True)
class HistoryLine:
    """One period's standing update, how many times it was posted, and who acknowledged
    it (user ids, first first)."""

    update: StatusUpdate
    versions: int
    acknowledged_by: tuple[str, ...] = ()


def check_draft(draft: StatusDraft) -> dict[str, str]:
    """What is wrong with the update, field by field (empty when it may be posted)."""
    errors: dict[str, str] = {}
    if not draft.summary.strip():
        errors["summary"] = "Write a line or two on where the project stands."
    for name, what in TEXTS.items():
        if problem := too_long(what, getattr(draft, name), TEXT_MAX):
            errors[name] = problem
    if draft.percent_complete is not None and not 0 <= draft.percent_complete <= 100:
        errors["percent_complete"] = "Percent complete is a whole number from 0 to 100."
    if draft.overall in (Rag.AMBER, Rag.RED) and not draft.path_to_green.strip():
        errors["path_to_green"] = (
            f"An {draft.overall.label.lower()} project needs a path to green: "
            "what will bring it back on track, and by when?"
        )
    for name in ("spent_to_date", "forecast_at_completion"):
        amount = getattr(draft, name)
        if amount is not None and amount < 0:
            errors[name] = "An amount can't be negative."
    return errors


def flags_for(draft: StatusDraft, project: Project, now: datetime, tz_name: str) -> list[str]:
    """Reasons a green update doesn't add up; stored with it and shown in the post."""
    if draft.overall != Rag.GREEN:
        return []
    flags = [
        f"green overall while {name} is off track"
        for name in DIMENSIONS
        if getattr(draft, name) == Rag.RED
    ]
    today = now.astimezone(zone(tz_name)).date()
    if project.target_date is not None and project.target_date < today:
        flags.append(f"green overall though the target date {project.target_date} has passed")
    return flags


def may_post(*, session: Session, project: Project, user_id: str) -> bool:
    """The project's PM and members may post its status."""
    assert project.id is not None
    held = roles_of(
        session=session, team_id=project.team_id, project_id=project.id, user_id=user_id
    )
    return bool(held & {Role.PM, Role.MEMBER})


def require_may_post(*, session: Session, project: Project, user_id: str) -> None:
    """Raise NotPermitted naming the PM unless `user_id` may post."""
    if may_post(session=session, project=project, user_id=user_id):
        return
    assert project.id is not None
    pms = holders(session=session, team_id=project.team_id, project_id=project.id, role=Role.PM)
    pm = mention(pms[0]) if pms else "its PM"
    raise NotPermitted(
        f"Only the PM and members of {project.key} post its status. Ask {pm}, who runs it, "
        "to post it or to add you as a member."
    )


def last_update(*, session: Session, project: Project) -> StatusUpdate | None:
    """The project's newest standing update."""
    assert project.id is not None
    return status_history.latest(session=session, team_id=project.team_id, project_id=project.id)


def carried_draft(previous: StatusUpdate | None, overall: Rag, summary: str) -> StatusDraft:
    """A draft with a new overall and summary, everything else carried from `previous`."""
    if previous is None:
        return StatusDraft(overall=overall, summary=summary)
    return replace(draft_from(previous), overall=overall, summary=summary)


def draft_from(update: StatusUpdate) -> StatusDraft:
    """An update as a draft: what the form is prefilled with."""
    return StatusDraft(
        overall=Rag(update.overall),
        summary=update.summary,
        schedule=Rag(update.schedule),
        scope=Rag(update.scope),
        budget=Rag(update.budget),
        resources=Rag(update.resources),
        percent_complete=update.percent_complete,
        accomplishments=update.accomplishments,
        next_steps=update.next_steps,
        blockers=update.blockers,
        path_to_green=update.path_to_green,
        spent_to_date=update.spent_to_date,
        forecast_at_completion=update.forecast_at_completion,
        team_capacity=TeamCapacity(update.team_capacity) if update.team_capacity else None,
    )


def current_period(*, workspace: Workspace, project: Project, now: datetime) -> Period:
    """The reporting period `now` falls in, for this project's cadence."""
    return period_containing(
        now,
        cadence=project.status_cadence,
        tz=zone(workspace.time_zone),
        due_weekday=workspace.status_due_weekday,
    )


def post_status(
    *,
    session: Session,
    actor: Actor,
    key: str | None,
    draft: StatusDraft,
    now: datetime,
    unreadable: dict[str, str] | None = None,
    usage: str = "/status KEY",
) -> Posted:
    """Post an update for the project named by `key` (else the actor's channel's project):
    only its PM and members may. A draft that breaks the rules (or has `unreadable` fields,
    which the form could not read) raises InvalidInput field by field; otherwise it is
    stored and audited as `post_update` says, with its post and the edit of any post it
    replaces."""
    project = _project_to_post(session, actor, key, usage)
    return _post_checked(session, project, actor, draft, now, unreadable or {})


def post_short_status(
    *,
    session: Session,
    actor: Actor,
    key: str | None,
    short: ShortStatus,
    now: datetime,
    usage: str,
) -> Posted:
    """The short form: a new overall and summary (and path to green and team capacity,
    when given), every other field carried from the project's last update; then as
    `post_status`."""
    project = _project_to_post(session, actor, key, usage)
    previous = last_update(session=session, project=project)
    draft = carried_draft(previous, short.overall, short.summary)
    if short.path_to_green is not None:
        draft = replace(draft, path_to_green=short.path_to_green)
    if short.team_capacity is not None:
        draft = replace(draft, team_capacity=short.team_capacity)
    return _post_checked(session, project, actor, draft, now, {})


def _project_to_post(session: Session, actor: Actor, key: str | None, usage: str) -> Project:
    project = resolve_project(
        session=session, team_id=actor.team_id, key=key, channel_id=actor.channel_id, usage=usage
    )
    require_may_post(session=session, project=project, user_id=actor.user_id)
    return project


def _post_checked(
    session: Session,
    project: Project,
    actor: Actor,
    draft: StatusDraft,
    now: datetime,
    unreadable: dict[str, str],
) -> Posted:
    # What the form could not read wins over what the rules say of the same field.
    errors = {**check_draft(draft), **unreadable}
    if errors:
        raise InvalidInput(errors)
    return post_update(session=session, project=project, author=actor.user_id, draft=draft, now=now)


def post_update(
    *, session: Session, project: Project, author: str, draft: StatusDraft, now: datetime
) -> Posted:
    """Store a checked update, audited (superseding this period's earlier one, which stays
    in history), with its post and, when it replaced one, the edit of the earlier post;
    a red or amber one also tells those waiting on the project's deliverables."""
    assert project.id is not None
    # Serialize updates of one project, so two posts can't both think they are current.
    session.exec(select(Project).where(Project.id == project.id).with_for_update()).one()
    workspace = ensure_workspace(session=session, team_id=project.team_id)
    period = current_period(workspace=workspace, project=project, now=now).label
    replaced = status_history.current_in_period(
        session=session, team_id=project.team_id, project_id=project.id, period=period
    )
    previous = status_history.latest_before_period(
        session=session, team_id=project.team_id, project_id=project.id, period=period
    )
    flags = flags_for(draft, project, now, workspace.time_zone)
    update = _new_update(project, period, author, draft, now, flags)
    _store(session, update, replaced)
    _audit_post(session, project, update, replaced, now)
    changes = changes_between(previous, update)
    troubled = update.overall in (Rag.RED, Rag.AMBER)
    return Posted(
        update=update,
        previous=previous,
        replaced=replaced,
        changes=changes,
        project=project,
        messages=[
            *_post_messages(project, update, replaced, changes),
            *(alerts_about_upstream(session=session, project=project, now=now) if troubled else []),
        ],
    )


def _new_update(
    project: Project, period: str, author: str, draft: StatusDraft, now: datetime, flags: list[str]
) -> StatusUpdate:
    assert project.id is not None
    return StatusUpdate(
        team_id=project.team_id,
        project_id=project.id,
        period=period,
        author=author,
        created_at=now,
        overall=draft.overall,
        schedule=draft.schedule,
        scope=draft.scope,
        budget=draft.budget,
        resources=draft.resources,
        percent_complete=draft.percent_complete,
        summary=draft.summary.strip(),
        accomplishments=draft.accomplishments.strip(),
        next_steps=draft.next_steps.strip(),
        blockers=draft.blockers.strip(),
        path_to_green=draft.path_to_green.strip(),
        spent_to_date=draft.spent_to_date,
        forecast_at_completion=draft.forecast_at_completion,
        team_capacity=draft.team_capacity,
        flagged=bool(flags),
        flags=flags,
    )


def _store(session: Session, update: StatusUpdate, replaced: StatusUpdate | None) -> None:
    if replaced is not None:
        # Step the old version aside first (pointing at itself until the new one has an id):
        # the database allows one standing update per project and period.
        replaced.superseded_by_id = replaced.id
        session.add(replaced)
        session.flush()
    session.add(update)
    session.flush()
    if replaced is not None:
        replaced.superseded_by_id = update.id
        session.add(replaced)


def _audit_post(
    session: Session,
    project: Project,
    update: StatusUpdate,
    replaced: StatusUpdate | None,
    now: datetime,
) -> None:
    audit.record(
        session=session,
        team_id=project.team_id,
        actor=update.author,
        action="status.edited" if replaced else "status.posted",
        entity="status_update",
        entity_id=update.id or 0,
        at=now,
        detail={
            "project": project.key,
            "period": update.period,
            "overall": Rag(update.overall).value,
            "flags": update.flags,
            "replaces": replaced.id if replaced else None,
        },
    )


def _post_messages(
    project: Project, update: StatusUpdate, replaced: StatusUpdate | None, changes: Changes
) -> list[Outgoing]:
    # The post goes to the project's channel (or, with none, to its author by DM).
    assert update.id is not None
    post = Outgoing(
        team_id=project.team_id,
        key=message_keys.status_posted(update.id),
        to=project.channel_id or update.author,
        content=StatusPost(project, update, changes, replaced=replaced is not None),
    )
    if replaced is None:
        return [post]
    assert replaced.id is not None
    retired = Outgoing(
        team_id=project.team_id,
        key=message_keys.status_retired(replaced.id),
        to=project.channel_id or replaced.author,
        content=StatusRetired(project, update=replaced, newer=update),
        update_key=message_keys.status_posted(replaced.id),
    )
    return [post, retired]


def post_of(
    *,
    session: Session,
    project: Project,
    update: StatusUpdate,
    acknowledged: list[Acknowledgement],
) -> StatusPost:
    """A standing update's post as it reads now, to edit it in place: what changed since
    the update before it, whether it replaced an earlier version, and the acknowledgements."""
    assert update.id is not None
    previous = status_history.latest_before_period(
        session=session,
        team_id=update.team_id,
        project_id=update.project_id,
        period=update.period,
        before_id=update.id,
    )
    versions = status_history.versions_by_period(
        session=session,
        team_id=update.team_id,
        project_id=update.project_id,
        periods=[update.period],
    )
    return StatusPost(
        project,
        update,
        changes_between(previous, update),
        replaced=versions.get(update.period, 1) > 1,
        acknowledgements=tuple(acknowledged),
    )


def changes_between(previous: StatusUpdate | None, current: StatusUpdate) -> Changes:
    """RAG moves, the percent delta and new blockers since `previous`."""
    if previous is None:
        return Changes(first_update=True)
    moves = [
        (name, Rag(getattr(previous, name)), Rag(getattr(current, name)))
        for name in ("overall", *DIMENSIONS)
        if getattr(previous, name) != getattr(current, name)
    ]
    delta = None
    if previous.percent_complete is not None and current.percent_complete is not None:
        delta = current.percent_complete - previous.percent_complete
    before = {_normalize(line) for line in _lines(previous.blockers)}
    new = [line for line in _lines(current.blockers) if _normalize(line) not in before]
    return Changes(first_update=False, rag_moves=moves, percent_delta=delta, new_blockers=new)


def _lines(text: str) -> list[str]:
    return [line.strip(" -•*\t") for line in text.splitlines() if line.strip(" -•*\t")]


def _normalize(line: str) -> str:
    return " ".join(line.lower().split())


def history(
    *, session: Session, project: Project, limit: int = HISTORY_LENGTH
) -> list[HistoryLine]:
    """The standing update of each of the last `limit` periods, oldest first."""
    assert project.id is not None
    updates = status_history.standing_history(
        session=session, team_id=project.team_id, project_id=project.id, limit=limit
    )
    versions = status_history.versions_by_period(
        session=session,
        team_id=project.team_id,
        project_id=project.id,
        periods=[u.period for u in updates],
    )
    acknowledged = acknowledgements.acknowledgements_of(
        session=session, team_id=project.team_id, update_ids=[u.id for u in updates if u.id]
    )
    return [
        HistoryLine(
            update=u,
            versions=versions.get(u.period, 1),
            acknowledged_by=tuple(a.user_id for a in acknowledged.get(u.id or 0, [])),
        )
        for u in reversed(updates)
    ]


def last_update_of(
    *, session: Session, actor: Actor, key: str | None, usage: str
) -> tuple[Project, StatusUpdate | None]:
    """The project named by `key` (else the actor's channel's) and its newest standing
    update; anyone in the workspace may read it."""
    project = resolve_project(
        session=session, team_id=actor.team_id, key=key, channel_id=actor.channel_id, usage=usage
    )
    return project, last_update(session=session, project=project)


def history_of(
    *, session: Session, actor: Actor, key: str | None, usage: str
) -> tuple[Project, list[HistoryLine]]:
    """The project named by `key` (else the actor's channel's) and its history, oldest
    first; anyone in the workspace may read it."""
    project = resolve_project(
        session=session, team_id=actor.team_id, key=key, channel_id=actor.channel_id, usage=usage
    )
    return project, history(session=session, project=project)


@dataclass(frozen=True)
class FormStart:
    """What a status form opens with: the project, the draft it is prefilled with (its last
    update; None before the first) and the dimensions its type asks."""

    project: Project
    draft: StatusDraft | None
    dimensions: tuple[str, ...]


def form_start(
    *, session: Session, actor: Actor, key: str | None, may_post_for: set[str]
) -> FormStart | None:
    """What the form opens with: `key`'s project, else the actor's channel's, once the actor
    may post its status. `may_post_for` holds the keys of the projects the actor runs or is a
    member of (the picker's choices): those need no second check. None when neither names a
    project and the actor has projects to pick from; refused when they have none."""
    reads = None
    if key:
        project = get_project(session=session, team_id=actor.team_id, key=key)
        reads = _form_reads(session, project)
    elif actor.channel_id:
        reads = status_form_reads.in_channel(
            session=session, team_id=actor.team_id, channel_id=actor.channel_id
        )
    if reads is None:
        if not may_post_for:
            raise PmoError(
                "You are not the PM or a member of any project, so there is no status for "
                "you to post. `/pmo list` shows the projects and their PMs."
            )
        return None
    if reads.project.key not in may_post_for:
        require_may_post(session=session, project=reads.project, user_id=actor.user_id)
    return _start_from(reads)


def form_start_for(*, session: Session, project: Project) -> FormStart:
    """What the form opens with for a project picked in it."""
    return _start_from(_form_reads(session, project))


def _form_reads(session: Session, project: Project) -> status_form_reads.FormReads:
    assert project.id is not None
    reads = status_form_reads.of_project(
        session=session, team_id=project.team_id, project_id=project.id
    )
    # Read in the same transaction that found the project: it is there.
    assert reads is not None
    return reads


def _start_from(reads: status_form_reads.FormReads) -> FormStart:
    return FormStart(
        project=reads.project,
        draft=draft_from(reads.update) if reads.update else None,
        dimensions=dimensions_asked(reads.dimensions),
    )
