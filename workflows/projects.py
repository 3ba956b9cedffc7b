"""Projects and their roles: who runs what, in which phase, and who may change it."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from storage import audit
from storage.models import Cadence, Project, ProjectType, Role
from storage.project_type_log import default_type, type_by_id, type_of
from storage.projects import (
    find_project,
    list_projects,
    project_in_channel,
    project_keys,
    roles_by_project,
    roles_of,
    set_role_holders,
)
from storage.workspaces import ensure_people, ensure_workspace
from workflows import message_keys
from workflows.actor import Actor
from workflows.dependency_alerts import alerts_about_upstream
from workflows.errors import InvalidInput, NoProjectHere, NotPermitted, UnknownProject, too_long
from workflows.lesson_suggestions import CREATED, suggested_lessons
from workflows.markup import mentions
from workflows.outgoing import Outgoing
from workflows.project_goals import (
    GoalLink,
    check_links,
    described,
    links_of,
    store_links,
    weights_for,
)

# ASCII only, checked before upper-casing: "ß".upper() is "SS".
KEY_PATTERN = re.compile(r"^[A-Za-z0-9]{2,10}$")
NAME_MAX = 200
GATE_RULES = ("all", "any", "2", "3", "4", "5")


@dataclass(frozen=True)
class ProjectDraft:
    """What a person asks a project to be, before the rules have looked at it."""

    key: str
    name: str
    pm: str | None
    sponsor: str | None
    phase: str
    approvers: list[str] = field(default_factory=list)
    members: list[str] = field(default_factory=list)
    channel_id: str | None = None
    start_date: date | None = None
    target_date: date | None = None
    budget: Decimal | None = None
    status_cadence: Cadence = Cadence.WEEKLY
    # The gate rule and days to decide (None: the project type's).
    gate_rule: str | None = None
    gate_pm_may_approve: bool = False
    gate_reject_ends: bool = True
    gate_sla_days: int | None = None
    # The goals it serves with their weights (None: left as they are).
    goals: list[GoalLink] | None = None
    # Its project type, for a new project (None: the workspace's default type).
    type_id: int | None = None


@dataclass(frozen=True)
class ProjectCard:
    """A project with the people in each role, ready to show."""

    project: Project
    roles: dict[Role, list[str]]

    @property
    def pm(self) -> str | None:
        """The project manager's user id, if one is named."""
        pms = self.roles.get(Role.PM, [])
        return pms[0] if pms else None


@dataclass(frozen=True)
class ProjectAnnouncement:
    """A project's card, posted when someone creates or changes it (message content)."""

    card: ProjectCard
    by: str
    verb: str


@dataclass(frozen=True)
class ProjectSaved:
    """A project as created or changed, and the messages that announce it."""

    project: Project
    messages: list[Outgoing] = field(default_factory=list)


def normalize_key(key: str) -> str:
    """Keys are compared and stored in capitals."""
    return key.strip().upper()


def phases_of(*, session: Session, team_id: str) -> list[str]:
    """The phases projects move through in this workspace, in order."""
    return list(ensure_workspace(session=session, team_id=team_id).phases)


def phases_of_project(*, session: Session, project: Project) -> list[str]:
    """The phases this project moves through: its type's, else (a project from before
    types) the workspace's."""
    kind = type_of(session=session, project=project)
    return list(kind.phases) if kind else phases_of(session=session, team_id=project.team_id)


def type_for(*, session: Session, team_id: str, type_id: int | None) -> ProjectType | None:
    """The type a new project's draft names (None: the default), or None if it names none
    of the workspace's."""
    if type_id is None:
        return default_type(session=session, team_id=team_id)
    return type_by_id(session=session, team_id=team_id, type_id=type_id)


def check_draft(
    *, session: Session, team_id: str, draft: ProjectDraft, editing: Project | None = None
) -> dict[str, str]:
    """What is wrong with the draft, field by field (empty when it may be saved)."""
    errors: dict[str, str] = {}
    key = normalize_key(draft.key)
    if editing is None:
        if not KEY_PATTERN.match(draft.key.strip()):
            errors["key"] = "A key is 2 to 10 letters or digits, like APOLLO or CRM2."
        elif find_project(session=session, team_id=team_id, key=key) is not None:
            errors["key"] = _key_taken(key)
    if not draft.name.strip():
        errors["name"] = "Give the project a name."
    elif problem := too_long("The name", draft.name, NAME_MAX):
        errors["name"] = problem
    errors.update(_phase_errors(session=session, team_id=team_id, draft=draft, editing=editing))
    if draft.start_date and draft.target_date and draft.target_date < draft.start_date:
        errors["target_date"] = "The target date can't be before the start date."
    if draft.budget is not None and draft.budget < 0:
        errors["budget"] = "A budget can't be negative."
    if draft.gate_rule is not None and draft.gate_rule not in GATE_RULES:
        errors["gate_rule"] = "Pick one of the approval rules."
    if draft.gate_sla_days is not None and not 1 <= draft.gate_sla_days <= 30:
        errors["gate_sla_days"] = "Approvers get 1 to 30 working days to decide."
    if draft.channel_id:
        other = project_in_channel(session=session, team_id=team_id, channel_id=draft.channel_id)
        if other is not None and (editing is None or other.id != editing.id):
            errors["channel"] = (
                f"That channel is already the home of {other.key}; each project needs its own."
            )
    if draft.goals is not None:
        errors.update(check_links(session=session, team_id=team_id, links=draft.goals))
    return errors


def _phase_errors(
    *, session: Session, team_id: str, draft: ProjectDraft, editing: Project | None
) -> dict[str, str]:
    # A new project's phase is one of its type's (blank: its first); an edited one's, one
    # of the phases it has.
    if editing is not None:
        if draft.phase not in phases_of_project(session=session, project=editing):
            return {"phase": f"Pick one of the phases of {editing.key}."}
        return {}
    kind = type_for(session=session, team_id=team_id, type_id=draft.type_id)
    if kind is None:
        return {"type": "Pick one of the workspace's project types."}
    if draft.phase and draft.phase not in kind.phases:
        return {"phase": f"Pick one of the phases of {kind.name}: {', '.join(kind.phases)}."}
    return {}


def new_project(
    *, session: Session, actor: Actor, draft: ProjectDraft, now: datetime
) -> ProjectSaved:
    """The actor creates a project from the draft (anyone may): stored with its roles and
    audited; its card is announced in its home channel, or to the actor when it has none.
    InvalidInput when the draft is wrong."""
    project = create_project(
        session=session, team_id=actor.team_id, actor=actor.user_id, draft=draft, now=now
    )
    saved = _announced(session=session, project=project, actor=actor, verb="created", now=now)
    # Lessons whose tags match the new project, told to its creator alone.
    lessons = suggested_lessons(
        session=session, project=project, to=actor.user_id, occasion=CREATED, words=[project.phase]
    )
    return replace(saved, messages=[*saved.messages, *lessons])


def edit_project(
    *, session: Session, actor: Actor, key: str, draft: ProjectDraft, now: datetime
) -> ProjectSaved:
    """The actor changes the project `key` to the draft (its PM, sponsor or creator may):
    stored and audited with what changed; its card is announced as for a new project, and
    a target date moved past a need date tells those waiting on the project at once."""
    project = update_project(
        session=session, team_id=actor.team_id, actor=actor.user_id, key=key, draft=draft, now=now
    )
    saved = _announced(session=session, project=project, actor=actor, verb="updated", now=now)
    alerts = alerts_about_upstream(session=session, project=project, now=now)
    return replace(saved, messages=[*saved.messages, *alerts])


def _announced(
    *, session: Session, project: Project, actor: Actor, verb: str, now: datetime
) -> ProjectSaved:
    # Each save is its own post (keyed by time): a card edited twice is announced twice.
    assert project.id is not None
    announcement = Outgoing(
        team_id=project.team_id,
        key=message_keys.project_announced(project.id, verb, now),
        to=project.channel_id or actor.user_id,
        content=ProjectAnnouncement(
            card=project_card(session=session, project=project), by=actor.user_id, verb=verb
        ),
    )
    return ProjectSaved(project=project, messages=[announcement])


def create_project(
    *, session: Session, team_id: str, actor: str, draft: ProjectDraft, now: datetime
) -> Project:
    """Create the project with its roles, audited; InvalidInput when the draft is wrong.
    Announces nothing: a person's action is `new_project`; the demo and the tests'
    factories call this directly."""
    ensure_workspace(session=session, team_id=team_id)
    errors = check_draft(session=session, team_id=team_id, draft=draft)
    if errors:
        raise InvalidInput(errors)
    kind = type_for(session=session, team_id=team_id, type_id=draft.type_id)
    assert kind is not None and kind.id is not None
    project = Project(
        team_id=team_id,
        key=normalize_key(draft.key),
        name=draft.name.strip(),
        channel_id=draft.channel_id,
        phase=draft.phase or kind.phases[0],
        start_date=draft.start_date,
        target_date=draft.target_date,
        budget=draft.budget,
        status_cadence=draft.status_cadence,
        gate_rule=draft.gate_rule or kind.gate_rule,
        gate_pm_may_approve=draft.gate_pm_may_approve,
        gate_reject_ends=draft.gate_reject_ends,
        gate_sla_days=draft.gate_sla_days or kind.gate_sla_days,
        type_id=kind.id,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(project)
    except IntegrityError:
        # Someone created the same key since the check above; the unique key refused ours.
        if find_project(session=session, team_id=team_id, key=project.key) is None:
            raise
        raise InvalidInput({"key": _key_taken(project.key)}) from None
    assert project.id is not None
    _assign_roles(session=session, team_id=team_id, project_id=project.id, draft=draft)
    _serve_goals(session=session, team_id=team_id, project_id=project.id, draft=draft)
    audit.record(
        session=session,
        team_id=team_id,
        actor=actor,
        action="project.created",
        entity="project",
        entity_id=project.id,
        at=now,
        detail={"key": project.key, **_describe(project, draft)},
    )
    return project


def update_project(
    *, session: Session, team_id: str, actor: str, key: str, draft: ProjectDraft, now: datetime
) -> Project:
    """Apply the draft to an existing project (its key stays), audited with what changed;
    NotPermitted unless `actor` may edit it. Announces nothing (see `edit_project`)."""
    project = get_project(session=session, team_id=team_id, key=key)
    require_may_edit(session=session, project=project, user_id=actor)
    errors = check_draft(session=session, team_id=team_id, draft=draft, editing=project)
    if errors:
        raise InvalidInput(errors)
    assert project.id is not None
    before = _describe(project, draft_of(session=session, project=project))
    project.name = draft.name.strip()
    project.channel_id = draft.channel_id
    project.phase = draft.phase
    project.start_date = draft.start_date
    project.target_date = draft.target_date
    project.budget = draft.budget
    project.status_cadence = draft.status_cadence
    project.gate_rule = draft.gate_rule or project.gate_rule
    project.gate_pm_may_approve = draft.gate_pm_may_approve
    project.gate_reject_ends = draft.gate_reject_ends
    project.gate_sla_days = draft.gate_sla_days or project.gate_sla_days
    project.updated_at = now
    session.add(project)
    _assign_roles(session=session, team_id=team_id, project_id=project.id, draft=draft)
    _serve_goals(session=session, team_id=team_id, project_id=project.id, draft=draft)
    after = _describe(project, draft)
    changes = {name: [before[name], after[name]] for name in after if before[name] != after[name]}
    audit.record(
        session=session,
        team_id=team_id,
        actor=actor,
        action="project.updated",
        entity="project",
        entity_id=project.id,
        at=now,
        detail={"key": project.key, "changes": changes},
    )
    return project


def set_archived(
    *, session: Session, team_id: str, actor: str, key: str, archived: bool, now: datetime
) -> Project:
    """Archive a finished project (or bring it back); its history stays."""
    project = get_project(session=session, team_id=team_id, key=key)
    require_may_edit(session=session, project=project, user_id=actor)
    if project.archived == archived:
        return project
    if not archived and project.channel_id:
        other = project_in_channel(session=session, team_id=team_id, channel_id=project.channel_id)
        if other is not None:
            raise InvalidInput(
                {"channel": f"Its home channel now belongs to {other.key}; edit one of them first."}
            )
    project.archived = archived
    project.updated_at = now
    session.add(project)
    audit.record(
        session=session,
        team_id=team_id,
        actor=actor,
        action="project.archived" if archived else "project.unarchived",
        entity="project",
        entity_id=project.id or 0,
        at=now,
        detail={"key": project.key},
    )
    return project


def get_project(*, session: Session, team_id: str, key: str) -> Project:
    """The project with this key, or UnknownProject naming the key and its close matches."""
    wanted = normalize_key(key)
    # Text that can't be a key (2 MB of it, say) is neither looked up nor compared.
    project = (
        find_project(session=session, team_id=team_id, key=wanted)
        if KEY_PATTERN.match(wanted)
        else None
    )
    if project is None:
        keys = project_keys(session=session, team_id=team_id) if len(wanted) <= 20 else []
        raise UnknownProject(wanted, difflib.get_close_matches(wanted, keys, n=3, cutoff=0.5))
    return project


def resolve_project(
    *, session: Session, team_id: str, key: str | None, channel_id: str | None, usage: str
) -> Project:
    """The project named by `key`, else the one whose home is `channel_id`."""
    if key:
        return get_project(session=session, team_id=team_id, key=key)
    if channel_id:
        project = project_in_channel(session=session, team_id=team_id, channel_id=channel_id)
        if project is not None:
            return project
    raise NoProjectHere(usage)


def project_card(*, session: Session, project: Project) -> ProjectCard:
    """The project with everyone's roles."""
    assert project.id is not None
    roles = roles_by_project(session=session, team_id=project.team_id, project_ids=[project.id])
    return ProjectCard(project=project, roles=dict(roles[project.id]))


def portfolio(*, session: Session, team_id: str) -> list[ProjectCard]:
    """Every active project in the workspace with its roles, ordered by key."""
    projects = list_projects(session=session, team_id=team_id)
    roles = roles_by_project(
        session=session, team_id=team_id, project_ids=[p.id for p in projects if p.id]
    )
    return [ProjectCard(project=p, roles=dict(roles[p.id])) for p in projects if p.id]


def may_edit(*, session: Session, project: Project, user_id: str) -> bool:
    """The PM, the sponsor and whoever created the project may change it."""
    assert project.id is not None
    if user_id == project.created_by:
        return True
    held = roles_of(
        session=session, team_id=project.team_id, project_id=project.id, user_id=user_id
    )
    return bool(held & {Role.PM, Role.SPONSOR})


def require_may_edit(*, session: Session, project: Project, user_id: str) -> None:
    """Raise NotPermitted naming who may change the project, unless `user_id` may."""
    if may_edit(session=session, project=project, user_id=user_id):
        return
    card = project_card(session=session, project=project)
    who = [u for role in (Role.PM, Role.SPONSOR) for u in card.roles.get(role, [])]
    names = mentions(list(dict.fromkeys([*who, project.created_by])))
    raise NotPermitted(
        f"Only the PM, the sponsor or the creator of {project.key} ({names}) can change it."
    )


def draft_of(*, session: Session, project: Project) -> ProjectDraft:
    """The project as a draft: what the edit form starts from."""
    card = project_card(session=session, project=project)
    return ProjectDraft(
        key=project.key,
        name=project.name,
        pm=card.pm,
        sponsor=(card.roles.get(Role.SPONSOR) or [None])[0],
        approvers=list(card.roles.get(Role.APPROVER, [])),
        members=list(card.roles.get(Role.MEMBER, [])),
        channel_id=project.channel_id,
        phase=project.phase,
        start_date=project.start_date,
        target_date=project.target_date,
        budget=project.budget,
        status_cadence=Cadence(project.status_cadence),
        gate_rule=project.gate_rule,
        gate_pm_may_approve=project.gate_pm_may_approve,
        gate_reject_ends=project.gate_reject_ends,
        gate_sla_days=project.gate_sla_days,
        goals=links_of(session=session, team_id=project.team_id, project_id=project.id or 0),
    )


def _key_taken(key: str) -> str:
    return f"{key} is already taken by another project. Pick another key."


def _assign_roles(*, session: Session, team_id: str, project_id: int, draft: ProjectDraft) -> None:
    wanted = {
        Role.PM: [draft.pm] if draft.pm else [],
        Role.SPONSOR: [draft.sponsor] if draft.sponsor else [],
        Role.APPROVER: list(draft.approvers),
        Role.MEMBER: list(draft.members),
    }
    everyone = [user for users in wanted.values() for user in users]
    ensure_people(session=session, team_id=team_id, user_ids=everyone)
    for role, user_ids in wanted.items():
        set_role_holders(
            session=session, team_id=team_id, project_id=project_id, role=role, user_ids=user_ids
        )


def _serve_goals(*, session: Session, team_id: str, project_id: int, draft: ProjectDraft) -> None:
    # The goals the draft names, if it names any (checked with the rest of the draft).
    if draft.goals is not None:
        weights = weights_for(session=session, team_id=team_id, links=draft.goals)
        store_links(session=session, team_id=team_id, project_id=project_id, weights=weights)


def _describe(project: Project, draft: ProjectDraft) -> dict[str, object]:
    # JSON-safe snapshot of what the audit row should show (the goals when the draft says).
    goals = {} if draft.goals is None else {"goals": described(draft.goals)}
    return {
        "name": project.name,
        "phase": project.phase,
        "channel_id": project.channel_id,
        "start_date": project.start_date.isoformat() if project.start_date else None,
        "target_date": project.target_date.isoformat() if project.target_date else None,
        "budget": str(project.budget) if project.budget is not None else None,
        "status_cadence": str(project.status_cadence),
        "gate_rule": project.gate_rule,
        "gate_pm_may_approve": project.gate_pm_may_approve,
        "gate_reject_ends": project.gate_reject_ends,
        "gate_sla_days": project.gate_sla_days,
        "pm": draft.pm,
        "sponsor": draft.sponsor,
        "approvers": sorted(draft.approvers),
        "members": sorted(draft.members),
        **goals,
    }
