"""`/risk`: raise risks and issues, list them, and move them along with buttons."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlmodel import Session

from commands import payload, risk_form, risk_message
from commands.context import Clock, Delivery
from commands.project_picker import ProjectChoice, project_choices, project_options
from commands.risk_text import USAGE, RiskAsk, RiskCommand, parse_risk_text
from storage.db import Database
from storage.models import Role
from storage.projects import project_in_channel
from workflows import risk_changes, risks
from workflows.actor import Actor
from workflows.errors import InvalidInput, PmoError

ANY_ROLE = {Role.PM, Role.SPONSOR, Role.APPROVER, Role.MEMBER}


def register(app: App) -> None:
    """Attach `/risk`, its forms and the buttons on risk cards."""
    app.command("/risk")(risk_command)
    app.view(risk_form.CALLBACK_ID)(save_risk)
    app.view(risk_form.CLOSE_CALLBACK_ID)(save_resolution)
    app.options(risk_form.PROJECT_ACTION)(suggest_projects)
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
            view = risk_form_for(session, actor.team_id, actor.user_id, actor.channel_id)
        client.views_open(trigger_id=payload.trigger_id(command), view=view)
    elif asked.kind == RiskAsk.RAISE:
        _raise_short_form(db, delivery, clock, respond, actor, asked)
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


def risk_form_for(
    session: Session, team_id: str, user_id: str, channel_id: str | None
) -> dict[str, Any]:
    """The risk form, for the channel's project or with a picker of the person's projects."""
    choices = project_choices(session=session, team_id=team_id, user_id=user_id, roles=ANY_ROLE)
    project = (
        project_in_channel(session=session, team_id=team_id, channel_id=channel_id)
        if channel_id
        else None
    )
    if project is not None:
        risks.require_on_project(session=session, project=project, user_id=user_id)
    elif not choices:
        raise PmoError(
            "You are on no project yet, so there is none to raise a risk on. "
            "`/pmo list` shows the projects and their PMs."
        )
    selected = ProjectChoice(project.key, project.name, True) if project else None
    return risk_form.risk_modal(choices=choices, selected=selected, raiser=user_id)


def _raise_short_form(
    db: Database,
    delivery: Delivery,
    clock: Clock,
    respond: Respond,
    actor: Actor,
    asked: RiskCommand,
) -> None:
    draft = risks.RiskDraft(
        title=asked.title, probability=asked.probability, impact=asked.impact, owner=actor.user_id
    )
    now = clock()
    with db.session() as session:
        try:
            raised = risks.raise_risk(
                session=session, actor=actor, key=asked.key, draft=draft, now=now, usage=USAGE
            )
        except InvalidInput as exc:
            # The short form has no fields to show errors on: say how to type it instead.
            raise PmoError(f"{exc} `{USAGE}`") from None
        delivery.enqueue(session=session, messages=raised.messages, now=now)
        name = risks.risk_label(raised.risk, raised.project)
    respond(text=f"Raised {name} ({raised.severity.value}, score {raised.risk.score}).")
    delivery.send_soon()


def save_risk(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    db: Database,
    clock: Clock,
    delivery: Delivery,
) -> None:
    """Raise the entry from the form; wrong fields are shown inline (see bot/errors.py)."""
    actor = payload.sender(body)
    key = risk_form.selected_key(view)
    if not key:
        raise InvalidInput({risk_form.PROJECT: "Pick a project."})
    draft = risk_form.read_risk_form(view)
    now = clock()
    with db.session() as session:
        raised = risks.raise_risk(session=session, actor=actor, key=key, draft=draft, now=now)
        delivery.enqueue(session=session, messages=raised.messages, now=now)
    ack()
    delivery.send_soon()


def suggest_projects(ack: Ack, body: dict[str, Any], db: Database) -> None:
    """Options for the project picker past 100 projects."""
    who = payload.sender(body)
    with db.session() as session:
        choices = project_choices(
            session=session, team_id=who.team_id, user_id=who.user_id, roles=ANY_ROLE
        )
    ack(options=project_options(choices, payload.typed(body)))


# The card's buttons that change the entry at once, and the rule each applies.
CHANGES: dict[str, Callable[..., risk_changes.Changed]] = {
    risk_message.OWN_ACTION: risk_changes.take_ownership,
    risk_message.MITIGATING_ACTION: risk_changes.start_mitigating,
    risk_message.CONVERT_ACTION: risk_changes.convert_to_issue,
}


def change_risk(
    ack: Ack, body: dict[str, Any], respond: Respond, db: Database, clock: Clock, delivery: Delivery
) -> None:
    """ "Take ownership", "Mitigating", "Became an issue": the change, and the card edited.

    Buttons carry only the risk id; who may do what is read again from the database.
    """
    ack()
    change = CHANGES[payload.action_id(body)]
    actor, risk_id = payload.sender(body), payload.button_id(body, "risk")
    now = clock()
    with db.session() as session:
        changed = change(session=session, actor=actor, risk_id=risk_id, now=now)
        delivery.enqueue(session=session, messages=changed.messages, now=now)
    respond(text=changed.message, response_type="ephemeral", replace_original=False)
    if changed.messages:
        delivery.send_soon()


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
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    db: Database,
    clock: Clock,
    delivery: Delivery,
) -> None:
    """Close the entry with the resolution given."""
    risk_id = risk_form.closing_risk_id(view)
    if risk_id is None:
        raise PmoError("This form is no longer valid.")
    actor, now = payload.sender(body), clock()
    with db.session() as session:
        changed = risk_changes.close(
            session=session,
            actor=actor,
            risk_id=risk_id,
            resolution=risk_form.read_resolution(view),
            now=now,
        )
        delivery.enqueue(session=session, messages=changed.messages, now=now)
    ack()
    delivery.send_soon()
