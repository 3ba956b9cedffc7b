"""Improvement actions: what a retrospective decided, with an owner, a due date and, once
done, a one-line outcome.

The project's PM, the retro's facilitator or a PMO lead turns an item of the retro into
an action. An anonymous item works the same: the action keeps the item's text, never its
author. The owner is told with a *Close* button; they (or the PM, or a PMO lead) close it
with its outcome. Both are audited; closing twice changes nothing. The nudge job reminds
the owner before and after the due date (workflows/action_nudges.py); open actions are
carried into the project's next retro.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session

from storage import audit, retro_action_log
from storage.models import ActionStatus, Project, Retro, RetroAction, RetroItem, Role
from storage.projects import holders, roles_by_project
from storage.workspaces import ensure_workspace
from workflows import message_keys
from workflows.actor import Actor
from workflows.capacity import is_pmo_lead
from workflows.errors import InvalidInput, NotPermitted, PmoError, too_long
from workflows.markup import is_user_id, mentions
from workflows.outgoing import Outgoing
from workflows.periods import zone
from workflows.projects import resolve_project
from workflows.wording import day

TITLE_MAX = 200
OUTCOME_MAX = 300
TITLE, OWNER, DUE_ON, OUTCOME = "title", "owner", "due_on", "outcome"
USAGE = "/retro actions KEY"


@dataclass(frozen=True)
class ActionDraft:
    """What the form gives: the action, its owner and its due date."""

    title: str
    owner: str
    due_on: date | None


@dataclass(frozen=True)
class ActionAsk:
    """What the form for a new action shows: the item it comes from and the defaults."""

    item_id: int
    project: Project
    retro: Retro
    title: str
    today: date


@dataclass(frozen=True)
class ActionAssigned:
    """The owner's word that an action is theirs (message content)."""

    action: RetroAction
    project: Project


@dataclass(frozen=True)
class ActionMade:
    """A stored action and the message telling its owner."""

    action: RetroAction
    project: Project
    messages: list[Outgoing] = field(default_factory=list)


@dataclass(frozen=True)
class ActionClosed:
    """An action closed (`already`: it was closed before, and stays as it was)."""

    action: RetroAction
    project: Project
    already: bool
    messages: list[Outgoing] = field(default_factory=list)


def today_of(session: Session, team_id: str, now: datetime) -> date:
    """The day it is in the workspace's time zone."""
    workspace = ensure_workspace(session=session, team_id=team_id)
    return now.astimezone(zone(workspace.time_zone)).date()


def action_form(*, session: Session, actor: Actor, item_id: int, now: datetime) -> ActionAsk:
    """The form's contents for turning an item into an action, if the actor may."""
    item, retro, project = _item(session, actor, item_id)
    _require_may_make(session, actor, retro, project)
    title = " ".join(item.text.split())
    if len(title) > TITLE_MAX:
        title = title[: TITLE_MAX - 1].rstrip() + "…"
    return ActionAsk(item_id, project, retro, title, today_of(session, actor.team_id, now))


def make_action(
    *, session: Session, actor: Actor, item_id: int, draft: ActionDraft, now: datetime
) -> ActionMade:
    """The PM, the facilitator or a PMO lead makes an action of a retro item: stored,
    audited, and its owner told. InvalidInput names each wrong field."""
    item, retro, project = _item(session, actor, item_id)
    _require_may_make(session, actor, retro, project)
    errors: dict[str, str] = {}
    title = draft.title.strip()
    if not title:
        errors[TITLE] = "Say what is to be done."
    elif problem := too_long("The action", title, TITLE_MAX):
        errors[TITLE] = problem
    if not is_user_id(draft.owner):
        errors[OWNER] = "Choose the person who owns it."
    today = today_of(session, actor.team_id, now)
    if draft.due_on is None:
        errors[DUE_ON] = "Choose when it is due."
    elif draft.due_on < today:
        errors[DUE_ON] = f"The due date cannot be in the past (today is {day(today)})."
    if errors:
        raise InvalidInput(errors)
    assert draft.due_on is not None and project.id is not None and retro.id is not None
    action = RetroAction(
        team_id=actor.team_id,
        project_id=project.id,
        retro_id=retro.id,
        item_id=item.id,
        title=title,
        owner=draft.owner,
        due_on=draft.due_on,
        created_by=actor.user_id,
        created_at=now,
    )
    session.add(action)
    session.flush()
    assert action.id is not None
    # The item's id, never its author: an anonymous item stays anonymous in the trail.
    _audit(session, actor.user_id, retro_action_log.ACTION_CREATED, action, project, now)
    told = Outgoing(
        team_id=actor.team_id,
        key=message_keys.retro_action_assigned(action.id),
        to=action.owner,
        content=ActionAssigned(action, project),
    )
    return ActionMade(action, project, [told])


def close_form(*, session: Session, actor: Actor, action_id: int) -> tuple[RetroAction, Project]:
    """The action to close, if the actor may close it and it is still open."""
    action, project = _action(session, actor, action_id)
    _require_may_close(session, actor, action, project)
    if action.status == ActionStatus.DONE:
        raise PmoError(f"“{action.title}” is already closed: {action.outcome}")
    return action, project


def close_action(
    *, session: Session, actor: Actor, action_id: int, outcome: str, now: datetime
) -> ActionClosed:
    """The owner, the PM or a PMO lead closes the action with its one-line outcome,
    audited. An action already closed stays as it was (a double click)."""
    action, project = _action(session, actor, action_id)
    _require_may_close(session, actor, action, project)
    if action.status == ActionStatus.DONE:
        return ActionClosed(action, project, already=True)
    said = " ".join(outcome.split())
    if not said:
        raise InvalidInput({OUTCOME: "Say in a line what came of it."})
    if problem := too_long("The outcome", said, OUTCOME_MAX):
        raise InvalidInput({OUTCOME: problem})
    action.status = ActionStatus.DONE
    action.outcome = said
    action.closed_at = now
    session.add(action)
    _audit(session, actor.user_id, retro_action_log.ACTION_CLOSED, action, project, now)
    return ActionClosed(action, project, already=False)


def my_open_actions(*, session: Session, actor: Actor) -> list[tuple[RetroAction, Project]]:
    """The actor's open actions, soonest due first."""
    return retro_action_log.open_actions(
        session=session, team_id=actor.team_id, owner=actor.user_id
    )


def project_open_actions(
    *, session: Session, actor: Actor, key: str | None
) -> tuple[Project, list[tuple[RetroAction, Project]]]:
    """A project's open actions (the key's, else the channel's project)."""
    project = resolve_project(
        session=session, team_id=actor.team_id, key=key, channel_id=actor.channel_id, usage=USAGE
    )
    return project, retro_action_log.open_actions(
        session=session, team_id=actor.team_id, project_id=project.id
    )


# -- who may --------------------------------------------------------------------------------


def _require_may_make(session: Session, actor: Actor, retro: Retro, project: Project) -> None:
    assert project.id is not None
    pms = holders(session=session, team_id=project.team_id, project_id=project.id, role=Role.PM)
    workspace = ensure_workspace(session=session, team_id=actor.team_id)
    if actor.user_id in (*pms, retro.facilitator) or is_pmo_lead(workspace, actor.user_id):
        return
    who = mentions(list(dict.fromkeys([*pms, retro.facilitator])))
    raise NotPermitted(
        f"Only the PM or the retro's facilitator ({who}), or a PMO lead, makes actions of "
        f"{project.key}'s retro."
    )


def _require_may_close(
    session: Session, actor: Actor, action: RetroAction, project: Project
) -> None:
    assert project.id is not None
    pms = holders(session=session, team_id=project.team_id, project_id=project.id, role=Role.PM)
    workspace = ensure_workspace(session=session, team_id=actor.team_id)
    if actor.user_id in (action.owner, *pms) or is_pmo_lead(workspace, actor.user_id):
        return
    raise NotPermitted(
        f"Only its owner ({mentions([action.owner])}), the PM of {project.key} or a PMO lead "
        "closes this action."
    )


def project_people(session: Session, project: Project) -> set[str]:
    """Everyone holding a role on the project."""
    assert project.id is not None
    roles = roles_by_project(session=session, team_id=project.team_id, project_ids=[project.id])
    return {user for users in roles.get(project.id, {}).values() for user in users}


def _item(session: Session, actor: Actor, item_id: int) -> tuple[RetroItem, Retro, Project]:
    found = retro_action_log.find_item(session=session, team_id=actor.team_id, item_id=item_id)
    if found is None:
        raise PmoError("That retro item is no longer there.")
    return found


def _action(session: Session, actor: Actor, action_id: int) -> tuple[RetroAction, Project]:
    found = retro_action_log.find_action(
        session=session, team_id=actor.team_id, action_id=action_id
    )
    if found is None:
        raise PmoError("That action is no longer there.")
    return found


def _audit(
    session: Session, actor: str, what: str, action: RetroAction, project: Project, now: datetime
) -> None:
    audit.record(
        session=session,
        team_id=action.team_id,
        actor=actor,
        action=what,
        entity="retro_action",
        entity_id=action.id or 0,
        at=now,
        detail={
            "project": project.key,
            "retro_id": action.retro_id,
            "item_id": action.item_id,
            "title": action.title,
            "owner": action.owner,
            "due_on": action.due_on.isoformat(),
            "status": str(action.status),
            "outcome": action.outcome,
        },
    )
