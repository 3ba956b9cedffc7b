"""The *Acknowledge* and *Comment* buttons on a status post, and the comment form.

Buttons carry only the update's id; who may acknowledge is read again from the database.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.models.blocks import InputBlock, PlainTextInputElement
from slack_sdk.models.views import View

from commands import payload, status_message
from commands.context import Clock, Delivery
from commands.home import refresh_home
from commands.view_state import ViewState, metadata_id, pack_metadata, unpack_metadata
from storage.db import Database
from workflows import acknowledgements
from workflows.acknowledgements import COMMENT_MAX, CommentAsk
from workflows.errors import PmoError

CALLBACK_ID = "status.comment_save"
COMMENT = "comment"


def register(app: App) -> None:
    """Attach the status post's Acknowledge and Comment buttons and the comment form."""
    app.action(status_message.ACKNOWLEDGE_ACTION)(acknowledge)
    app.action(status_message.COMMENT_ACTION)(ask_comment)
    app.view(CALLBACK_ID)(save_comment)


def acknowledge(ack: Ack, body: dict[str, Any], respond: Respond, delivery: Delivery) -> None:
    """ "Acknowledge": stored once, the post edited to show it, the PM told."""
    ack()
    actor, update_id = payload.sender(body), payload.button_id(body, "status update")
    done = delivery.perform(partial(acknowledgements.acknowledge, actor=actor, update_id=update_id))
    respond(text=done.message, response_type="ephemeral", replace_original=False)


def ask_comment(ack: Ack, body: dict[str, Any], client: WebClient, db: Database) -> None:
    """ "Comment": the form for a comment to the PM (if the person may acknowledge)."""
    ack()
    actor, update_id = payload.sender(body), payload.button_id(body, "status update")
    with db.session() as session:
        asked = acknowledgements.comment_form(session=session, actor=actor, update_id=update_id)
    view = comment_modal(asked, from_home=payload.from_home(body))
    client.views_open(trigger_id=payload.trigger_id(body), view=view)


def save_comment(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    db: Database,
    clock: Clock,
    delivery: Delivery,
) -> None:
    """Acknowledge the update with the comment; a wrong comment is shown inline. Asked
    from the Home tab, the tab is shown again without the update."""
    update_id = metadata_id(view, "update_id")
    if update_id is None:
        raise PmoError("This form is no longer valid.")
    comment = ViewState(view).text(COMMENT)
    actor = payload.sender(body)
    delivery.perform(
        partial(acknowledgements.comment_on, actor=actor, update_id=update_id, comment=comment)
    )
    ack()
    if unpack_metadata(view).get("home") is True:
        refresh_home(
            client=client, db=db, team_id=actor.team_id, user_id=actor.user_id, now=clock()
        )


def comment_modal(asked: CommentAsk, *, from_home: bool = False) -> dict[str, Any]:
    """Asks for the comment, prefilled with the one the person gave before. `from_home`:
    asked from the Home tab, which is shown again once the comment is saved."""
    return View(
        type="modal",
        callback_id=CALLBACK_ID,
        title="Comment",
        submit="Acknowledge",
        close="Cancel",
        blocks=[
            InputBlock(
                block_id=COMMENT,
                label="Comment",
                hint=f"For the PM of {asked.label}; shown on the status post.",
                element=PlainTextInputElement(
                    action_id=COMMENT,
                    multiline=True,
                    max_length=COMMENT_MAX,
                    initial_value=asked.comment or None,
                ),
            )
        ],
        private_metadata=pack_metadata(update_id=asked.update_id, home=from_home),
    ).to_dict()
