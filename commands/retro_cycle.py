"""`/retro KEY` starts a retrospective, `/retro every KEY 4` sets a project's cadence;
the *Contribute* button opens the form (commands/retro_form.py) whose submission stores
a contribution, named or anonymous. The messages are commands/retro_message.py.

Nothing here logs what a person wrote or who contributed anonymously.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from commands import mrkdwn, payload, retro_form
from commands.command_ask import CommandAsk, Verb
from commands.context import Clock, Delivery
from commands.retro_message import CONTRIBUTE_ACTION
from commands.view_state import metadata_id
from storage.db import Database
from workflows import retros
from workflows.errors import PmoError
from workflows.retros import retro_label
from workflows.wording import count

USAGE_EVERY = "/retro every KEY 4 (or off)"


def register(app: App) -> None:
    """Attach the *Contribute* button and its form."""
    app.action(CONTRIBUTE_ACTION)(open_contribute)
    app.view(retro_form.CALLBACK_ID)(save_contribution)


def start_retro(ask: CommandAsk) -> None:
    """`/retro KEY` (or `/retro start` in a project's channel): open its retrospective."""
    key = ask.rest.split()[0] if ask.verb == "start" and ask.rest else None
    if ask.verb != "start":
        key = ask.verb.upper()
    started = ask.delivery.perform(partial(retros.start_retro, actor=ask.actor, key=key))
    label = retro_label(started.retro, started.project)
    ask.respond(
        text=f"{label} is open until {mrkdwn.when(started.retro.closes_at)}: "
        f"{count(len(started.invited), 'person is', 'people are')} asked to contribute by "
        "direct message."
    )


def set_every(ask: CommandAsk) -> None:
    """`/retro every KEY 4` (weeks) or `/retro every KEY off`."""
    words = ask.rest.split()
    if len(words) != 2:
        raise PmoError(f"Which project, and how often? `{USAGE_EVERY}`.")
    key, every = words
    if every.lower() == "off":
        weeks = None
    else:
        try:
            weeks = payload.whole_number(every)
        except ValueError:
            raise PmoError(f"Give a number of weeks or `off`: `{USAGE_EVERY}`.") from None
    done = ask.delivery.perform(partial(retros.set_cadence, actor=ask.actor, key=key, weeks=weeks))
    if done.weeks is None:
        ask.respond(text=f"{done.project.key} holds retros at gates, at closing and on demand.")
    else:
        ask.respond(text=f"{done.project.key} holds a retro every {done.weeks} weeks.")


VERBS: dict[str, Verb] = {"start": start_retro, "every": set_every}


def open_contribute(
    ack: Ack, body: dict[str, Any], client: WebClient, db: Database, clock: Clock
) -> None:
    """The *Contribute* button: the form, if the person may contribute now."""
    ack()
    retro_id = payload.button_id(body, "retrospective")
    trigger_id = payload.trigger_id(body)
    with db.session() as session:
        retro, project = retros.check_may_contribute(
            session=session, actor=payload.sender(body), retro_id=retro_id, now=clock()
        )
        label = retro_label(retro, project)
    client.views_open(
        trigger_id=trigger_id, view=retro_form.contribute_modal(retro_id=retro_id, label=label)
    )


def save_contribution(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], delivery: Delivery
) -> None:
    """Store the contribution; the form thanks the person (no message, no log line)."""
    retro_id = metadata_id(view, "retro")
    if retro_id is None:
        raise PmoError("This form names no retrospective; open it again from its message.")
    done = delivery.perform(
        partial(
            retros.contribute,
            actor=payload.sender(body),
            retro_id=retro_id,
            contribution=retro_form.read_contribution(view),
        )
    )
    label = retro_label(done.retro, done.project)
    ack(response_action="update", view=retro_form.thanks_view(label, done.anonymous))
