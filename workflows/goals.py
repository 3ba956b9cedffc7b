"""Strategic goals: created by the PMO leads, owned by a leader, served by projects, and
measured by their owner's check-ins.

A PMO lead creates a goal (CHURN) with its owner, an optional target date and an optional
measure from a baseline to a target (churn 8 % to 5 %). Its owner or a PMO lead changes
it, archives it, and checks in the measure's latest value. A project's editors (or a PMO
lead) link it to goals with a weight: here one at a time, or in the project's form
(workflows/project_goals.py). How a goal is doing is workflows/goal_health.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from storage import audit, goal_log
from storage.models import Goal, GoalCheckin, Project, Workspace
from storage.workspaces import ensure_workspace
from workflows import message_keys
from workflows.actor import Actor
from workflows.capacity import is_pmo_lead, today_of
from workflows.errors import InvalidInput, NotPermitted, PmoError, too_long
from workflows.markup import is_user_id, mentions
from workflows.outgoing import Outgoing
from workflows.project_goals import GOAL_KEY, GoalLink, suggest, weights_for
from workflows.projects import get_project, may_edit
from workflows.quantity import PERCENT, NotAQuantity, parse_quantity

TITLE_MAX = 200
MEASURE_MAX = 100
UNIT_MAX = 20
NOTE_MAX = 1000


def parse_number(text: str, *, what: str) -> tuple[Decimal, bool]:
    """`8`, `8 %`, `-2.5` or `1.2m` as a number (workflows/quantity.py), and whether it was
    written as a percentage; ValueError naming `what` otherwise."""
    try:
        number, unit = parse_quantity(text)
    except NotAQuantity as exc:
        raise ValueError(f"{what}: {exc}") from None
    return number, unit == PERCENT


@dataclass(frozen=True)
class GoalDraft:
    """A goal as a person fills it in; the baseline and target as they typed them."""

    key: str
    title: str
    owner: str | None
    target_date: date | None = None
    measure: str = ""
    unit: str = ""
    baseline: str = ""
    target: str = ""


@dataclass(frozen=True)
class GoalOwnerNotice:
    """A person's word that they were made the owner of a goal (message content)."""

    goal: Goal
    by: str


@dataclass(frozen=True)
class GoalSaved:
    """A goal as created or changed, and the message telling a new owner."""

    goal: Goal
    changed: bool = True
    messages: list[Outgoing] = field(default_factory=list)


@dataclass(frozen=True)
class CheckedIn:
    """The check-in stored, and the one before it (None: the first)."""

    goal: Goal
    checkin: GoalCheckin
    previous: GoalCheckin | None
    messages: list[Outgoing] = field(default_factory=list)


@dataclass(frozen=True)
class Linked:
    """A project's link to a goal as it now stands, and its weight before (None: new)."""

    project: Project
    goal: Goal
    weight: int
    before: int | None
    messages: list[Outgoing] = field(default_factory=list)


@dataclass(frozen=True)
class _Measure:
    # The measure as it will be stored.
    measure: str
    unit: str
    baseline: Decimal | None
    target: Decimal | None


def get_goal(*, session: Session, team_id: str, key: str) -> Goal:
    """The goal with this key, or UnknownGoal naming the key and its close matches."""
    wanted = key.strip().upper()
    # Text that can't be a key is neither looked up nor compared.
    goal = (
        goal_log.find_goal(session=session, team_id=team_id, key=wanted)
        if GOAL_KEY.match(wanted)
        else None
    )
    if goal is None:
        goals = goal_log.goals_of(session=session, team_id=team_id, include_archived=True)
        raise suggest(wanted, [g.key for g in goals])
    return goal


def check_goal(
    *,
    session: Session,
    workspace: Workspace,
    draft: GoalDraft,
    now: datetime,
    editing: Goal | None = None,
) -> tuple[dict[str, str], _Measure]:
    """What is wrong with the draft, field by field (empty when it may be saved), and its
    measure as it would be stored."""
    errors: dict[str, str] = {}
    key = draft.key.strip().upper()
    if editing is None:
        if not GOAL_KEY.match(draft.key.strip()):
            errors["key"] = "A key is 2 to 10 letters or digits, like CHURN or NPS2027."
        elif goal_log.find_goal(session=session, team_id=workspace.team_id, key=key):
            errors["key"] = _key_taken(key)
    if not draft.title.strip():
        errors["title"] = "Give the goal a title."
    elif problem := too_long("The title", draft.title, TITLE_MAX):
        errors["title"] = problem
    if not is_user_id(draft.owner):
        errors["owner"] = "Name the goal's owner: the leader who answers for it."
    kept = editing is not None and draft.target_date == editing.target_date
    if draft.target_date and not kept and draft.target_date < today_of(workspace, now):
        errors["target_date"] = "The target date is in the past."
    measure, problems = _checked_measure(draft)
    return {**errors, **problems}, measure


def _checked_measure(draft: GoalDraft) -> tuple[_Measure, dict[str, str]]:
    # A measure is all or nothing: its name, where it starts and where it should get to.
    errors: dict[str, str] = {}
    values: dict[str, Decimal | None] = {"baseline": None, "target": None}
    percent = False
    for name, typed, what in (
        ("baseline", draft.baseline, "The baseline"),
        ("target", draft.target, "The target"),
    ):
        if typed.strip():
            try:
                values[name], in_percent = parse_number(typed, what=what)
                percent = percent or in_percent
            except ValueError as exc:
                errors[name] = str(exc)
    name, unit = draft.measure.strip(), draft.unit.strip() or ("%" if percent else "")
    if problem := too_long("The measure", name, MEASURE_MAX):
        errors["measure"] = problem
    if problem := too_long("The unit", unit, UNIT_MAX):
        errors["unit"] = problem
    if name or draft.unit.strip() or draft.baseline.strip() or draft.target.strip():
        if not name:
            errors.setdefault("measure", "Name what is measured, such as `Monthly churn`.")
        if not draft.baseline.strip():
            errors.setdefault("baseline", "Give where the measure starts, such as `8 %`.")
        if not draft.target.strip():
            errors.setdefault("target", "Give the value to reach, such as `5 %`.")
    baseline, target = values["baseline"], values["target"]
    if baseline is not None and baseline == target:
        errors.setdefault("target", "The target is the baseline: a measure must move.")
    return _Measure(name, unit, baseline, target), errors


def create_goal(*, session: Session, actor: Actor, draft: GoalDraft, now: datetime) -> GoalSaved:
    """A PMO lead creates a goal: checked, stored, audited; its owner (when someone else)
    is told. InvalidInput when the draft is wrong."""
    workspace = ensure_workspace(session=session, team_id=actor.team_id)
    require_pmo_lead(workspace, actor.user_id, "create goals")
    errors, measure = check_goal(session=session, workspace=workspace, draft=draft, now=now)
    if errors:
        raise InvalidInput(errors)
    assert draft.owner is not None
    goal = Goal(
        team_id=actor.team_id,
        key=draft.key.strip().upper(),
        title=draft.title.strip(),
        owner=draft.owner,
        target_date=draft.target_date,
        measure=measure.measure,
        unit=measure.unit,
        baseline=measure.baseline,
        target=measure.target,
        created_by=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(goal)
    except IntegrityError:
        # Someone created the same key since the check above; the unique key refused ours.
        if goal_log.find_goal(session=session, team_id=actor.team_id, key=goal.key) is None:
            raise
        raise InvalidInput({"key": _key_taken(goal.key)}) from None
    assert goal.id is not None
    _audit(session, actor, goal, "goal.created", now, {"key": goal.key, **_describe(goal)})
    return GoalSaved(goal, messages=_owner_told(goal, actor, now))


def edit_goal(
    *, session: Session, actor: Actor, key: str, draft: GoalDraft, now: datetime
) -> GoalSaved:
    """The goal's owner or a PMO lead changes it (its key stays): audited with what
    changed; a new owner is told."""
    goal = editable_goal(session=session, actor=actor, key=key)
    workspace = ensure_workspace(session=session, team_id=actor.team_id)
    errors, measure = check_goal(
        session=session, workspace=workspace, draft=draft, now=now, editing=goal
    )
    if errors:
        raise InvalidInput(errors)
    assert draft.owner is not None
    before, owner_before = _describe(goal), goal.owner
    goal.title = draft.title.strip()
    goal.owner = draft.owner
    goal.target_date = draft.target_date
    goal.measure, goal.unit = measure.measure, measure.unit
    goal.baseline, goal.target = measure.baseline, measure.target
    after = _describe(goal)
    changes = {name: [before[name], after[name]] for name in after if before[name] != after[name]}
    if not changes:
        return GoalSaved(goal, changed=False)
    goal.updated_at = now
    session.add(goal)
    _audit(session, actor, goal, "goal.updated", now, {"key": goal.key, "changes": changes})
    told = _owner_told(goal, actor, now) if goal.owner != owner_before else []
    return GoalSaved(goal, messages=told)


def set_archived(
    *, session: Session, actor: Actor, key: str, archived: bool, now: datetime
) -> GoalSaved:
    """The goal's owner or a PMO lead archives a goal met or dropped (or brings it back):
    it leaves the lists, the digest and Home; its history and links stay."""
    goal = get_goal(session=session, team_id=actor.team_id, key=key)
    workspace = ensure_workspace(session=session, team_id=actor.team_id)
    verb = "archive it" if archived else "bring it back"
    require_owner_or_lead(workspace, goal, actor.user_id, verb)
    if goal.archived == archived:
        return GoalSaved(goal, changed=False)
    goal.archived = archived
    goal.updated_at = now
    session.add(goal)
    action = "goal.archived" if archived else "goal.unarchived"
    _audit(session, actor, goal, action, now, {"key": goal.key})
    return GoalSaved(goal)


def check_in(
    *, session: Session, actor: Actor, key: str, value: str, note: str, now: datetime
) -> CheckedIn:
    """The goal's owner (or a PMO lead) records the measure's latest value, with a note:
    stored and audited. InvalidInput on `value` or `note` when they are wrong."""
    goal = checkable_goal(session=session, actor=actor, key=key)
    errors: dict[str, str] = {}
    number = None
    if not value.strip():
        errors["value"] = f"Give the latest value of {goal.measure}, such as `7.5`."
    else:
        try:
            number, _ = parse_number(value, what="The value")
        except ValueError as exc:
            errors["value"] = str(exc)
    if problem := too_long("The note", note, NOTE_MAX):
        errors["note"] = problem
    if errors:
        raise InvalidInput(errors)
    assert goal.id is not None and number is not None
    previous = goal_log.latest_checkins(session=session, team_id=actor.team_id).get(goal.id)
    checkin = GoalCheckin(
        team_id=actor.team_id,
        goal_id=goal.id,
        value=number,
        note=note.strip(),
        author=actor.user_id,
        created_at=now,
    )
    session.add(checkin)
    session.flush()
    detail = {"key": goal.key, "value": str(number), "note": checkin.note}
    _audit(session, actor, goal, "goal.checked_in", now, detail)
    return CheckedIn(goal, checkin, previous)


def checkable_goal(*, session: Session, actor: Actor, key: str) -> Goal:
    """The goal named, if the actor may check in its measure (its owner or a PMO lead) and
    it has one to check in: what the check-in form is opened for."""
    goal = get_goal(session=session, team_id=actor.team_id, key=key)
    workspace = ensure_workspace(session=session, team_id=actor.team_id)
    require_owner_or_lead(workspace, goal, actor.user_id, "check in its measure")
    if goal.archived:
        raise PmoError(f"{goal.key} is archived: `/goal unarchive {goal.key}` brings it back.")
    if not goal.measure or goal.baseline is None:
        raise PmoError(
            f"{goal.key} has no measure to check in: `/goal edit {goal.key}` gives it one."
        )
    return goal


def editable_goal(*, session: Session, actor: Actor, key: str) -> Goal:
    """The goal named, if the actor may change it (its owner or a PMO lead): what the edit
    form is opened for."""
    goal = get_goal(session=session, team_id=actor.team_id, key=key)
    workspace = ensure_workspace(session=session, team_id=actor.team_id)
    require_owner_or_lead(workspace, goal, actor.user_id, "change it")
    return goal


def require_may_create(*, session: Session, actor: Actor) -> None:
    """NotPermitted unless the actor may create goals (a PMO lead): asked before the form
    opens, and again when it is saved."""
    workspace = ensure_workspace(session=session, team_id=actor.team_id)
    require_pmo_lead(workspace, actor.user_id, "create goals")


def link_project(
    *, session: Session, actor: Actor, key: str, goal_key: str, weight: int, now: datetime
) -> Linked:
    """Link the project `key` to a goal with a weight from 0 to 100 (or change its
    weight): whoever may edit the project, or a PMO lead. Audited as a project change."""
    project = get_project(session=session, team_id=actor.team_id, key=key)
    workspace = ensure_workspace(session=session, team_id=actor.team_id)
    lead = is_pmo_lead(workspace, actor.user_id)
    if not lead and not may_edit(session=session, project=project, user_id=actor.user_id):
        raise NotPermitted(
            f"Only those who may change {project.key} (`/pmo show {project.key}` names them) "
            "or a PMO lead can link it to goals."
        )
    link = GoalLink(goal_key.strip().upper(), weight)
    [(goal_id, weight)] = weights_for(session=session, team_id=actor.team_id, links=[link]).items()
    goal = session.get(Goal, goal_id)
    assert goal is not None and project.id is not None
    links = goal_log.links_of_project(session=session, team_id=actor.team_id, project_id=project.id)
    before = next((pg.weight for pg, g in links if g.id == goal_id), None)
    if before != weight:
        goal_log.set_link(
            session=session,
            team_id=actor.team_id,
            project_id=project.id,
            goal_id=goal_id,
            weight=weight,
        )
        audit.record(
            session=session,
            team_id=actor.team_id,
            actor=actor.user_id,
            action="project.updated",
            entity="project",
            entity_id=project.id,
            at=now,
            detail={"key": project.key, "changes": {"goals": {goal.key: [before, weight]}}},
        )
    return Linked(project, goal, weight, before)


def require_pmo_lead(workspace: Workspace, user_id: str, doing: str) -> None:
    """NotPermitted naming the PMO leads (or saying how to name some), unless `user_id` is
    one of them."""
    if is_pmo_lead(workspace, user_id):
        return
    if not workspace.pmo_leads:
        raise NotPermitted(
            f"Only a PMO lead can {doing}, and this workspace names none yet: a Slack admin "
            "names them in `/pmo settings`."
        )
    raise NotPermitted(f"Only a PMO lead ({mentions(workspace.pmo_leads)}) can {doing}.")


def require_owner_or_lead(workspace: Workspace, goal: Goal, user_id: str, doing: str) -> None:
    """NotPermitted naming who may, unless `user_id` owns the goal or is a PMO lead."""
    if user_id == goal.owner or is_pmo_lead(workspace, user_id):
        return
    who = mentions(list(dict.fromkeys([goal.owner, *workspace.pmo_leads])))
    raise NotPermitted(f"Only the owner of {goal.key} or a PMO lead ({who}) can {doing}.")


def draft_of(goal: Goal) -> GoalDraft:
    """The goal as a draft: what the edit form starts from."""
    return GoalDraft(
        key=goal.key,
        title=goal.title,
        owner=goal.owner,
        target_date=goal.target_date,
        measure=goal.measure,
        unit=goal.unit,
        baseline=number_text(goal.baseline),
        target=number_text(goal.target),
    )


def number_text(value: Decimal | None) -> str:
    """A stored number as people write it: `8`, `7.25`, `1200000` (empty for none)."""
    if value is None:
        return ""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _owner_told(goal: Goal, actor: Actor, now: datetime) -> list[Outgoing]:
    # The owner hears of it, unless they made themselves the owner.
    if goal.owner == actor.user_id or goal.id is None:
        return []
    return [
        Outgoing(
            team_id=goal.team_id,
            key=message_keys.goal_owner_told(goal.id, goal.owner, now),
            to=goal.owner,
            content=GoalOwnerNotice(goal, actor.user_id),
        )
    ]


def _audit(
    session: Session,
    actor: Actor,
    goal: Goal,
    action: str,
    now: datetime,
    detail: dict[str, object],
) -> None:
    assert goal.id is not None
    audit.record(
        session=session,
        team_id=actor.team_id,
        actor=actor.user_id,
        action=action,
        entity="goal",
        entity_id=goal.id,
        at=now,
        detail=detail,
    )


def _describe(goal: Goal) -> dict[str, object]:
    # JSON-safe snapshot of what the audit row should show.
    return {
        "title": goal.title,
        "owner": goal.owner,
        "target_date": goal.target_date.isoformat() if goal.target_date else None,
        "measure": goal.measure,
        "unit": goal.unit,
        "baseline": number_text(goal.baseline) or None,
        "target": number_text(goal.target) or None,
    }


def _key_taken(key: str) -> str:
    return f"{key} is already taken by another goal. Pick another key."
