"""`/risk`: raise risks and issues, list them, and move them along with buttons."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlmodel import Session

from commands import payload, project_picker, risk_form, risk_message
from commands.context import Clock, Delivery
from commands.project_picker import PickerForm, ProjectChoice
from commands.risk_text import USAGE, RiskAsk, RiskCommand, parse_risk_text
from storage.db import Database
from storage.models import Role
from storage.projects import project_in_channel
from workflows import risk_changes, risks
from workflows.actor import Actor
from workflows.errors import InvalidInput, PmoError

# Anyone on a project may raise its risks; the form does not refill when one is picked.
PICKER = PickerForm(
    action_id=risk_form.PROJECT_ACTION,
    roles=frozenset({Role.PM, Role.SPONSOR, Role.APPROVER, Role.MEMBER}),
)


def register(app: App) -> None:
    """Attach `/risk`, its forms and the buttons on risk cards."""
    app.command("/risk")(risk_command)
    app.view(risk_form.CALLBACK_ID)(save_risk)
    app.view(risk_form.CLOSE_CALLBACK_ID)(save_resolution)
    project_picker.serve(app, PICKER)
    for action_id in CHANGES:
        app.action(action_id)(change_risk)
    app.action(risk_message.CLOSE_ACTION)(ask_resolution)


def risk_command(
    ack: Ack,
    command: dict[str, Any],
    respond: Respond,
    client: WebClient,
    db: Database,
    clock: Clock,
    delivery: Delivery,
) -> None:
    """`/risk` alone opens the form; with text, the short form, a list, or your own."""
    ack()
    actor = payload.command_sender(command)
    asked = parse_risk_text(payload.command_text(command))  # BadRiskText: see bot/errors.py
    if asked.kind == RiskAsk.FORM:
        with db.session() as session:
            view = risk_form_for(session, actor)
        client.views_open(trigger_id=payload.trigger_id(command), view=view)
    elif asked.kind == RiskAsk.RAISE:
        _raise_short_form(delivery, respond, actor, asked)
    elif asked.kind == RiskAsk.LIST:
        with db.session() as session:
            project, register = risks.project_register(
                session=session, actor=actor, key=asked.key, now=clock(), usage="/risk list KEY"
            )
            count = len(register.entries)
            blocks = risk_message.risk_list(
                register,
                title=f"{project.key}: open risks and issues ({count})",
                empty=f"{project.key} has no open risks or issues. `/risk` raises one.",
            )
        respond(blocks=blocks, text=f"{project.key} risks")
    else:
        with db.session() as session:
            register = risks.owned_register(session=session, actor=actor, now=clock())
            blocks = risk_message.risk_list(
                register,
                title=f"Open risks and issues you own ({len(register.entries)})",
                empty="You own no open risks or issues.",
            )
        respond(blocks=blocks, text="Your risks")


def risk_form_for(session: Session, actor: Actor) -> dict[str, Any]:
    """The risk form, for the channel's project or with a picker of the person's projects."""
    choices = PICKER.choices(session=session, actor=actor)
    project = (
        project_in_channel(session=session, team_id=actor.team_id, channel_id=actor.channel_id)
        if actor.channel_id
        else None
    )
    if project is not None:
        risks.require_on_project(session=session, project=project, user_id=actor.user_id)
    elif not choices:
        raise PmoError(
            "You are on no project yet, so there is none to raise a risk on. "
            "`/pmo list` shows the projects and their PMs."
        )
    selected = ProjectChoice(project.key, project.name, True) if project else None
    return risk_form.risk_modal(choices=choices, selected=selected, raiser=actor.user_id)


def _raise_short_form(
    delivery: Delivery, respond: Respond, actor: Actor, asked: RiskCommand
) -> None:
    draft = risks.RiskDraft(
        title=asked.title, probability=asked.probability, impact=asked.impact, owner=actor.user_id
    )
    try:
        raised = delivery.perform(
            partial(risks.raise_risk, actor=actor, key=asked.key, draft=draft, usage=USAGE)
        )
    except InvalidInput as exc:
        # The short form has no fields to show errors on: say how to type it instead.
        raise PmoError(f"{exc} `{USAGE}`") from None
    name = risks.risk_label(raised.risk, raised.project)
    respond(text=f"Raised {name} ({raised.severity.value}, score {raised.risk.score}).")


def save_risk(ack: Ack, body: dict[str, Any], view: dict[str, Any], delivery: Delivery) -> None:
    """Raise the entry from the form; wrong fields are shown inline (see bot/errors.py)."""
    actor = payload.sender(body)
    key = risk_form.selected_key(view)
    if not key:
        raise InvalidInput({risk_form.PROJECT: "Pick a project."})
    draft = risk_form.read_risk_form(view)
    delivery.perform(partial(risks.raise_risk, actor=actor, key=key, draft=draft))
    ack()


# The card's buttons that change the entry at once, and the rule each applies.
CHANGES: dict[str, Callable[..., risk_changes.Changed]] = {
    risk_message.OWN_ACTION: risk_changes.take_ownership,
    risk_message.MITIGATING_ACTION: risk_changes.start_mitigating,
    risk_message.CONVERT_ACTION: risk_changes.convert_to_issue,
}


def change_risk(ack: Ack, body: dict[str, Any], respond: Respond, delivery: Delivery) -> None:
    """ "Take ownership", "Mitigating", "Became an issue": the change, and the card edited.

    Buttons carry only the risk id; who may do what is read again from the database.
    """
    ack()
    change = CHANGES[payload.action_id(body)]
    actor, risk_id = payload.sender(body), payload.button_id(body, "risk")
    changed = delivery.perform(partial(change, actor=actor, risk_id=risk_id))
    respond(text=changed.message, response_type="ephemeral", replace_original=False)


def ask_resolution(ack: Ack, body: dict[str, Any], client: WebClient, db: Database) -> None:
    """ "Close": first ask how it was resolved (if the person may close it)."""
    ack()
    actor, risk_id = payload.sender(body), payload.button_id(body, "risk")
    with db.session() as session:
        risk, project = risk_changes.check_may_close(session=session, actor=actor, risk_id=risk_id)
        view = risk_form.close_modal(
            risk_id=risk_id, label=risks.risk_label(risk, project), title=risk.title
        )
    client.views_open(trigger_id=payload.trigger_id(body), view=view)


def save_resolution(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], delivery: Delivery
) -> None:
    """Close the entry with the resolution given."""
    risk_id = risk_form.closing_risk_id(view)
    if risk_id is None:
        raise PmoError("This form is no longer valid.")
    resolution = risk_form.read_resolution(view)
    actor = payload.sender(body)
    delivery.perform(
        partial(risk_changes.close, actor=actor, risk_id=risk_id, resolution=resolution)
    )
    ack()
