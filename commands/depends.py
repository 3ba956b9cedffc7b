"""`/pmo depends`: what a project waits on, from which project, by when.

`/pmo depends` opens the form; `/pmo depends KEY` lists what KEY waits on and who waits on
it, each with *Delivered* and *Drop*; `/pmo depends KEY on OTHER "what" by YYYY-MM-DD`
records one in a line; `/pmo depends KEY done N` (or `drop N`) ends #N. The text is read
by commands/dependency_text.py, the rules are workflows/dependencies.py.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App, Respond
from sqlmodel import Session

from commands import dependency_form, mrkdwn, payload
from commands.context import Delivery
from commands.dependency_message import (
    DELIVERED_ACTION,
    DROP_ACTION,
    chain_line,
    dependency_list_blocks,
    need_words,
    threat_words,
)
from commands.dependency_text import DependsAsk, DependsCommand, parse_depends_text
from commands.project_picker import ProjectChoice, project_options
from storage.db import Database
from storage.models import DependencyStatus, Project
from workflows import dependencies
from workflows.actor import Actor
from workflows.dependencies import DependencyDraft, DependencyNotice, DependencySaved
from workflows.errors import NoProjectHere, PmoError
from workflows.projects import resolve_project
from workflows.workspace_policy import today_in_workspace

if TYPE_CHECKING:
    from commands.pmo import PmoAsk


def register(app: App) -> None:
    """Attach the dependency form, its project searches and the list's buttons."""
    app.view(dependency_form.CALLBACK_ID)(save_dependency)
    app.options(dependency_form.DOWNSTREAM_ACTION)(suggest_waiting)
    app.options(dependency_form.UPSTREAM_ACTION)(suggest_upstream)
    app.action(DELIVERED_ACTION)(mark_delivered)
    app.action(DROP_ACTION)(drop)


def depends(ask: PmoAsk) -> None:
    """`/pmo depends …`: the form, a project's list, a dependency added or ended."""
    command = parse_depends_text(ask.rest)
    if command.kind == DependsAsk.FORM:
        _open_form(ask)
    elif command.kind == DependsAsk.LIST:
        _list(ask, command.key)
    elif command.kind == DependsAsk.ADD:
        _add(ask, command)
    else:
        _close(ask, command)


def _open_form(ask: PmoAsk) -> None:
    trigger_id = ask.trigger_id  # first: a command without one opens nothing
    with ask.db.session() as session:
        choices = dependencies.form_choices(session=session, actor=ask.actor)
        here = _channel_project(session, ask.actor)
        today = today_in_workspace(session=session, team_id=ask.actor.team_id, now=ask.clock())
    waiting = [_choice(p) for p in choices.waiting]
    if not waiting:
        raise PmoError(
            "You are the PM or sponsor of no project, so there is nothing for you to record "
            "a dependency for. `/pmo depends KEY` lists a project's."
        )
    selected = next((c for c in waiting if here is not None and c.key == here.key), None)
    view = dependency_form.dependency_modal(
        waiting=waiting,
        upstream=[_choice(p) for p in choices.upstream],
        selected=selected,
        today=today,
    )
    ask.client.views_open(trigger_id=trigger_id, view=view)


def _list(ask: PmoAsk, key: str) -> None:
    with ask.db.session() as session:
        listing = dependencies.list_dependencies(
            session=session, actor=ask.actor, key=key, now=ask.clock()
        )
    text = f"{listing.project.key}: what it waits on and who waits on it"
    ask.respond(blocks=dependency_list_blocks(listing), text=text)


def _add(ask: PmoAsk, command: DependsCommand) -> None:
    draft = DependencyDraft(command.key, command.upstream, command.deliverable, command.need_by)
    done = ask.delivery.perform(partial(dependencies.add_dependency, actor=ask.actor, draft=draft))
    ask.respond(text=added_text(done))


def _close(ask: PmoAsk, command: DependsCommand) -> None:
    assert command.number is not None
    done = ask.delivery.perform(
        partial(
            dependencies.close_dependency,
            actor=ask.actor,
            dependency_id=command.number,
            status=DependencyStatus(command.kind.value),
            key=command.key,
        )
    )
    ask.respond(text=closed_text(done))


def added_text(done: DependencySaved) -> str:
    """What the person who added a dependency reads: what was stored, who was told, and
    whether it is in danger already."""
    need = need_words(done.dependency, done.downstream, done.upstream, mrkdwn.day)
    text = f":link: Recorded #{done.dependency.id}: {need}."
    told = [m.to for m in done.messages if isinstance(m.content, DependencyNotice)]
    if told:
        text += f" {done.upstream.key}'s PM {mrkdwn.mentions(told)} is told."
    dangers = [
        threat_words(r.threat, mrkdwn.day) if r.hops == 1 else chain_line(r, mrkdwn.day)
        for r in done.dangers
    ]
    if dangers:
        text += f"\n:warning: It is in danger already: {'; '.join(dangers)}."
    return text


def closed_text(done: DependencySaved) -> str:
    """What the person who ended a dependency reads."""
    need = need_words(done.dependency, done.downstream, done.upstream, mrkdwn.day)
    state = "delivered" if done.dependency.status == DependencyStatus.DELIVERED else "dropped"
    return f"#{done.dependency.id} is {state}: {need}."


def save_dependency(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], delivery: Delivery
) -> None:
    """Record the dependency from the form; wrong fields are shown inline (bot/errors.py)."""
    draft = dependency_form.read_dependency_form(view)
    done = delivery.perform(
        partial(dependencies.add_dependency, actor=payload.sender(body), draft=draft)
    )
    ack(response_action="update", view=dependency_form.recorded_view(done))


def mark_delivered(ack: Ack, body: dict[str, Any], respond: Respond, delivery: Delivery) -> None:
    """ "Delivered" beside a dependency: it ends delivered, the other side's PM told."""
    _close_from_button(ack, body, respond, delivery, DependencyStatus.DELIVERED)


def drop(ack: Ack, body: dict[str, Any], respond: Respond, delivery: Delivery) -> None:
    """ "Drop" beside a dependency: the project no longer waits on it."""
    _close_from_button(ack, body, respond, delivery, DependencyStatus.DROPPED)


def _close_from_button(
    ack: Ack, body: dict[str, Any], respond: Respond, delivery: Delivery, status: DependencyStatus
) -> None:
    ack()
    actor, dependency_id = payload.sender(body), payload.button_id(body, "dependency")
    done = delivery.perform(
        partial(
            dependencies.close_dependency, actor=actor, dependency_id=dependency_id, status=status
        )
    )
    respond(text=closed_text(done), response_type="ephemeral", replace_original=False)


def suggest_waiting(ack: Ack, body: dict[str, Any], db: Database) -> None:
    """Options for the searched "Project that waits" menu (past 100 projects)."""
    with db.session() as session:
        choices = dependencies.form_choices(session=session, actor=payload.sender(body))
    ack(options=project_options([_choice(p) for p in choices.waiting], payload.typed(body)))


def suggest_upstream(ack: Ack, body: dict[str, Any], db: Database) -> None:
    """Options for the searched "Waits on project" menu (past 100 projects)."""
    with db.session() as session:
        choices = dependencies.form_choices(session=session, actor=payload.sender(body))
    ack(options=project_options([_choice(p) for p in choices.upstream], payload.typed(body)))


def _choice(project: Project) -> ProjectChoice:
    return ProjectChoice(project.key, project.name, False)


def _channel_project(session: Session, actor: Actor) -> Project | None:
    # The project whose home channel the command was typed in, if any.
    try:
        return resolve_project(
            session=session, team_id=actor.team_id, key=None, channel_id=actor.channel_id, usage=""
        )
    except NoProjectHere:
        return None
