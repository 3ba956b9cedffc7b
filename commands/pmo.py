"""`/pmo`: help, and projects with their roles (new, list, show, edit, archive)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlmodel import Session

from commands import project_card, project_form
from commands.context import Clock, Delivery
from commands.help import help_blocks
from commands.project_card import portfolio_blocks, project_card_blocks
from storage import outbox
from storage.db import Database
from workflows import projects
from workflows.errors import InvalidInput, PmoError

USAGE_SHOW = "/pmo show KEY"
USAGE_EDIT = "/pmo edit KEY"


def register(app: App) -> None:
    """Attach `/pmo` and the project form to the app."""
    app.command("/pmo")(pmo_command)
    app.view(project_form.CALLBACK_ID)(save_project)
    app.action(project_card.EDIT_ACTION)(edit_from_card)


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
    verb, _, rest = command.get("text", "").strip().partition(" ")
    verb, rest = verb.lower(), rest.strip()
    team_id, user_id, channel_id = command["team_id"], command["user_id"], command["channel_id"]
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
        with db.session() as session:
            phases = projects.phases_of(session=session, team_id=team_id)
        client.views_open(
            trigger_id=command["trigger_id"],
            view=project_form.project_modal(phases=phases, creator=user_id),
        )
    elif verb == "edit":
        open_edit_form(
            client=client,
            db=db,
            team_id=team_id,
            user_id=user_id,
            key=rest or None,
            channel_id=channel_id,
            trigger_id=command["trigger_id"],
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
    else:
        respond(
            text=f"I don't know `/pmo {verb}`. Here is what I can do:",
            blocks=help_blocks(),
        )


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
    open_edit_form(
        client=client,
        db=db,
        team_id=body["team"]["id"],
        user_id=body["user"]["id"],
        key=body["actions"][0]["value"],
        channel_id=None,
        trigger_id=body["trigger_id"],
    )


def save_project(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    db: Database,
    clock: Clock,
    delivery: Delivery,
) -> None:
    """Create or update the project; wrong fields are shown inline in the form."""
    team_id, user_id = body["team"]["id"], body["user"]["id"]
    draft, errors = project_form.read_project_form(view)
    if errors:
        ack(response_action="errors", errors=errors)
        return
    key = project_form.editing_key(view)
    now = clock()
    try:
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
    except InvalidInput as exc:
        ack(response_action="errors", errors=_form_errors(exc.errors, editing=bool(key)))
        return
    except PmoError as exc:
        ack(response_action="errors", errors={project_form.NAME: str(exc)})
        return
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
        text=f"<@{actor}> {verb} project {project.key}",
        blocks=[
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": f"<@{actor}> {verb} this project."}],
            },
            *project_card_blocks(card),
        ],
        now=now,
    )
    return project.team_id, key


def _form_errors(errors: dict[str, str], editing: bool) -> dict[str, str]:
    # Inline errors must name a block the form has; others go on the name field.
    shown: dict[str, str] = {}
    for field, message in errors.items():
        block = field if field in project_form.FIELDS else project_form.NAME
        if editing and block == project_form.KEY:
            block = project_form.NAME
        shown[block] = f"{shown[block]} {message}" if block in shown else message
    return shown
