"""The "Project" picker at the top of forms: your projects first, searchable past 100.

One listener serves every form that has it: each surface describes its form with a
`PickerForm` (whose projects it offers, and how the form refills when one is picked) and
calls `serve(app, form)` from its `register`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.models.blocks import (
    ExternalDataSelectElement,
    InputBlock,
    Option,
    OptionGroup,
    StaticSelectElement,
)
from sqlmodel import Session

from commands import payload
from storage.db import Database
from storage.models import Project, Role
from storage.projects import held_roles
from workflows.actor import Actor
from workflows.projects import get_project

STATIC_SELECT_MAX = 100


@dataclass(frozen=True)
class ProjectChoice:
    """A project the person may pick, and whether they run it (those come first)."""

    key: str
    name: str
    runs_it: bool

    def option(self) -> Option:
        return Option(value=self.key, label=f"{self.key} · {self.name}"[:75])


def project_choices(
    *, session: Session, team_id: str, user_id: str, roles: set[Role]
) -> list[ProjectChoice]:
    """Projects where the person holds one of `roles`: those they run (PM) first."""
    held = held_roles(session=session, team_id=team_id, user_id=user_id, roles=roles)
    run = {key for key, _name, role in held if role == Role.PM}
    names = {key: name for key, name, _role in held}  # by key, each project once
    return [ProjectChoice(key, name, True) for key, name in names.items() if key in run] + [
        ProjectChoice(key, name, False) for key, name in names.items() if key not in run
    ]


def project_picker(
    choices: list[ProjectChoice],
    selected: ProjectChoice | None,
    *,
    block_id: str,
    action_id: str,
    refills: bool = False,
) -> InputBlock:
    """A static select grouped by role, or an external (searched) one past 100 projects.

    `refills`: picking a project sends an action, so the form can refill for it.
    """
    initial = selected.option() if selected else None
    element: Any
    if len(choices) > STATIC_SELECT_MAX:
        element = ExternalDataSelectElement(
            action_id=action_id,
            placeholder="Type a key or name",
            min_query_length=0,
            initial_option=initial,
        )
    else:
        groups = [
            OptionGroup(label=label, options=[c.option() for c in choices if c.runs_it is runs])
            for label, runs in (("Projects you run", True), ("Your other projects", False))
            if any(c.runs_it is runs for c in choices)
        ]
        if selected is not None and selected.key not in {c.key for c in choices}:
            groups.append(OptionGroup(label="This channel's project", options=[selected.option()]))
        element = StaticSelectElement(
            action_id=action_id, option_groups=groups, initial_option=initial
        )
    return InputBlock(
        block_id=block_id, label="Project", element=element, dispatch_action=refills or None
    )


def project_options(choices: list[ProjectChoice], typed: str) -> list[dict[str, Any]]:
    """Options for the external picker: matches on key or name, at most 100."""
    needle = typed.strip().lower()
    found = [c for c in choices if needle in c.key.lower() or needle in c.name.lower()]
    return [c.option().to_dict() for c in found[:STATIC_SELECT_MAX]]


# Builds the form again for the project picked, from the person's choices.
Refill = Callable[[Session, Actor, Project, list["ProjectChoice"]], dict[str, Any]]


@dataclass(frozen=True)
class PickerForm:
    """A form that starts with the project picker: the roles whose projects it offers and,
    when picking refills the form, how to build it for the project picked."""

    action_id: str
    roles: frozenset[Role]
    refill: Refill | None = None

    def choices(self, *, session: Session, actor: Actor) -> list[ProjectChoice]:
        """The projects the person may pick here: those they run first."""
        return project_choices(
            session=session, team_id=actor.team_id, user_id=actor.user_id, roles=set(self.roles)
        )


def serve(app: App, form: PickerForm) -> None:
    """Answer `form`'s picker: its options past 100 projects and, if it refills, the pick."""

    def suggest(ack: Ack, body: dict[str, Any], db: Database) -> None:
        suggest_projects(ack=ack, body=body, db=db, form=form)

    def pick(ack: Ack, body: dict[str, Any], client: WebClient, db: Database) -> None:
        pick_project(ack=ack, body=body, client=client, db=db, form=form)

    app.options(form.action_id)(suggest)
    if form.refill is not None:
        app.action(form.action_id)(pick)


def suggest_projects(*, ack: Ack, body: dict[str, Any], db: Database, form: PickerForm) -> None:
    """Options for the external picker: the person's projects matching what they typed."""
    actor = payload.sender(body)
    with db.reading() as session:
        choices = form.choices(session=session, actor=actor)
    ack(options=project_options(choices, payload.typed(body)))


def pick_project(
    *, ack: Ack, body: dict[str, Any], client: WebClient, db: Database, form: PickerForm
) -> None:
    """A project was picked: the form is built again for it, in place."""
    ack()
    assert form.refill is not None
    actor, key = payload.sender(body), payload.picked_option(body)
    view_id, version = payload.view_version(body)
    with db.reading() as session:
        project = get_project(session=session, team_id=actor.team_id, key=key)
        choices = form.choices(session=session, actor=actor)
        view = form.refill(session, actor, project, choices)
    client.views_update(view_id=view_id, hash=version, view=view)
