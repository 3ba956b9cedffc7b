"""`/status`: post a project's status (form or short form), read the last one and the trend."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlmodel import Session

from commands import mrkdwn, payload, status_form, status_message
from commands.context import Clock, Delivery
from commands.project_picker import ProjectChoice, project_choices, project_options
from commands.status_text import USAGE, Kind, StatusCommand, parse_status_text
from storage import outbox
from storage.db import Database
from storage.models import Project, Role
from storage.projects import project_in_channel
from workflows import projects, status
from workflows.errors import InvalidInput, PmoError


def register(app: App) -> None:
    """Attach `/status`, its form, the project picker and the post's buttons."""
    app.command("/status")(status_command)
    app.view(status_form.CALLBACK_ID)(save_status)
    app.action(status_form.PROJECT_ACTION)(pick_project)
    app.options(status_form.PROJECT_ACTION)(suggest_projects)
    app.action(status_message.HISTORY_ACTION)(show_history)
    app.action(status_message.UPDATE_AGAIN_ACTION)(update_again)


def status_command(
    ack: Ack,
    command: dict[str, Any],
    respond: Respond,
    client: WebClient,
    db: Database,
    clock: Clock,
    delivery: Delivery,
) -> None:
    """`/status` alone opens the form; with text, the short form."""
    ack()
    who = payload.command_sender(command)
    team_id, user_id, channel_id = who.team_id, who.user_id, who.channel_id
    asked = parse_status_text(payload.command_text(command))  # BadStatusText: see bot/errors.py
    if asked.kind == Kind.FORM:
        open_status_form(
            client=client,
            db=db,
            team_id=team_id,
            user_id=user_id,
            key=None,
            channel_id=channel_id,
            trigger_id=payload.trigger_id(command),
        )
        return
    if asked.kind == Kind.POST:
        post_short_form(
            db=db,
            respond=respond,
            delivery=delivery,
            clock=clock,
            team_id=team_id,
            user_id=user_id,
            channel_id=channel_id,
            asked=asked,
        )
        return
    with db.session() as session:
        project = projects.resolve_project(
            session=session,
            team_id=team_id,
            key=asked.key,
            channel_id=channel_id,
            usage="/status KEY",
        )
        if asked.kind == Kind.SHOW:
            update = status.last_update(session=session, project=project)
            blocks = status_message.last_update_blocks(project=project, update=update)
        else:
            lines = status.history(session=session, project=project)
            blocks = status_message.history_blocks(project=project, lines=lines)
    respond(blocks=blocks, text=f"{project.key} status")


def post_short_form(
    *,
    db: Database,
    respond: Respond,
    delivery: Delivery,
    clock: Clock,
    team_id: str,
    user_id: str,
    channel_id: str,
    asked: StatusCommand,
) -> None:
    """`/status [KEY] red summary [path: …]`: everything else carried from the last update."""
    with db.session() as session:
        project = projects.resolve_project(
            session=session, team_id=team_id, key=asked.key, channel_id=channel_id, usage=USAGE
        )
        status.require_may_post(session=session, project=project, user_id=user_id)
        assert asked.rag is not None
        previous = status.last_update(session=session, project=project)
        draft = status.carried_draft(previous, asked.rag, asked.summary)
        if asked.path_to_green is not None:
            draft = replace(draft, path_to_green=asked.path_to_green)
        errors = status.check_draft(draft)
        if errors:
            hint = " Add it after `path:` in the same command, or use `/status` for the form."
            needs_path = "path_to_green" in errors and asked.path_to_green is None
            raise PmoError(" ".join(errors.values()) + (hint if needs_path else ""))
        posted = status.post_update(
            session=session, project=project, author=user_id, draft=draft, now=clock()
        )
        enqueue_post(session=session, project=project, posted=posted, now=clock())
        where = mrkdwn.channel(project.channel_id) if project.channel_id else "your DMs"
    respond(text=f"Posted the {project.key} status ({asked.rag.label}) to {where}.")
    delivery.send_soon()


def open_status_form(
    *,
    client: WebClient,
    db: Database,
    team_id: str,
    user_id: str,
    key: str | None,
    channel_id: str | None,
    trigger_id: str,
) -> None:
    """Open the form: for the named project, the channel's project, or a picker."""
    with db.session() as session:
        choices = postable_choices(session=session, team_id=team_id, user_id=user_id)
        project = None
        if key:
            project = projects.get_project(session=session, team_id=team_id, key=key)
        elif channel_id:
            project = project_in_channel(session=session, team_id=team_id, channel_id=channel_id)
        if project is not None:
            status.require_may_post(session=session, project=project, user_id=user_id)
        elif not choices:
            raise PmoError(
                "You are not the PM or a member of any project, so there is no status for you "
                "to post. `/pmo list` shows the projects and their PMs."
            )
        view = build_form(session=session, choices=choices, project=project)
    client.views_open(trigger_id=trigger_id, view=view)


def build_form(
    *, session: Session, choices: list[ProjectChoice], project: Project | None
) -> dict[str, Any]:
    """The form for `project` (prefilled from its last update), or with only the picker set."""
    if project is None:
        return status_form.status_modal(choices=choices, selected=None, draft=None)
    last = status.last_update(session=session, project=project)
    chosen = ProjectChoice(key=project.key, name=project.name, runs_it=True)
    return status_form.status_modal(
        choices=choices,
        selected=chosen,
        draft=status.draft_from(last) if last else None,
        budget=project.budget,
    )


def postable_choices(*, session: Session, team_id: str, user_id: str) -> list[ProjectChoice]:
    """The projects the person may post for: the ones they run first, then member ones."""
    return project_choices(
        session=session, team_id=team_id, user_id=user_id, roles={Role.PM, Role.MEMBER}
    )


def pick_project(ack: Ack, body: dict[str, Any], client: WebClient, db: Database) -> None:
    """A project was picked in the form: refill the form from that project's last update."""
    ack()
    team_id, user_id = payload.team_id(body), payload.user_id(body)
    key = payload.picked_option(body)
    view_id, version = payload.view_version(body)
    with db.session() as session:
        project = projects.get_project(session=session, team_id=team_id, key=key)
        choices = postable_choices(session=session, team_id=team_id, user_id=user_id)
        view = build_form(session=session, choices=choices, project=project)
    client.views_update(view_id=view_id, hash=version, view=view)


def suggest_projects(ack: Ack, body: dict[str, Any], db: Database) -> None:
    """Options for the project picker once a person has more than 100 projects."""
    who = payload.sender(body)
    with db.session() as session:
        choices = postable_choices(session=session, team_id=who.team_id, user_id=who.user_id)
    ack(options=project_options(choices, payload.typed(body)))


def save_status(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    db: Database,
    clock: Clock,
    delivery: Delivery,
) -> None:
    """Store the update and post it; wrong fields are shown inline (see bot/errors.py)."""
    team_id, user_id = payload.team_id(body), payload.user_id(body)
    key = status_form.selected_key(view)
    if not key:
        raise InvalidInput({status_form.PROJECT: "Pick a project."})
    draft, errors = status_form.read_status_form(view)
    with db.session() as session:
        project = projects.get_project(session=session, team_id=team_id, key=key)
        status.require_may_post(session=session, project=project, user_id=user_id)
        errors = {**status.check_draft(draft), **errors}
        if errors:
            raise InvalidInput(errors)
        now = clock()
        posted = status.post_update(
            session=session, project=project, author=user_id, draft=draft, now=now
        )
        enqueue_post(session=session, project=project, posted=posted, now=now)
    ack()
    delivery.send_soon()


def enqueue_post(
    *, session: Session, project: Project, posted: status.Posted, now: datetime
) -> None:
    """Queue the update's post (and the retiring of the one it replaces) in this transaction."""
    update = posted.update
    text, blocks = status_message.status_post(
        project=project, update=update, changes=posted.changes, replaced=posted.replaced is not None
    )
    key = f"status:{update.id}:posted"
    outbox.enqueue(
        session=session,
        team_id=project.team_id,
        key=key,
        channel=project.channel_id or update.author,
        text=text,
        blocks=blocks,
        now=now,
    )
    if posted.replaced is not None:
        old = posted.replaced
        text, blocks = status_message.retired_post(project=project, update=old, newer=update)
        retire_key = f"status:{old.id}:retired"
        outbox.enqueue(
            session=session,
            team_id=project.team_id,
            key=retire_key,
            channel=project.channel_id or old.author,
            update_key=f"status:{old.id}:posted",
            text=text,
            blocks=blocks,
            now=now,
        )


def show_history(ack: Ack, body: dict[str, Any], respond: Respond, db: Database) -> None:
    """The post's "View history" button."""
    ack()
    team_id, key = payload.team_id(body), payload.button_value(body)
    with db.session() as session:
        project = projects.get_project(session=session, team_id=team_id, key=key)
        lines = status.history(session=session, project=project)
        blocks = status_message.history_blocks(project=project, lines=lines)
    respond(blocks=blocks, text=f"{project.key} status history", replace_original=False)


def update_again(ack: Ack, body: dict[str, Any], client: WebClient, db: Database) -> None:
    """A button whose value is a project key ("Update again", "Post update"): the form,
    prefilled."""
    ack()
    who = payload.sender(body)
    open_status_form(
        client=client,
        db=db,
        team_id=who.team_id,
        user_id=who.user_id,
        key=payload.button_value(body),
        channel_id=None,
        trigger_id=payload.trigger_id(body),
    )
