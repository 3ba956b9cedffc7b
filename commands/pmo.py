"""`/pmo`: help, projects with their roles (new, list, show, edit, archive), the workspace's
settings, and pausing one's own nudges."""

from __future__ import annotations

import re
from contextlib import suppress
from datetime import date, datetime
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from commands import payload, project_card, project_form, settings_form
from commands.context import Clock, Delivery
from commands.help import help_blocks
from commands.mrkdwn import day, mention, quoted
from commands.project_card import portfolio_blocks, project_card_blocks
from storage import outbox
from storage.db import Database
from workflows import projects, workspace_policy
from workflows.errors import InvalidInput, PmoError

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


def pmo_command(
    ack: Ack,
    command: dict[str, Any],
    respond: Respond,
    client: WebClient,
    db: Database,
    clock: Clock,
) -> None:
    """Route `/pmo <verb> ...` to its answer; unknown verbs get the help."""
    ack()
    who = payload.command_sender(command)
    verb, _, rest = payload.command_text(command).strip().partition(" ")
    verb, rest = verb.lower(), rest.strip()
    team_id, user_id, channel_id = who.team_id, who.user_id, who.channel_id
    if verb in ("", "help"):
        respond(blocks=help_blocks(), text="pmo-bot commands")
    elif verb == "list":
        with db.session() as session:
            cards = projects.portfolio(session=session, team_id=team_id)
        respond(blocks=portfolio_blocks(cards), text=f"{len(cards)} projects")
    elif verb == "show":
        with db.session() as session:
            project = projects.resolve_project(
                session=session,
                team_id=team_id,
                key=rest or None,
                channel_id=channel_id,
                usage=USAGE_SHOW,
            )
            card = projects.project_card(session=session, project=project)
        respond(blocks=project_card_blocks(card), text=f"{project.key} · {project.name}")
    elif verb == "new":
        client.views_open(
            trigger_id=payload.trigger_id(command),
            view=new_project_form(db=db, team_id=team_id, user_id=user_id),
        )
    elif verb == "edit":
        open_edit_form(
            client=client,
            db=db,
            team_id=team_id,
            user_id=user_id,
            key=rest or None,
            channel_id=channel_id,
            trigger_id=payload.trigger_id(command),
        )
    elif verb in ("archive", "unarchive"):
        if not rest:
            raise PmoError(f"Which project? `/pmo {verb} KEY`.")
        with db.session() as session:
            project = projects.set_archived(
                session=session,
                team_id=team_id,
                actor=user_id,
                key=rest,
                archived=verb == "archive",
                now=clock(),
            )
        state = "archived" if project.archived else "active again"
        respond(text=f"{project.key} is {state}.")
    elif verb == "settings":
        open_settings_form(
            client=client,
            db=db,
            team_id=team_id,
            user_id=user_id,
            trigger_id=payload.trigger_id(command),
        )
    elif verb in ("pause", "resume"):
        until = _pause_date(rest) if verb == "pause" else None
        respond(
            text=pause_nudges(db=db, team_id=team_id, user_id=user_id, until=until, now=clock())
        )
    else:
        respond(
            text=f"I don't know `/pmo {quoted(verb)}`. Here is what I can do:",
            blocks=help_blocks(),
        )


def new_project_form(*, db: Database, team_id: str, user_id: str) -> dict[str, Any]:
    """The empty project form, with the workspace's phases and default cadence."""
    with db.session() as session:
        phases = projects.phases_of(session=session, team_id=team_id)
        cadence = workspace_policy.settings_of(session=session, team_id=team_id).default_cadence
    return project_form.project_modal(phases=phases, creator=user_id, default_cadence=cadence)


def open_edit_form(
    *,
    client: WebClient,
    db: Database,
    team_id: str,
    user_id: str,
    key: str | None,
    channel_id: str | None,
    trigger_id: str,
) -> None:
    """Open the project form prefilled, if the person may change the project."""
    with db.session() as session:
        project = projects.resolve_project(
            session=session, team_id=team_id, key=key, channel_id=channel_id, usage=USAGE_EDIT
        )
        projects.require_may_edit(session=session, project=project, user_id=user_id)
        draft = projects.draft_of(session=session, project=project)
        phases = projects.phases_of(session=session, team_id=team_id)
    client.views_open(
        trigger_id=trigger_id,
        view=project_form.project_modal(phases=phases, creator=user_id, draft=draft),
    )


def edit_from_card(ack: Ack, body: dict[str, Any], client: WebClient, db: Database) -> None:
    """The card's Edit button: the same form as `/pmo edit KEY`."""
    ack()
    who = payload.sender(body)
    open_edit_form(
        client=client,
        db=db,
        team_id=who.team_id,
        user_id=who.user_id,
        key=payload.button_value(body),
        channel_id=None,
        trigger_id=payload.trigger_id(body),
    )


def save_project(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    db: Database,
    clock: Clock,
    delivery: Delivery,
) -> None:
    """Create or update the project; wrong fields are shown inline (see bot/errors.py)."""
    team_id, user_id = payload.team_id(body), payload.user_id(body)
    draft, errors = project_form.read_project_form(view)
    if errors:
        raise InvalidInput(errors)
    key = project_form.editing_key(view)
    now = clock()
    with db.session() as session:
        if key:
            project = projects.update_project(
                session=session, team_id=team_id, actor=user_id, key=key, draft=draft, now=now
            )
        else:
            project = projects.create_project(
                session=session, team_id=team_id, actor=user_id, draft=draft, now=now
            )
        card = projects.project_card(session=session, project=project)
        _announce(session=session, card=card, actor=user_id, created=not key, now=now)
    ack()
    delivery.send_soon()


def _announce(
    *, session: Session, card: projects.ProjectCard, actor: str, created: bool, now: datetime
) -> tuple[str, str]:
    # The card goes to the home channel, or to the person when the project has none.
    project = card.project
    verb = "created" if created else "updated"
    key = f"project:{project.id}:{verb}:{now.isoformat()}"
    outbox.enqueue(
        session=session,
        team_id=project.team_id,
        key=key,
        channel=project.channel_id or actor,
        text=f"{mention(actor)} {verb} project {project.key}",
        blocks=[
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": f"{mention(actor)} {verb} this project."}],
            },
            *project_card_blocks(card),
        ],
        now=now,
    )
    return project.team_id, key


def is_slack_admin(client: WebClient, user_id: str) -> bool:
    """What Slack says: a workspace admin or owner. Someone Slack doesn't know is neither."""
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError as exc:
        if exc.response.get("error") == "user_not_found":
            return False
        raise
    return bool(user.get("is_admin") or user.get("is_owner"))


def open_settings_form(
    *, client: WebClient, db: Database, team_id: str, user_id: str, trigger_id: str
) -> None:
    """Open the settings form prefilled, if the person may change the settings."""
    admin = is_slack_admin(client, user_id)
    with db.session() as session:
        workspace_policy.require_may_change_settings(
            session=session, team_id=team_id, user_id=user_id, is_slack_admin=admin
        )
        current = workspace_policy.settings_of(session=session, team_id=team_id)
    client.views_open(trigger_id=trigger_id, view=settings_form.settings_modal(current))


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
    """Store the settings, asking again who may (rights can change while a form is open);
    wrong fields are shown inline in the form."""
    team_id, user_id = payload.team_id(body), payload.user_id(body)
    draft, unreadable = settings_form.read_settings_form(view)
    admin = is_slack_admin(client, user_id)
    with db.session() as session:
        workspace_policy.require_may_change_settings(
            session=session, team_id=team_id, user_id=user_id, is_slack_admin=admin
        )
        errors = {**workspace_policy.check_settings(draft), **unreadable}
        if errors:
            raise InvalidInput(errors)
        workspace_policy.save_settings(
            session=session, team_id=team_id, actor=user_id, draft=draft, now=clock()
        )
    ack()


def pause_nudges(
    *, db: Database, team_id: str, user_id: str, until: date | None, now: datetime
) -> str:
    """Pause (or, with no date, resume) the person's nudges; what to tell them."""
    try:
        with db.session() as session:
            workspace_policy.pause_nudges(
                session=session, team_id=team_id, user_id=user_id, until=until, now=now
            )
    except InvalidInput as exc:
        raise PmoError(f"{exc} `{USAGE_PAUSE}`") from exc
    if until is None:
        return "Nudges are back on for you."
    return f"No nudges for you until the end of {day(until)}. `/pmo resume` turns them back on."


def _pause_date(text: str) -> date:
    # Strict on purpose: one form, so nobody's "next friday" is read as something else.
    found = PAUSE_TEXT.fullmatch(text.strip())
    if found:
        with suppress(ValueError):
            return date.fromisoformat(found.group(1))
    raise PmoError(f"Give the last day to pause your nudges as a date: `{USAGE_PAUSE}`.")
