"""`/pmo`: help, projects with their roles (new, list, show, edit, archive), the workspace's
settings, and pausing one's own nudges."""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from commands import (
    benefit,
    depends,
    payload,
    project_card,
    project_form,
    project_type,
    settings_form,
)
from commands.api_tokens import api_verb
from commands.context import Clock, Delivery
from commands.help import help_blocks
from commands.mrkdwn import day, quoted
from commands.pmo_export import send_export
from commands.project_card import portfolio_blocks, project_card_blocks
from commands.slack_person import is_slack_admin
from storage.db import Database
from storage.goal_log import has_active_goals
from storage.project_type_log import types_of
from workflows import projects, retros, workspace_policy
from workflows.actor import Actor
from workflows.errors import InvalidInput, PmoError
from workflows.wording import count

USAGE_SHOW = "/pmo show KEY"
USAGE_EDIT = "/pmo edit KEY"
USAGE_PAUSE = "/pmo pause until YYYY-MM-DD"
PAUSE_TEXT = re.compile(r"until\s+([0-9]{4}-[0-9]{2}-[0-9]{2})", re.IGNORECASE)


def register(app: App) -> None:
    """Attach `/pmo` and the project form to the app."""
    app.command("/pmo")(pmo_command)
    app.view(project_form.CALLBACK_ID)(save_project)
    app.action(project_card.EDIT_ACTION)(edit_from_card)
    app.view(settings_form.CALLBACK_ID)(save_settings)
    app.options(settings_form.TIME_ZONE_ACTION)(suggest_time_zones)
    benefit.register(app)
    depends.register(app)
    project_type.register(app)


@dataclass(frozen=True)
class PmoAsk:
    """One `/pmo` command: who typed it, the words after its verb, and what answers it."""

    verb: str
    rest: str
    actor: Actor
    command: dict[str, Any]
    respond: Respond
    client: WebClient
    db: Database
    clock: Clock
    delivery: Delivery

    @property
    def trigger_id(self) -> str:
        """The command's trigger, for the verbs that open a form."""
        return payload.trigger_id(self.command)


def pmo_command(
    ack: Ack,
    command: dict[str, Any],
    respond: Respond,
    client: WebClient,
    db: Database,
    clock: Clock,
    delivery: Delivery,
) -> None:
    """Route `/pmo <verb> ...` to its answer (the VERBS table); unknown verbs get the help."""
    verb, _, rest = payload.command_text(command).strip().partition(" ")
    verb, rest = verb.lower(), rest.strip()
    answer = VERBS.get(verb)
    if answer is None:
        # The help needs nothing but the words typed: it is the acknowledgement itself,
        # shown at once, with no second request to Slack.
        ack(**help_answer(verb))
        return
    ack()
    actor = payload.command_sender(command)
    answer(PmoAsk(verb, rest, actor, command, respond, client, db, clock, delivery))


def help_answer(verb: str) -> dict[str, Any]:
    """The message answering `/pmo`, `/pmo help` or a verb `/pmo` does not know."""
    if verb in ("", "help"):
        return {"blocks": help_blocks(), "text": "pmo-bot commands"}
    return {
        "text": f"I don't know `/pmo {quoted(verb)}`. Here is what `/pmo` does:",
        "blocks": help_blocks(only="/pmo"),
    }


def _list(ask: PmoAsk) -> None:
    with ask.db.session() as session:
        cards = projects.portfolio(session=session, team_id=ask.actor.team_id)
    ask.respond(blocks=portfolio_blocks(cards), text=count(len(cards), "project"))


def _show(ask: PmoAsk) -> None:
    with ask.db.session() as session:
        project = projects.resolve_project(
            session=session,
            team_id=ask.actor.team_id,
            key=ask.rest or None,
            channel_id=ask.actor.channel_id,
            usage=USAGE_SHOW,
        )
        card = projects.project_card(session=session, project=project)
    ask.respond(blocks=project_card_blocks(card), text=f"{project.key} · {project.name}")


def _new(ask: PmoAsk) -> None:
    trigger_id = ask.trigger_id  # first: a command without one stores nothing
    view = new_project_form(db=ask.db, team_id=ask.actor.team_id, user_id=ask.actor.user_id)
    ask.client.views_open(trigger_id=trigger_id, view=view)


def _edit(ask: PmoAsk) -> None:
    open_edit_form(
        client=ask.client,
        db=ask.db,
        actor=ask.actor,
        key=ask.rest or None,
        trigger_id=ask.trigger_id,
    )


def _archive(ask: PmoAsk) -> None:
    # Serves `archive` and `unarchive`: the verb says which.
    if not ask.rest:
        raise PmoError(f"Which project? `/pmo {ask.verb} KEY`.")
    # Archiving closes the project: its closing retrospective opens (workflows/retros.py).
    project = ask.delivery.perform(
        partial(
            retros.archive_project, actor=ask.actor, key=ask.rest, archived=ask.verb == "archive"
        )
    ).project
    state = "archived" if project.archived else "active again"
    ask.respond(text=f"{project.key} is {state}.")


def _settings(ask: PmoAsk) -> None:
    open_settings_form(client=ask.client, db=ask.db, actor=ask.actor, trigger_id=ask.trigger_id)


def _pause(ask: PmoAsk) -> None:
    # Serves `pause until DATE` and `resume` (no date: nudges back on).
    until = _pause_date(ask.rest) if ask.verb == "pause" else None
    actor = ask.actor
    try:
        with ask.db.session() as session:
            workspace_policy.pause_nudges(
                session=session,
                team_id=actor.team_id,
                user_id=actor.user_id,
                until=until,
                now=ask.clock(),
            )
    except InvalidInput as exc:
        raise PmoError(f"{exc} `{USAGE_PAUSE}`") from exc
    if until is None:
        ask.respond(text="Nudges are back on for you.")
    else:
        ask.respond(
            text=f"No nudges for you until the end of {day(until)}. "
            "`/pmo resume` turns them back on."
        )


# Each verb of `/pmo` and what answers it (`/pmo`, `help` and the rest: help_answer);
# `/pmo help` lists them for people.
VERBS: dict[str, Callable[[PmoAsk], None]] = {
    "list": _list,
    "show": _show,
    "new": _new,
    "edit": _edit,
    "archive": _archive,
    "unarchive": _archive,
    "settings": _settings,
    "pause": _pause,
    "resume": _pause,
    "benefits": benefit.benefits_verb,
    "depends": depends.depends,
    "export": send_export,
    "types": project_type.types_verb,
    "type": project_type.type_verb,
    "api": api_verb,
}


def new_project_form(*, db: Database, team_id: str, user_id: str) -> dict[str, Any]:
    """The empty project form, with the workspace's types, their phases and the default
    cadence."""
    with db.session() as session:
        kinds = types_of(session=session, team_id=team_id)
        cadence = workspace_policy.settings_of(session=session, team_id=team_id).default_cadence
        with_goals = has_active_goals(session=session, team_id=team_id)
    phases = list(dict.fromkeys(phase for kind in kinds for phase in kind.phases))
    types = {kind.id: kind.name for kind in kinds if kind.id is not None}
    return project_form.project_modal(
        phases=phases,
        creator=user_id,
        default_cadence=cadence,
        with_goals=with_goals,
        types=types,
    )


def open_edit_form(
    *, client: WebClient, db: Database, actor: Actor, key: str | None, trigger_id: str
) -> None:
    """Open the form prefilled with the project named (else the actor's channel's), if the
    actor may change it."""
    with db.session() as session:
        project = projects.resolve_project(
            session=session,
            team_id=actor.team_id,
            key=key,
            channel_id=actor.channel_id,
            usage=USAGE_EDIT,
        )
        projects.require_may_edit(session=session, project=project, user_id=actor.user_id)
        draft = projects.draft_of(session=session, project=project)
        phases = projects.phases_of_project(session=session, project=project)
        with_goals = has_active_goals(session=session, team_id=actor.team_id)
    view = project_form.project_modal(
        phases=phases, creator=actor.user_id, draft=draft, with_goals=with_goals
    )
    client.views_open(trigger_id=trigger_id, view=view)


def edit_from_card(ack: Ack, body: dict[str, Any], client: WebClient, db: Database) -> None:
    """The card's Edit button: the same form as `/pmo edit KEY`."""
    ack()
    open_edit_form(
        client=client,
        db=db,
        actor=payload.sender(body),
        key=payload.button_value(body),
        trigger_id=payload.trigger_id(body),
    )


def save_project(ack: Ack, body: dict[str, Any], view: dict[str, Any], delivery: Delivery) -> None:
    """Create or update the project and announce its card; wrong fields are shown inline
    (see bot/errors.py)."""
    actor = payload.sender(body)
    draft, errors = project_form.read_project_form(view)
    if errors:
        raise InvalidInput(errors)
    key = project_form.editing_key(view)
    if key:
        delivery.perform(partial(projects.edit_project, actor=actor, key=key, draft=draft))
    else:
        delivery.perform(partial(projects.new_project, actor=actor, draft=draft))
    ack()


def open_settings_form(
    *,
    client: WebClient,
    db: Database,
    actor: Actor,
    trigger_id: str,
    callback_id: str = settings_form.CALLBACK_ID,
) -> None:
    """Open the settings form prefilled, if the actor may change the settings
    (`callback_id`: whose listener saves it; `/pmo settings`' by default)."""
    admin = is_slack_admin(client, actor.user_id)
    with db.session() as session:
        workspace_policy.require_may_change_settings(
            session=session, team_id=actor.team_id, user_id=actor.user_id, is_slack_admin=admin
        )
        current = workspace_policy.settings_of(session=session, team_id=actor.team_id)
    view = {**settings_form.settings_modal(current), "callback_id": callback_id}
    client.views_open(trigger_id=trigger_id, view=view)


def suggest_time_zones(ack: Ack, body: dict[str, Any]) -> None:
    """Options for the time-zone search: the zones matching what was typed."""
    ack(options=settings_form.time_zone_options(payload.typed(body)))


def save_settings(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    db: Database,
    clock: Clock,
) -> None:
    """Store the settings if the person may (the workflow asks again: rights can change
    while a form is open); wrong fields are shown inline in the form."""
    actor = payload.sender(body)
    draft, unreadable = settings_form.read_settings_form(view)
    admin = is_slack_admin(client, actor.user_id)
    now = clock()
    with db.session() as session:
        workspace_policy.change_settings(
            session=session,
            actor=actor,
            is_slack_admin=admin,
            draft=draft,
            unreadable=unreadable,
            now=now,
        )
    ack()


def _pause_date(text: str) -> date:
    # Strict on purpose: one form, so nobody's "next friday" is read as something else.
    found = PAUSE_TEXT.fullmatch(text.strip())
    if found:
        with suppress(ValueError):
            return date.fromisoformat(found.group(1))
    raise PmoError(f"Give the last day to pause your nudges as a date: `{USAGE_PAUSE}`.")
