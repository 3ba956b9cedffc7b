"""`/gate`: request a project's next stage gate; approvers decide with buttons in a thread."""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlmodel import Session

from commands import gate_form, gate_message, payload, project_picker
from commands.context import Delivery
from commands.project_picker import PickerForm, ProjectChoice
from storage.db import Database
from storage.models import Project, Role, Verdict
from storage.projects import project_in_channel
from workflows import gate_decisions, gate_followup, gates, projects
from workflows.actor import Actor
from workflows.errors import InvalidInput, PmoError

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
    project_picker.serve(app, PICKER)
    app.action(gate_message.APPROVE_ACTION)(approve)
    app.action(gate_message.REJECT_ACTION)(ask_reason)
    app.action(gate_message.CHANGES_ACTION)(ask_reason)


def gate_command(
    ack: Ack,
    command: dict[str, Any],
    respond: Respond,
    client: WebClient,
    db: Database,
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
        _withdraw(delivery=delivery, respond=respond, actor=actor, key=key)
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


def _withdraw(*, delivery: Delivery, respond: Respond, actor: Actor, key: str | None) -> None:
    withdrawn = delivery.perform(
        partial(gates.withdraw, actor=actor, key=key, usage="/gate withdraw KEY")
    )
    respond(text=f"{gates.gate_label(withdrawn.gate, withdrawn.project)} is withdrawn.")


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
    choices = PICKER.choices(session=session, actor=actor)
    if not choices:
        raise PmoError(
            "Gates are requested by a project's PM or members, and you are neither on any "
            "project. `/pmo list` shows the projects and their PMs."
        )
    return gate_form.gate_modal(choices=choices, selected=None, plan=None)


def _gate_form_for(
    session: Session, actor: Actor, project: Project, choices: list[ProjectChoice]
) -> dict[str, Any]:
    # A project was picked: its next gate, or why it can't have one now.
    selected = ProjectChoice(project.key, project.name, True)
    try:
        plan = gates.plan_next_gate(session=session, project=project, requester=actor.user_id)
    except PmoError as exc:
        return gate_form.gate_modal(choices=choices, selected=selected, plan=None, problem=str(exc))
    return gate_form.gate_modal(choices=choices, selected=selected, plan=plan)


# Gates are requested by a project's PM or members; picking a project shows its next gate.
PICKER = PickerForm(
    action_id=gate_form.PROJECT_ACTION,
    roles=frozenset({Role.PM, Role.MEMBER}),
    refill=_gate_form_for,
)


def save_request(ack: Ack, body: dict[str, Any], view: dict[str, Any], delivery: Delivery) -> None:
    """Store the request, post it with its buttons and ask each approver."""
    actor = payload.sender(body)
    key = gate_form.requested_key(view)
    if not key:
        raise InvalidInput({gate_form.PROJECT: "Pick a project."})
    draft = gate_form.read_gate_form(view)
    delivery.perform(partial(gates.request_gate, actor=actor, key=key, draft=draft))
    ack()


def approve(ack: Ack, body: dict[str, Any], respond: Respond, delivery: Delivery) -> None:
    """ "Approve": counted at once (buttons carry only the gate id; the rest is re-read)."""
    ack()
    actor, gate_id = payload.sender(body), payload.button_id(body, "gate")
    decided = delivery.perform(
        partial(
            gate_decisions.decide, actor=actor, gate_id=gate_id, verdict=Verdict.APPROVE, reason=""
        )
    )
    label = gates.gate_label(decided.gate, decided.project)
    respond(
        text=f"Recorded: you approved {label}.", response_type="ephemeral", replace_original=False
    )


def ask_reason(ack: Ack, body: dict[str, Any], client: WebClient, db: Database) -> None:
    """ "Reject" and "Request changes": ask why, once the person is known to be allowed."""
    ack()
    actor, gate_id = payload.sender(body), payload.button_id(body, "gate")
    verdict = VERDICTS[payload.action_id(body)]
    with db.session() as session:
        gate, project = gate_decisions.check_may_decide(
            session=session, actor=actor, gate_id=gate_id
        )
        view = gate_form.reason_modal(
            gate_id=gate_id, verdict=verdict, label=gates.gate_label(gate, project)
        )
    client.views_open(trigger_id=payload.trigger_id(body), view=view)


def save_reason(ack: Ack, body: dict[str, Any], view: dict[str, Any], delivery: Delivery) -> None:
    """The reason given: record the rejection or the request for changes."""
    gate_id, verdict, reason = gate_form.read_reason_form(view)
    if gate_id is None or verdict is None:
        raise PmoError("This form is no longer valid.")
    actor = payload.sender(body)
    delivery.perform(
        partial(gate_decisions.decide, actor=actor, gate_id=gate_id, verdict=verdict, reason=reason)
    )
    ack()
