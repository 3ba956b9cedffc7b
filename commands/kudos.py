"""`/kudos @person for what they did`: a public thank-you, and a direct message to them."""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.models.blocks import (
    ConversationSelectElement,
    InputBlock,
    PlainTextInputElement,
    UserMultiSelectElement,
)
from slack_sdk.models.views import View

from commands import mrkdwn, payload
from commands.context import Delivery
from commands.kudos_message import thanks_text
from commands.view_state import ViewState
from workflows.errors import InvalidInput, PmoError
from workflows.kudos import REASON_MAX, give_kudos

CALLBACK_ID = "kudos.save"
RECEIVERS = "receivers"
REASON = "reason"
WHERE = "where"
USAGE = "/kudos @person @another for what they did"


def register(app: App) -> None:
    """Attach `/kudos` and its form."""
    app.command("/kudos")(kudos_command)
    app.view(CALLBACK_ID)(save_kudos)


def kudos_command(
    ack: Ack,
    command: dict[str, Any],
    respond: Respond,
    client: WebClient,
    delivery: Delivery,
) -> None:
    """`/kudos` alone opens the form; `/kudos @ana for …` thanks at once, in this channel."""
    ack()
    actor = payload.command_sender(command)
    text = payload.command_text(command).strip()
    if not text:
        client.views_open(trigger_id=payload.trigger_id(command), view=kudos_modal())
        return
    receivers = mrkdwn.user_ids_in(text)
    reason = " ".join(mrkdwn.USER_MENTION.sub("", text).split())
    here = actor.channel_id
    try:
        given = delivery.perform(
            partial(give_kudos, actor=actor, receivers=receivers, reason=reason, channel_id=here)
        )
    except InvalidInput as exc:
        # The short form has no fields to show errors on: say how to type it instead.
        raise PmoError(f"{exc} `{USAGE}`") from None
    respond(text=thanks_text(given.kudos), response_type="in_channel")


def kudos_modal() -> dict[str, Any]:
    """The form: who, for what, and where the thank-you is posted."""
    return View(
        type="modal",
        callback_id=CALLBACK_ID,
        title="Give kudos",
        submit="Thank them",
        close="Cancel",
        blocks=[
            InputBlock(
                block_id=RECEIVERS,
                label="Who are you thanking?",
                element=UserMultiSelectElement(action_id=RECEIVERS),
            ),
            InputBlock(
                block_id=REASON,
                label="For what?",
                element=PlainTextInputElement(
                    action_id=REASON, multiline=True, max_length=REASON_MAX
                ),
            ),
            InputBlock(
                block_id=WHERE,
                label="Where to say it",
                element=ConversationSelectElement(
                    action_id=WHERE,
                    default_to_current_conversation=True,
                    response_url_enabled=True,
                ),
            ),
        ],
    ).to_dict()


def save_kudos(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    respond: Respond,
    delivery: Delivery,
) -> None:
    """Store the thank-you, post it where asked and tell the people thanked."""
    state = ViewState(view)
    given = delivery.perform(
        partial(
            give_kudos,
            actor=payload.sender(body),
            receivers=state.users(RECEIVERS),
            reason=state.text(REASON),
            channel_id=state.conversation(WHERE),
        )
    )
    ack()
    # Slack gives a response_url for the channel picked, so the bot need not be a member.
    respond(text=thanks_text(given.kudos), response_type="in_channel")
