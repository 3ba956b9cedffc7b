"""`/capacity request` and `/capacity requests`: a PM asks the PMO leads for someone, and
the leads assign, propose someone else or decline with the buttons on the request."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlmodel import Session

from commands import payload, project_picker, resource_request_form, resource_request_message
from commands.command_ask import CommandAsk, Verb
from commands.context import Clock, Delivery
from commands.project_picker import PickerForm
from storage.db import Database
from storage.models import Role
from storage.projects import project_in_channel
from storage.workspaces import ensure_workspace
from workflows import request_decisions, resource_requests
from workflows.actor import Actor
from workflows.capacity import today_of
from workflows.errors import PmoError
from workflows.projects import get_project

USAGE = "/capacity request [KEY]"
# Requests are made by a project's PM; the form does not refill when one is picked.
PICKER = PickerForm(action_id=resource_request_form.PROJECT_ACTION, roles=frozenset({Role.PM}))
# Each button on the card opens its form, once the person is known to be allowed.
DECISION_FORMS: dict[str, Callable[[request_decisions.Deciding], dict[str, Any]]] = {
    resource_request_message.ASSIGN_ACTION: resource_request_form.assign_modal,
    resource_request_message.PROPOSE_ACTION: resource_request_form.propose_modal,
    resource_request_message.DECLINE_ACTION: resource_request_form.decline_modal,
}


def open_request_form(ask: CommandAsk) -> None:
    """`/capacity request [KEY]`: the form, for the project named (else the channel's,
    else a pick of the projects you run)."""
    words = ask.rest.split()
    if len(words) > 1:
        raise PmoError(f"`{USAGE}`: one project at a time.")
    with ask.db.session() as session:
        view = _request_form(session, ask.actor, words[0] if words else None, ask.clock)
    ask.client.views_open(trigger_id=ask.trigger_id, view=view)


def _request_form(session: Session, actor: Actor, key: str | None, clock: Clock) -> dict[str, Any]:
    # Refusals (not the PM, no PMO leads) come before the form, not after filling it in.
    project = None
    if key:
        project = get_project(session=session, team_id=actor.team_id, key=key)
    elif actor.channel_id:
        project = project_in_channel(
            session=session, team_id=actor.team_id, channel_id=actor.channel_id
        )
    if project is not None:
        workspace = resource_requests.check_may_request(
            session=session, actor=actor, project=project
        )
        choices = []
    else:
        workspace = resource_requests.require_pmo_leads(
            ensure_workspace(session=session, team_id=actor.team_id)
        )
        choices = PICKER.choices(session=session, actor=actor)
        if not choices:
            raise PmoError(
                "A project's PM asks for people, and you run no project: name the project, "
                f"`{USAGE}`, or ask its PM."
            )
    return resource_request_form.request_modal(
        project=project,
        choices=choices,
        skills=resource_requests.workspace_skills(session=session, team_id=actor.team_id),
        today=today_of(workspace, clock()),
    )


def list_requests(ask: CommandAsk) -> None:
    """`/capacity requests`: the open requests, with their age and project."""
    with ask.db.session() as session:
        listed = resource_requests.open_requests(session=session, actor=ask.actor, now=ask.clock())
        blocks = resource_request_message.open_requests_blocks(listed, viewer=ask.actor.user_id)
    ask.respond(blocks=blocks, text=f"Open requests for people: {len(listed.rows)}")


VERBS: dict[str, Verb] = {"request": open_request_form, "requests": list_requests}


def register(app: App) -> None:
    """Attach the request form, the buttons on the card and their forms."""
    app.view(resource_request_form.CALLBACK_ID)(save_request)
    project_picker.serve(app, PICKER)
    for action_id in DECISION_FORMS:
        app.action(action_id)(open_decision_form)
    app.view(resource_request_form.ASSIGN_CALLBACK)(save_assignment)
    app.view(resource_request_form.PROPOSE_CALLBACK)(save_proposal)
    app.view(resource_request_form.DECLINE_CALLBACK)(save_decline)
    app.action(resource_request_message.WITHDRAW_ACTION)(withdraw)


def save_request(ack: Ack, body: dict[str, Any], view: dict[str, Any], delivery: Delivery) -> None:
    """Store the request and send it to the PMO leads."""
    key, draft = resource_request_form.read_request_form(view)
    actor = payload.sender(body)
    delivery.perform(
        partial(resource_requests.request_person, actor=actor, key=key, draft=draft, usage=USAGE)
    )
    ack()


def open_decision_form(
    ack: Ack, body: dict[str, Any], client: WebClient, db: Database, clock: Clock
) -> None:
    """Assign, Propose someone else, Decline: the form, if the person is a PMO lead and
    the request is still open (buttons carry only the request id; the rest is re-read)."""
    ack()
    actor, request_id = payload.sender(body), payload.button_id(body, "request")
    build = DECISION_FORMS[payload.action_id(body)]
    with db.session() as session:
        deciding = request_decisions.check_may_decide(
            session=session, actor=actor, request_id=request_id, now=clock()
        )
        view = build(deciding)
    client.views_open(trigger_id=payload.trigger_id(body), view=view)


def save_assignment(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], delivery: Delivery
) -> None:
    """Assign the person picked: allocated, and everyone told."""
    request_id, person, _, _ = _decision(view)
    delivery.perform(
        partial(
            request_decisions.assign,
            actor=payload.sender(body),
            request_id=request_id,
            user_id=person,
        )
    )
    ack()


def save_proposal(ack: Ack, body: dict[str, Any], view: dict[str, Any], delivery: Delivery) -> None:
    """Propose the person picked instead; the request stays open."""
    request_id, person, note, _ = _decision(view)
    delivery.perform(
        partial(
            request_decisions.propose,
            actor=payload.sender(body),
            request_id=request_id,
            user_id=person,
            note=note,
        )
    )
    ack()


def save_decline(ack: Ack, body: dict[str, Any], view: dict[str, Any], delivery: Delivery) -> None:
    """Decline the request, with the reason given."""
    request_id, _, _, reason = _decision(view)
    delivery.perform(
        partial(
            request_decisions.decline,
            actor=payload.sender(body),
            request_id=request_id,
            reason=reason,
        )
    )
    ack()


def _decision(view: dict[str, Any]) -> tuple[int, str | None, str, str]:
    request_id, person, note, reason = resource_request_form.read_decision_form(view)
    if request_id is None:
        raise PmoError("This form is no longer valid.")
    return request_id, person, note, reason


def withdraw(ack: Ack, body: dict[str, Any], respond: Respond, delivery: Delivery) -> None:
    """ "Withdraw" in the list of open requests: the PM takes their request back."""
    ack()
    actor, request_id = payload.sender(body), payload.button_id(body, "request")
    done = delivery.perform(partial(request_decisions.withdraw, actor=actor, request_id=request_id))
    label = resource_requests.request_label(done.request, done.project)
    respond(text=f"{label} is withdrawn.", response_type="ephemeral", replace_original=False)
