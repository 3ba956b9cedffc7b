"""Dependencies between projects: a project waits on another's deliverable by a date.

The downstream project's PM or sponsor, or a PMO lead, records what it waits on; the
upstream's PM hears of it. The graph of open dependencies never has a cycle (the one a
new dependency would close is named and refused). A dependency ends delivered (either
side's PM or sponsor may say so) or dropped (the downstream's). What threatens a
dependency and who hears of it: workflows/dependency_threats.py and dependency_alerts.py.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session

from storage import audit
from storage.dependency_log import (
    dependencies_of,
    get_dependency,
    lock_dependencies,
    open_dependencies,
)
from storage.models import Dependency, DependencyStatus, Project, Role, Workspace
from storage.projects import list_projects, projects_with_role, roles_by_project
from storage.workspaces import ensure_workspace
from workflows import message_keys
from workflows.actor import Actor
from workflows.dependency_alerts import alerts_for
from workflows.dependency_threats import Reach, read_threats
from workflows.errors import InvalidInput, NotPermitted, PmoError, too_long
from workflows.markup import mentions, quoted
from workflows.outgoing import Outgoing
from workflows.periods import zone
from workflows.projects import get_project, resolve_project
from workflows.wording import day

DELIVERABLE_MAX = 200
USAGE_ADD = '/pmo depends KEY on OTHER "what it needs" by YYYY-MM-DD'
USAGE_LIST = "/pmo depends KEY"
ANSWERABLE = {Role.PM, Role.SPONSOR}


@dataclass(frozen=True)
class DependencyDraft:
    """What a person says a project waits on, before the rules have looked at it: the
    projects by key (`downstream` empty: the channel's project)."""

    downstream: str
    upstream: str
    deliverable: str
    need_by: date | None


@dataclass(frozen=True)
class DependencyNotice:
    """A PM's word that a dependency was added (the upstream's PM), delivered or dropped
    (message content); `change` is "added" or the dependency's new status."""

    dependency: Dependency
    downstream: Project
    upstream: Project
    by: str
    change: str


@dataclass(frozen=True)
class DependencySaved:
    """A dependency as added, delivered or dropped, and the messages that causes; when
    added, the threats that already reach the downstream project through it."""

    dependency: Dependency
    downstream: Project
    upstream: Project
    messages: list[Outgoing] = field(default_factory=list)
    dangers: list[Reach] = field(default_factory=list)


@dataclass(frozen=True)
class Listed:
    """One open dependency as a project sees it: the project on its other side."""

    dependency: Dependency
    other: Project


@dataclass(frozen=True)
class DependencyList:
    """What a project waits on and who waits on it, with the threats that reach it."""

    project: Project
    waits_on: list[Listed]
    waited_by: list[Listed]
    reaches: list[Reach]
    today: date


@dataclass(frozen=True)
class FormChoices:
    """The projects the dependency form offers: those the person may record a dependency
    for, and every active project it may wait on."""

    waiting: list[Project]
    upstream: list[Project]


def may_record(*, session: Session, workspace: Workspace, project: Project, user_id: str) -> bool:
    """The project's PM or sponsor, or a PMO lead, may say what it waits on."""
    return user_id in workspace.pmo_leads or user_id in _answerable(session, [project])


def add_dependency(
    *, session: Session, actor: Actor, draft: DependencyDraft, now: datetime
) -> DependencySaved:
    """The actor records that the downstream project waits on the upstream's deliverable by
    the need date: stored and audited, the upstream's PM told, and anyone a threat to it
    already reaches told at once. UnknownProject names close matches; NotPermitted says who
    may; InvalidInput names each wrong field (a need date before today in the workspace's
    zone, the same dependency twice, a project depending on itself, a cycle, named)."""
    team_id = actor.team_id
    workspace = ensure_workspace(session=session, team_id=team_id)
    downstream = resolve_project(
        session=session,
        team_id=team_id,
        key=draft.downstream or None,
        channel_id=actor.channel_id,
        usage=USAGE_ADD,
    )
    if not draft.upstream.strip():
        raise InvalidInput({"upstream": f"Name the project {downstream.key} waits on."})
    upstream = get_project(session=session, team_id=team_id, key=draft.upstream)
    if not may_record(
        session=session, workspace=workspace, project=downstream, user_id=actor.user_id
    ):
        raise NotPermitted(_who_may(session, workspace, downstream, what="say what it waits on"))
    lock_dependencies(session=session, team_id=team_id)
    today = now.astimezone(zone(workspace.time_zone)).date()
    errors = check_dependency(
        session=session, downstream=downstream, upstream=upstream, draft=draft, today=today
    )
    if errors:
        raise InvalidInput(errors)
    assert draft.need_by is not None and downstream.id is not None and upstream.id is not None
    dependency = Dependency(
        team_id=team_id,
        downstream_id=downstream.id,
        upstream_id=upstream.id,
        deliverable=" ".join(draft.deliverable.split()),
        need_by=draft.need_by,
        created_by=actor.user_id,
        created_at=now,
    )
    session.add(dependency)
    session.flush()
    _audit(session, dependency, downstream, upstream, actor.user_id, "dependency.added", now)
    told = _notices(session, dependency, downstream, upstream, actor.user_id, "added", [upstream])
    found = read_threats(session=session, team_id=team_id, now=now)
    through = [reach for reach in found.reaches if reach.passes(upstream.id, downstream.id)]
    alerts = alerts_for(session=session, team_id=team_id, reached=through, today=found.today)
    dangers = [reach for reach in through if reach.waiting.id == downstream.id]
    return DependencySaved(dependency, downstream, upstream, [*told, *alerts], dangers)


def check_dependency(
    *,
    session: Session,
    downstream: Project,
    upstream: Project,
    draft: DependencyDraft,
    today: date,
) -> dict[str, str]:
    """What is wrong with the dependency, field by field (empty when it may be stored)."""
    errors: dict[str, str] = {}
    deliverable = " ".join(draft.deliverable.split())
    if not deliverable:
        errors["deliverable"] = (
            f"Say what {downstream.key} needs from {upstream.key}, such as “payment API”."
        )
    elif problem := too_long("The deliverable", deliverable, DELIVERABLE_MAX):
        errors["deliverable"] = problem
    if draft.need_by is None:
        errors["need_by"] = f"Give the day {downstream.key} needs it by, as YYYY-MM-DD."
    elif draft.need_by < today:
        errors["need_by"] = (
            f"The need date {day(draft.need_by)} has passed: pick today "
            f"({day(today)}) or a later day."
        )
    if downstream.archived:
        errors["downstream"] = f"{downstream.key} is archived: it waits on nothing now."
    if upstream.id == downstream.id:
        errors["upstream"] = (
            f"A project can't depend on itself: name the one {upstream.key} waits on."
        )
    elif upstream.archived:
        errors["upstream"] = f"{upstream.key} is archived: it delivers nothing now."
    if errors.keys() & {"upstream", "downstream"}:
        return errors
    graph = open_dependencies(session=session, team_id=downstream.team_id)
    if deliverable and (twin := _twin(graph, downstream, upstream, deliverable)):
        errors["deliverable"] = (
            f"{downstream.key} already waits on {upstream.key} for “{quoted(twin.deliverable)}” "
            f"(#{twin.id}, by {day(twin.need_by)})."
        )
    cycle = _cycle(session, graph, downstream, upstream)
    if cycle:
        errors["upstream"] = (
            f"That would make a cycle: {' → '.join(cycle)} (each would wait on the next). "
            "Drop or deliver one of those dependencies first."
        )
    return errors


def close_dependency(
    *,
    session: Session,
    actor: Actor,
    dependency_id: int,
    status: DependencyStatus,
    key: str | None = None,
    now: datetime,
) -> DependencySaved:
    """The dependency ends `status` (delivered: either side's PM or sponsor, or a PMO lead,
    may say so; dropped: the downstream's or a PMO lead), audited, the other side's PM
    told. `key`, when given, must name one of its two projects."""
    assert status in (DependencyStatus.DELIVERED, DependencyStatus.DROPPED)
    team_id = actor.team_id
    workspace = ensure_workspace(session=session, team_id=team_id)
    project = get_project(session=session, team_id=team_id, key=key) if key else None
    dependency = get_dependency(session=session, team_id=team_id, dependency_id=dependency_id)
    if dependency is None or (
        project is not None and project.id not in (dependency.downstream_id, dependency.upstream_id)
    ):
        where = f"{project.key} has" if project else "There is"
        raise PmoError(f"{where} no dependency #{dependency_id}. `{USAGE_LIST}` lists them.")
    downstream = session.get(Project, dependency.downstream_id)
    upstream = session.get(Project, dependency.upstream_id)
    assert downstream is not None and upstream is not None
    sides = [downstream, upstream] if status == DependencyStatus.DELIVERED else [downstream]
    if actor.user_id not in workspace.pmo_leads and actor.user_id not in _answerable(
        session, sides
    ):
        what = "say it was delivered" if len(sides) == 2 else "drop it"
        raise NotPermitted(_who_may(session, workspace, *sides, what=what))
    if dependency.status != DependencyStatus.OPEN:
        raise PmoError(f"#{dependency.id} is already {dependency.status}.")
    dependency.status = status
    session.add(dependency)
    _audit(session, dependency, downstream, upstream, actor.user_id, f"dependency.{status}", now)
    told = _notices(
        session,
        dependency,
        downstream,
        upstream,
        actor.user_id,
        status.value,
        [downstream, upstream],
    )
    return DependencySaved(dependency, downstream, upstream, told)


def list_dependencies(
    *, session: Session, actor: Actor, key: str | None, now: datetime
) -> DependencyList:
    """What the project (named, else the channel's) waits on and who waits on it, open
    ones by need date, with the threats that reach it."""
    project = resolve_project(
        session=session,
        team_id=actor.team_id,
        key=key,
        channel_id=actor.channel_id,
        usage=USAGE_LIST,
    )
    assert project.id is not None
    found = dependencies_of(session=session, team_id=actor.team_id, project_id=project.id)
    waits_on, waited_by = [], []
    for dependency in found:
        if dependency.downstream_id == project.id:
            other = session.get(Project, dependency.upstream_id)
            assert other is not None
            waits_on.append(Listed(dependency, other))
        else:
            other = session.get(Project, dependency.downstream_id)
            assert other is not None
            waited_by.append(Listed(dependency, other))
    threats = read_threats(session=session, team_id=actor.team_id, now=now)
    return DependencyList(project, waits_on, waited_by, threats.reaching(project.id), threats.today)


def form_choices(*, session: Session, actor: Actor) -> FormChoices:
    """What the dependency form offers the actor: the projects they run or sponsor (every
    active project for a PMO lead), and every active project to wait on."""
    workspace = ensure_workspace(session=session, team_id=actor.team_id)
    active = list_projects(session=session, team_id=actor.team_id)
    if actor.user_id in workspace.pmo_leads:
        return FormChoices(active, active)
    mine = projects_with_role(
        session=session, team_id=actor.team_id, user_id=actor.user_id, roles=ANSWERABLE
    )
    return FormChoices(mine, active)


def _twin(
    graph: list[Dependency], downstream: Project, upstream: Project, deliverable: str
) -> Dependency | None:
    # The same need recorded before: same projects, same deliverable in any case or spacing.
    wanted = deliverable.casefold()
    for dependency in graph:
        if (dependency.downstream_id, dependency.upstream_id) == (
            downstream.id,
            upstream.id,
        ) and " ".join(dependency.deliverable.split()).casefold() == wanted:
            return dependency
    return None


def _cycle(
    session: Session, graph: list[Dependency], downstream: Project, upstream: Project
) -> list[str]:
    # The keys around the cycle the new dependency would close (downstream first and last),
    # found by following what the upstream waits on, breadth first; empty when none.
    waits_on: dict[int, list[int]] = defaultdict(list)
    for dependency in graph:
        waits_on[dependency.downstream_id].append(dependency.upstream_id)
    assert upstream.id is not None and downstream.id is not None
    came_from: dict[int, int | None] = {upstream.id: None}
    queue = deque([upstream.id])
    while queue:
        current = queue.popleft()
        if current == downstream.id:
            path = [current]
            while (before := came_from[path[-1]]) is not None:
                path.append(before)
            ids = [downstream.id, *reversed(path)]
            keys = {p.id: p.key for p in list_projects(session=session, team_id=downstream.team_id)}
            return [keys.get(project_id, "?") for project_id in ids]
        for project_id in waits_on.get(current, []):
            if project_id not in came_from:
                came_from[project_id] = current
                queue.append(project_id)
    return []


def _answerable(session: Session, projects: list[Project]) -> set[str]:
    # The PMs and sponsors of the projects.
    ids = [p.id for p in projects if p.id is not None]
    roles = roles_by_project(session=session, team_id=projects[0].team_id, project_ids=ids)
    return {user for held in roles.values() for role in ANSWERABLE for user in held.get(role, [])}


def _who_may(session: Session, workspace: Workspace, *projects: Project, what: str = "") -> str:
    keys = " or ".join(p.key for p in projects)
    people = mentions(sorted(_answerable(session, list(projects))))
    leads = f" ({mentions(workspace.pmo_leads)})" if workspace.pmo_leads else ""
    named = f" ({people})" if people else ""
    return f"Only the PM or sponsor of {keys}{named} or a PMO lead{leads} can {what}."


def _audit(
    session: Session,
    dependency: Dependency,
    downstream: Project,
    upstream: Project,
    actor: str,
    action: str,
    now: datetime,
) -> None:
    assert dependency.id is not None
    audit.record(
        session=session,
        team_id=dependency.team_id,
        actor=actor,
        action=action,
        entity="dependency",
        entity_id=dependency.id,
        at=now,
        detail={
            "downstream": downstream.key,
            "upstream": upstream.key,
            "deliverable": dependency.deliverable,
            "need_by": dependency.need_by.isoformat(),
        },
    )


def _notices(
    session: Session,
    dependency: Dependency,
    downstream: Project,
    upstream: Project,
    actor: str,
    change: str,
    told: list[Project],
) -> list[Outgoing]:
    # The PMs of the projects `told`, but not whoever made the change.
    assert dependency.id is not None
    ids = [p.id for p in told if p.id is not None]
    roles = roles_by_project(session=session, team_id=dependency.team_id, project_ids=ids)
    pms = [user for project_id in ids for user in roles[project_id].get(Role.PM, [])]
    notice = DependencyNotice(dependency, downstream, upstream, actor, change)
    return [
        Outgoing(
            team_id=dependency.team_id,
            key=message_keys.dependency_notice(dependency.id, change, user),
            to=user,
            content=notice,
        )
        for user in dict.fromkeys(pms)
        if user != actor
    ]
