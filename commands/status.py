"""`/status`: post a project's status (form or short form), read the last one and the trend."""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from commands import mrkdwn, payload, project_picker, status_form, status_message
from commands.context import Delivery
from commands.project_picker import PickerForm, ProjectChoice
from commands.status_text import USAGE, Kind, StatusCommand, parse_status_text
from storage.db import Database
from storage.models import Role
from workflows import status
from workflows.actor import Actor
from workflows.errors import InvalidInput, PmoError

PATH_HINT = " Add it after `path:` in the same command, or use `/status` for the form."


def register(app: App) -> None:
    """Attach `/status`, its form, the project picker and the post's buttons."""
    app.command("/status")(status_command)
    app.view(status_form.CALLBACK_ID)(save_status)
    project_picker.serve(app, PICKER)
    app.action(status_message.HISTORY_ACTION)(show_history)
    app.action(status_message.UPDATE_AGAIN_ACTION)(update_again)


def status_command(
    ack: Ack,
    command: dict[str, Any],
    respond: Respond,
    client: WebClient,
    db: Database,
    delivery: Delivery,
) -> None:
    """`/status` alone opens the form; with text, the short form, the last update or the
    history."""
    ack()
    actor = payload.command_sender(command)
    asked = parse_status_text(payload.command_text(command))  # BadStatusText: see bot/errors.py
    if asked.kind == Kind.FORM:
        trigger_id = payload.trigger_id(command)
        open_status_form(client=client, db=db, actor=actor, key=None, trigger_id=trigger_id)
    elif asked.kind == Kind.POST:
        post_short_form(respond=respond, delivery=delivery, actor=actor, asked=asked)
    else:
        show_status(db=db, respond=respond, actor=actor, asked=asked)


def show_status(*, db: Database, respond: Respond, actor: Actor, asked: StatusCommand) -> None:
    """`/status KEY` (the last update) or `/status history [KEY]` (the trend)."""
    with db.reading() as session:
        if asked.kind == Kind.SHOW:
            project, update = status.last_update_of(
                session=session, actor=actor, key=asked.key, usage="/status KEY"
            )
            blocks = status_message.last_update_blocks(project=project, update=update)
        else:
            project, lines = status.history_of(
                session=session, actor=actor, key=asked.key, usage="/status KEY"
            )
            blocks = status_message.history_blocks(project=project, lines=lines)
    respond(blocks=blocks, text=f"{project.key} status")


def post_short_form(
    *, respond: Respond, delivery: Delivery, actor: Actor, asked: StatusCommand
) -> None:
    """`/status [KEY] red summary [path: …] [capacity: short]`: everything else carried from
    the last update."""
    assert asked.rag is not None
    short = status.ShortStatus(asked.rag, asked.summary, asked.path_to_green, asked.team_capacity)
    try:
        posted = delivery.perform(
            partial(status.post_short_status, actor=actor, key=asked.key, short=short, usage=USAGE)
        )
    except InvalidInput as exc:
        # The short form has no fields to show errors on: say how to add a missing path.
        needs_path = "path_to_green" in exc.errors and asked.path_to_green is None
        raise PmoError(f"{exc}{PATH_HINT if needs_path else ''}") from None
    project = posted.project
    where = mrkdwn.channel(project.channel_id) if project.channel_id else "your DMs"
    respond(text=f"Posted the {project.key} status ({asked.rag.label}) to {where}.")


def open_status_form(
    *, client: WebClient, db: Database, actor: Actor, key: str | None, trigger_id: str
) -> None:
    """Open the form: for the named project, the channel's project, or a picker."""
    with db.reading() as session:
        choices = PICKER.choices(session=session, actor=actor)
        start = status.form_start(
            session=session, actor=actor, key=key, may_post_for={c.key for c in choices}
        )
    client.views_open(trigger_id=trigger_id, view=build_form(choices=choices, start=start))


def build_form(*, choices: list[ProjectChoice], start: status.FormStart | None) -> dict[str, Any]:
    """The form for `start`'s project (prefilled from its last update), or with only the
    picker set."""
    if start is None:
        return status_form.status_modal(choices=choices, selected=None, draft=None)
    project = start.project
    return status_form.status_modal(
        choices=choices,
        selected=ProjectChoice(key=project.key, name=project.name, runs_it=True),
        draft=start.draft,
        budget=project.budget,
        dimensions=start.dimensions,
    )


# The form's picker offers the projects the person may post for; picking one refills it.
PICKER = PickerForm(
    action_id=status_form.PROJECT_ACTION,
    roles=frozenset({Role.PM, Role.MEMBER}),
    refill=lambda session, _actor, project, choices: build_form(
        choices=choices, start=status.form_start_for(session=session, project=project)
    ),
)


def save_status(ack: Ack, body: dict[str, Any], view: dict[str, Any], delivery: Delivery) -> None:
    """Store the update and post it; wrong fields are shown inline (see bot/errors.py)."""
    actor = payload.sender(body)
    key = status_form.selected_key(view)
    if not key:
        raise InvalidInput({status_form.PROJECT: "Pick a project."})
    draft, unreadable = status_form.read_status_form(view)
    delivery.perform(
        partial(status.post_status, actor=actor, key=key, draft=draft, unreadable=unreadable)
    )
    ack()


def show_history(ack: Ack, body: dict[str, Any], respond: Respond, db: Database) -> None:
    """The post's "View history" button."""
    ack()
    actor, key = payload.sender(body), payload.button_value(body)
    with db.session() as session:
        project, lines = status.history_of(
            session=session, actor=actor, key=key, usage="/status history KEY"
        )
        blocks = status_message.history_blocks(project=project, lines=lines)
    respond(blocks=blocks, text=f"{project.key} status history", replace_original=False)


def update_again(ack: Ack, body: dict[str, Any], client: WebClient, db: Database) -> None:
    """A button whose value is a project key ("Update again", "Post update"): the form,
    prefilled."""
    ack()
    open_status_form(
        client=client,
        db=db,
        actor=payload.sender(body),
        key=payload.button_value(body),
        trigger_id=payload.trigger_id(body),
    )
