"""`/risk`: raise risks and issues, record assumptions and decisions, list and map them,
and move them along with buttons (on the card, and on the review reminder)."""

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
from commands.risk_text import (
    LIST_USAGE,
    RECORD_USAGE,
    USAGE,
    RiskAsk,
    RiskCommand,
    parse_risk_text,
)
from storage.db import Database
from storage.models import RiskKind, Role
from storage.projects import project_in_channel
from storage.workspaces import ensure_workspace
from workflows import risk_changes, risk_views, risks
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
    app.action(risk_message.EDIT_ACTION)(ask_edit)
    app.view(risk_form.EDIT_CALLBACK_ID)(save_edit)
    app.action(risk_message.REVIEW_ACTION)(ask_review_date)
    app.view(risk_form.REVIEW_CALLBACK_ID)(save_review_date)


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
    elif asked.kind == RiskAsk.RECORD:
        _record_short_form(delivery, respond, actor, asked)
    elif asked.kind == RiskAsk.HEATMAP:
        shared = delivery.perform(
            partial(risk_views.share_risk_heat_map, actor=actor, key=asked.key)
        )
        heat = shared.heat_map
        respond(
            text=f":frame_with_picture: The heat map of {heat.scope} ({heat.total} open risks "
            "and issues) is on its way to your direct messages with me."
        )
    elif asked.kind == RiskAsk.LIST:
        wanted = asked.wanted or risk_views.RiskFilter()
        with db.session() as session:
            project, register = risk_views.filtered_register(
                session=session,
                actor=actor,
                key=asked.key,
                wanted=wanted,
                now=clock(),
                usage=LIST_USAGE,
            )
            what = _listed(wanted)
            blocks = risk_message.risk_list(
                register,
                title=f"{project.key}: {what} ({len(register.entries)})",
                empty=f"{project.key} has no {what}. `/risk` raises one.",
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


def _listed(wanted: risk_views.RiskFilter) -> str:
    # `open risks and issues`, `closed decisions`, `all entries`: what the list holds.
    kinds = [f"{kind.value}s" for kind in wanted.kinds] or ["entries"]
    state = "" if wanted.state == "all" else f"{wanted.state} "
    return f"{state}{' and '.join(kinds)}"


def _record_short_form(
    delivery: Delivery, respond: Respond, actor: Actor, asked: RiskCommand
) -> None:
    assert asked.entry_kind is not None
    draft = risks.RiskDraft(
        kind=asked.entry_kind,
        title=asked.title,
        probability=None,
        impact=None,
        owner=actor.user_id,
        decided_by=actor.user_id if asked.entry_kind == RiskKind.DECISION else None,
    )
    usage = RECORD_USAGE[asked.entry_kind]
    try:
        raised = delivery.perform(
            partial(risks.raise_risk, actor=actor, key=asked.key, draft=draft, usage=usage)
        )
    except InvalidInput as exc:
        raise PmoError(f"{exc} `{usage}`") from None
    respond(text=f"Recorded {risks.risk_label(raised.risk, raised.project)}.")


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


def ask_edit(ack: Ack, body: dict[str, Any], client: WebClient, db: Database) -> None:
    """ "Edit": the form with the entry as it stands (if the person may edit it)."""
    ack()
    actor, risk_id = payload.sender(body), payload.button_id(body, "risk")
    with db.session() as session:
        risk, project = risk_changes.check_steward(
            session=session, actor=actor, risk_id=risk_id, doing="edit it"
        )
        view = risk_form.edit_modal(risk=risk, label=risks.risk_label(risk, project))
    client.views_open(trigger_id=payload.trigger_id(body), view=view)


def save_edit(ack: Ack, body: dict[str, Any], view: dict[str, Any], delivery: Delivery) -> None:
    """Save the edit: re-scored, audited, the card edited in place."""
    risk_id = risk_form.edited_risk_id(view)
    if risk_id is None:
        raise PmoError("This form is no longer valid.")
    draft = risk_form.read_risk_form(view)
    actor = payload.sender(body)
    delivery.perform(partial(risk_changes.edit_risk, actor=actor, risk_id=risk_id, draft=draft))
    ack()


def ask_review_date(
    ack: Ack, body: dict[str, Any], client: WebClient, db: Database, clock: Clock
) -> None:
    """ "New review date" on the review reminder: ask for the date (if the person may)."""
    ack()
    actor, risk_id = payload.sender(body), payload.button_id(body, "risk")
    with db.session() as session:
        risk, project = risk_changes.check_steward(
            session=session, actor=actor, risk_id=risk_id, doing="set its review date"
        )
        workspace = ensure_workspace(session=session, team_id=actor.team_id)
        view = risk_form.review_modal(
            risk_id=risk_id,
            label=risks.risk_label(risk, project),
            title=risk.title,
            today=risks.local_today(workspace, clock()),
        )
    client.views_open(trigger_id=payload.trigger_id(body), view=view)


def save_review_date(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], delivery: Delivery
) -> None:
    """Store the new review date; the card is edited and the next reminder waits for it."""
    risk_id = risk_form.edited_risk_id(view)
    if risk_id is None:
        raise PmoError("This form is no longer valid.")
    review_date = risk_form.read_review_date(view)
    actor = payload.sender(body)
    delivery.perform(
        partial(risk_changes.new_review_date, actor=actor, risk_id=risk_id, review_date=review_date)
    )
    ack()
