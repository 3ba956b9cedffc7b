"""`/pmo benefits`: a project's expected benefits, the form to state one, and recording
the value realised (from the list, or the *Record value* button of the check-in nudge).

`/pmo benefits [KEY]` lists them; `/pmo benefits [KEY] add` opens the form.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.models.blocks import SectionBlock
from slack_sdk.models.views import View

from commands import benefit_form, mrkdwn, payload, project_picker
from commands.benefit_form import PICKER
from commands.benefit_message import (
    ADD_ACTION,
    RECORD_ACTION,
    REMOVE_ACTION,
    benefits_blocks,
    realised_text,
    target_text,
)
from commands.context import Clock, Delivery
from commands.project_picker import ProjectChoice
from storage.db import Database
from workflows import benefits
from workflows.actor import Actor
from workflows.errors import InvalidInput, PmoError
from workflows.projects import resolve_project
from workflows.wording import count

if TYPE_CHECKING:
    from commands.pmo import PmoAsk

USAGE = "/pmo benefits KEY"
USAGE_ADD = "/pmo benefits KEY add"


def register(app: App) -> None:
    """Attach the benefit form, its project picker, and the list's and nudge's buttons."""
    project_picker.serve(app, PICKER)
    app.view(benefit_form.ADD_CALLBACK)(save_benefit)
    app.view(benefit_form.VALUE_CALLBACK)(save_value)
    app.action(ADD_ACTION)(add_from_list)
    app.action(RECORD_ACTION)(ask_value)
    app.action(REMOVE_ACTION)(remove_benefit)


def benefits_verb(ask: PmoAsk) -> None:
    """`/pmo benefits [KEY] [add]`: the list, or the form to state a benefit."""
    words = ask.rest.split()
    adding = [w for w in words if w.lower() == "add"]
    keys = [w for w in words if w.lower() != "add"]
    if len(keys) > 1 or len(adding) > 1:
        raise PmoError(f"Name one project: `{USAGE}`, or `{USAGE_ADD}` to add one.")
    key = keys[0] if keys else None
    if adding:
        open_add(client=ask.client, db=ask.db, actor=ask.actor, key=key, trigger_id=ask.trigger_id)
        return
    with ask.db.session() as session:
        listed = benefits.project_benefits(
            session=session, actor=ask.actor, key=key, now=ask.clock()
        )
    ask.respond(
        blocks=benefits_blocks(listed),
        text=f"{listed.project.key}: {count(len(listed.lines), 'expected benefit')}",
    )


def open_add(
    *, client: WebClient, db: Database, actor: Actor, key: str | None, trigger_id: str
) -> None:
    """The form for a benefit of the project named (else the channel's, else picked among
    those the person runs or sponsors), if they may state its benefits."""
    with db.session() as session:
        selected = None
        if key or actor.channel_id:
            try:
                project = resolve_project(
                    session=session,
                    team_id=actor.team_id,
                    key=key,
                    channel_id=actor.channel_id,
                    usage=USAGE_ADD,
                )
            except PmoError:
                if key:
                    raise
            else:
                benefits.require_may_manage(session=session, project=project, actor=actor)
                selected = ProjectChoice(project.key, project.name, True)
        choices = PICKER.choices(session=session, actor=actor)
    if not choices and selected is None:
        raise PmoError(f"Which project? You run or sponsor none here: `{USAGE_ADD}`.")
    client.views_open(trigger_id=trigger_id, view=benefit_form.add_modal(choices, selected))


def add_from_list(ack: Ack, body: dict[str, Any], client: WebClient, db: Database) -> None:
    """*Add benefit* under a project's list: the same form as `/pmo benefits KEY add`."""
    ack()
    open_add(
        client=client,
        db=db,
        actor=payload.sender(body),
        key=payload.button_value(body),
        trigger_id=payload.trigger_id(body),
    )


def save_benefit(ack: Ack, body: dict[str, Any], view: dict[str, Any], delivery: Delivery) -> None:
    """Store the benefit; every wrong field is shown inline and nothing is stored."""
    key, draft = benefit_form.read_add_form(view)
    if not key:
        raise InvalidInput({benefits.PROJECT: "Choose the project."})
    done = delivery.perform(
        partial(benefits.add_benefit, actor=payload.sender(body), key=key, draft=draft)
    )
    text = (
        f":white_check_mark: *{done.project.key}* expects “{mrkdwn.escape(done.benefit.title)}”: "
        f"{mrkdwn.escape(target_text(done.benefit))} by {mrkdwn.day(done.benefit.realise_on)}. "
        f"`/pmo benefits {done.project.key}` lists its benefits."
    )
    ack(response_action="update", view=_done_view("Benefit added", text))


def ask_value(
    ack: Ack, body: dict[str, Any], client: WebClient, db: Database, clock: Clock
) -> None:
    """*Record value*: the form for the value realised, if the person may record it now."""
    ack()
    actor, benefit_id = payload.sender(body), payload.button_id(body, "benefit")
    with db.session() as session:
        asked = benefits.value_form(
            session=session, actor=actor, benefit_id=benefit_id, now=clock()
        )
    client.views_open(trigger_id=payload.trigger_id(body), view=benefit_form.value_modal(asked))


def save_value(ack: Ack, body: dict[str, Any], view: dict[str, Any], delivery: Delivery) -> None:
    """Record the value: realised or missed against the target; wrong fields inline."""
    benefit_id, value, direction, note = benefit_form.read_value_form(view)
    if benefit_id is None:
        raise PmoError("This form is no longer valid.")
    done = delivery.perform(
        partial(
            benefits.record_value,
            actor=payload.sender(body),
            benefit_id=benefit_id,
            value=value,
            direction=direction,
            note=note,
        )
    )
    verdict = ":white_check_mark: Realised" if done.met else ":x: Missed"
    text = (
        f"{verdict}: *{done.project.key}* “{mrkdwn.escape(done.benefit.title)}” reached "
        f"{mrkdwn.escape(realised_text(done.benefit))} against a target of "
        f"{mrkdwn.escape(target_text(done.benefit))}. The Monday digest reports it."
    )
    ack(response_action="update", view=_done_view("Value recorded", text))


def remove_benefit(ack: Ack, body: dict[str, Any], respond: Respond, delivery: Delivery) -> None:
    """*Remove* beside a benefit (the PM, the sponsor or a PMO lead)."""
    ack()
    benefit_id = payload.button_id(body, "benefit")
    done = delivery.perform(
        partial(benefits.remove_benefit, actor=payload.sender(body), benefit_id=benefit_id)
    )
    respond(
        text=f"Removed “{mrkdwn.escape(done.benefit.title)}” from {done.project.key}'s benefits.",
        response_type="ephemeral",
        replace_original=False,
    )


def _done_view(title: str, text: str) -> dict[str, Any]:
    return View(
        type="modal", title=title, close="Done", blocks=[SectionBlock(text=mrkdwn.fit(text, 3000))]
    ).to_dict()
