"""Status updates: who may post, what an honest update needs, what changed, what is stale."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal

from sqlmodel import Session, select

from storage import audit, status_history
from storage.models import Project, Rag, Role, StatusUpdate, Workspace
from storage.projects import holders, list_projects, roles_by_project, roles_of
from storage.workspaces import ensure_workspace
from workflows.errors import NotPermitted, too_long
from workflows.markup import mention
from workflows.periods import Period, period_containing, previous_period, zone

DIMENSIONS = ("schedule", "scope", "budget", "resources")
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


@dataclass(frozen=True)
class Changes:
    """What moved since the last update of an earlier period."""

    first_update: bool
    rag_moves: list[tuple[str, Rag, Rag]] = field(default_factory=list)
    percent_delta: int | None = None
    new_blockers: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Posted:
    """A stored update with what it replaced and what changed."""

    update: StatusUpdate
    previous: StatusUpdate | None
    replaced: StatusUpdate | None
    changes: Changes


@dataclass(frozen=True)
class StaleProject:
    """A project whose update is due (this period) or overdue (a whole period missed)."""

    project: Project
    pm: str | None
    last_update_at: datetime | None
    overdue: bool
    period: Period


@dataclass(frozen=True)
class HistoryLine:
    """One period's standing update and how many times it was posted."""

    update: StatusUpdate
    versions: int


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
    )


def current_period(*, workspace: Workspace, project: Project, now: datetime) -> Period:
    """The reporting period `now` falls in, for this project's cadence."""
    return period_containing(
        now,
        cadence=project.status_cadence,
        tz=zone(workspace.time_zone),
        due_weekday=workspace.status_due_weekday,
    )


def post_update(
    *, session: Session, project: Project, author: str, draft: StatusDraft, now: datetime
) -> Posted:
    """Store the update (superseding this period's earlier one, which stays in history)."""
    assert project.id is not None
    # Serialize updates of one project, so two posts can't both think they are current.
    session.exec(select(Project).where(Project.id == project.id).with_for_update()).one()
    workspace = ensure_workspace(session=session, team_id=project.team_id)
    period = current_period(workspace=workspace, project=project, now=now)
    replaced = status_history.current_in_period(
        session=session, team_id=project.team_id, project_id=project.id, period=period.label
    )
    previous = status_history.latest_before_period(
        session=session, team_id=project.team_id, project_id=project.id, period=period.label
    )
    flags = flags_for(draft, project, now, workspace.time_zone)
    update = StatusUpdate(
        team_id=project.team_id,
        project_id=project.id,
        period=period.label,
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
        flagged=bool(flags),
        flags=flags,
    )
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
    audit.record(
        session=session,
        team_id=project.team_id,
        actor=author,
        action="status.edited" if replaced else "status.posted",
        entity="status_update",
        entity_id=update.id or 0,
        at=now,
        detail={
            "project": project.key,
            "period": period.label,
            "overall": draft.overall.value,
            "flags": flags,
            "replaces": replaced.id if replaced else None,
        },
    )
    return Posted(
        update=update,
        previous=previous,
        replaced=replaced,
        changes=changes_between(previous, update),
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
    return [HistoryLine(update=u, versions=versions.get(u.period, 1)) for u in reversed(updates)]


def projects_needing_update(*, session: Session, team_id: str, now: datetime) -> list[StaleProject]:
    """Active projects whose update is due or overdue at `now`, in the workspace's time zone.

    Due: no update yet this period and its due day has come. Overdue: not even one in
    the previous period. A project whose last update put it on hold owes none.
    """
    workspace = ensure_workspace(session=session, team_id=team_id)
    tz = zone(workspace.time_zone)
    projects = list_projects(session=session, team_id=team_id)
    ids = [p.id for p in projects if p.id is not None]
    latest = status_history.latest_by_project(session=session, team_id=team_id, project_ids=ids)
    pms = roles_by_project(session=session, team_id=team_id, project_ids=ids)
    stale = []
    for project in projects:
        assert project.id is not None
        last = latest.get(project.id)
        if last is not None and last.overall == Rag.HOLD:
            continue
        period = period_containing(
            now, cadence=project.status_cadence, tz=tz, due_weekday=workspace.status_due_weekday
        )
        last_at = last.created_at if last else None
        if last_at is not None and last_at >= period.start:
            continue
        before = previous_period(
            period, cadence=project.status_cadence, tz=tz, due_weekday=workspace.status_due_weekday
        )
        overdue = (last_at is None or last_at < before.start) and project.created_at < period.start
        if overdue or now >= period.due_at:
            project_pms = pms[project.id].get(Role.PM, [])
            stale.append(
                StaleProject(
                    project=project,
                    pm=project_pms[0] if project_pms else None,
                    last_update_at=last_at,
                    overdue=overdue,
                    period=period,
                )
            )
    return stale
