"""`/gate`: request a project's next stage gate; approvers decide with buttons in a thread."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlmodel import Session

from commands import gate_form, gate_message, payload
from commands.context import Clock, Delivery
from commands.project_picker import ProjectChoice, project_choices, project_options
from storage.db import Database
from storage.models import Role, Verdict
from storage.projects import project_in_channel
from workflows import gate_followup, gates, projects
from workflows.actor import Actor
from workflows.errors import InvalidInput, PmoError

REQUESTERS = {Role.PM, Role.MEMBER}
VERDICTS = {
    gate_message.APPROVE_ACTION: Verdict.APPROVE,
    gate_message.REJECT_ACTION: Verdict.REJECT,
    gate_message.CHANGES_ACTION: Verdict.CHANGES,
}


def register(app: App) -> None:
    """Attach `/gate`, its forms and the decision buttons."""
    app.command("/gate")(gate_command)
    app.view(gate_form.CALLBACK_ID)(save_request)
    app.view(gate_form.REASON_CALLBACK_ID)(save_reason)
    app.action(gate_form.PROJECT_ACTION)(pick_project)
    app.options(gate_form.PROJECT_ACTION)(suggest_projects)
    app.action(gate_message.APPROVE_ACTION)(approve)
    app.action(gate_message.REJECT_ACTION)(ask_reason)
    app.action(gate_message.CHANGES_ACTION)(ask_reason)


def gate_command(
    ack: Ack,
    command: dict[str, Any],
    respond: Respond,
    client: WebClient,
    db: Database,
    clock: Clock,
    delivery: Delivery,
) -> None:
    """`/gate [KEY]` opens the request form; `history [KEY]` and `withdraw [KEY]` too."""
    ack()
    actor = payload.command_sender(command)
    words = payload.command_text(command).split()
    verb = words[0].lower() if words else ""
    if verb == "history":
        _show_history(db=db, respond=respond, actor=actor, key=_verb_key(verb, words))
    elif verb == "withdraw":
        key = _verb_key(verb, words)
        _withdraw(db=db, clock=clock, delivery=delivery, respond=respond, actor=actor, key=key)
    elif len(words) > 1:
        raise PmoError("`/gate` or `/gate KEY` requests a gate; `/gate history KEY` shows them.")
    else:
        with db.session() as session:
            view = _request_form(session, actor, words[0] if words else None)
        client.views_open(trigger_id=payload.trigger_id(command), view=view)


def _verb_key(verb: str, words: list[str]) -> str | None:
    # `/gate VERB [KEY]`: the project named, if any (else the channel's).
    if len(words) > 2:
        raise PmoError(f"`/gate {verb} [KEY]`: one project at a time.")
    return words[1] if len(words) == 2 else None


def _show_history(*, db: Database, respond: Respond, actor: Actor, key: str | None) -> None:
    with db.session() as session:
        shown = gate_followup.history(
            session=session, actor=actor, key=key, usage="/gate history KEY"
        )
        blocks = gate_message.history_blocks(project=shown.project, events=shown.events)
        title = f"{shown.project.key} gate history"
    respond(blocks=blocks, text=title)


def _withdraw(
    *,
    db: Database,
    clock: Clock,
    delivery: Delivery,
    respond: Respond,
    actor: Actor,
    key: str | None,
) -> None:
    now = clock()
    with db.session() as session:
        withdrawn = gates.withdraw(
            session=session, actor=actor, key=key, now=now, usage="/gate withdraw KEY"
        )
        delivery.enqueue(session=session, messages=withdrawn.messages, now=now)
        label = gates.gate_label(withdrawn.gate, withdrawn.project)
    respond(text=f"{label} is withdrawn.")
    delivery.send_soon()


def _request_form(session: Session, actor: Actor, key: str | None) -> dict[str, Any]:
    team_id, user_id, channel_id = actor.team_id, actor.user_id, actor.channel_id
    project = None
    if key:
        project = projects.get_project(session=session, team_id=team_id, key=key)
    elif channel_id:
        project = project_in_channel(session=session, team_id=team_id, channel_id=channel_id)
    if project is not None:
        # Refusals (not on the project, a gate pending, no approver) come before the form.
        plan = gates.plan_next_gate(session=session, project=project, requester=user_id)
        return gate_form.gate_modal(choices=[], selected=None, plan=plan)
    choices = project_choices(session=session, team_id=team_id, user_id=user_id, roles=REQUESTERS)
    if not choices:
        raise PmoError(
            "Gates are requested by a project's PM or members, and you are neither on any "
            "project. `/pmo list` shows the projects and their PMs."
        )
    return gate_form.gate_modal(choices=choices, selected=None, plan=None)


def pick_project(ack: Ack, body: dict[str, Any], client: WebClient, db: Database) -> None:
    """A project was picked: show its next gate, or why it can't have one now."""
    ack()
    team_id, user_id = payload.team_id(body), payload.user_id(body)
    key = payload.picked_option(body)
    view_id, version = payload.view_version(body)
    with db.session() as session:
        project = projects.get_project(session=session, team_id=team_id, key=key)
        choices = project_choices(
            session=session, team_id=team_id, user_id=user_id, roles=REQUESTERS
        )
        selected = ProjectChoice(project.key, project.name, True)
        try:
            plan = gates.plan_next_gate(session=session, project=project, requester=user_id)
            view = gate_form.gate_modal(choices=choices, selected=selected, plan=plan)
        except PmoError as exc:
            view = gate_form.gate_modal(
                choices=choices, selected=selected, plan=None, problem=str(exc)
            )
    client.views_update(view_id=view_id, hash=version, view=view)


def suggest_projects(ack: Ack, body: dict[str, Any], db: Database) -> None:
    """Options for the project picker past 100 projects."""
    who = payload.sender(body)
    with db.session() as session:
        choices = project_choices(
            session=session, team_id=who.team_id, user_id=who.user_id, roles=REQUESTERS
        )
    ack(options=project_options(choices, payload.typed(body)))


def save_request(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    db: Database,
    clock: Clock,
    delivery: Delivery,
) -> None:
    """Store the request, post it with its buttons and ask each approver."""
    actor = payload.sender(body)
    key = gate_form.requested_key(view)
    if not key:
        raise InvalidInput({gate_form.PROJECT: "Pick a project."})
    draft = gate_form.read_gate_form(view)
    now = clock()
    with db.session() as session:
        requested = gates.request_gate(session=session, actor=actor, key=key, draft=draft, now=now)
        delivery.enqueue(session=session, messages=requested.messages, now=now)
    ack()
    delivery.send_soon()


def approve(
    ack: Ack, body: dict[str, Any], respond: Respond, db: Database, clock: Clock, delivery: Delivery
) -> None:
    """ "Approve": counted at once (buttons carry only the gate id; the rest is re-read)."""
    ack()
    label = _decide(
        db=db,
        delivery=delivery,
        actor=payload.sender(body),
        gate_id=payload.button_id(body, "gate"),
        verdict=Verdict.APPROVE,
        reason="",
        now=clock(),
    )
    respond(
        text=f"Recorded: you approved {label}.", response_type="ephemeral", replace_original=False
    )
    delivery.send_soon()


def ask_reason(ack: Ack, body: dict[str, Any], client: WebClient, db: Database) -> None:
    """ "Reject" and "Request changes": ask why, once the person is known to be allowed."""
    ack()
    actor, gate_id = payload.sender(body), payload.button_id(body, "gate")
    verdict = VERDICTS[payload.action_id(body)]
    with db.session() as session:
        gate, project = gates.check_may_decide(session=session, actor=actor, gate_id=gate_id)
        view = gate_form.reason_modal(
            gate_id=gate_id, verdict=verdict, label=gates.gate_label(gate, project)
        )
    client.views_open(trigger_id=payload.trigger_id(body), view=view)


def save_reason(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    db: Database,
    clock: Clock,
    delivery: Delivery,
) -> None:
    """The reason given: record the rejection or the request for changes."""
    gate_id, verdict, reason = gate_form.read_reason_form(view)
    if gate_id is None or verdict is None:
        raise PmoError("This form is no longer valid.")
    _decide(
        db=db,
        delivery=delivery,
        actor=payload.sender(body),
        gate_id=gate_id,
        verdict=verdict,
        reason=reason,
        now=clock(),
    )
    ack()
    delivery.send_soon()


def _decide(
    *,
    db: Database,
    delivery: Delivery,
    actor: Actor,
    gate_id: int,
    verdict: Verdict,
    reason: str,
    now: datetime,
) -> str:
    # Record the decision and queue its messages; returns the gate's label.
    with db.session() as session:
        decided = gates.decide(
            session=session, actor=actor, gate_id=gate_id, verdict=verdict, reason=reason, now=now
        )
        delivery.enqueue(session=session, messages=decided.messages, now=now)
        return gates.gate_label(decided.gate, decided.project)
