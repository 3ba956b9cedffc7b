"""Messages people send the bot in its Messages tab: answered with a short help pointing
to the commands, at most once in five minutes a person (workflows/direct_messages.py).

Only a person's own new message is answered: the bot's and other bots' messages, edits,
deletions and every other message subtype are left alone, so the bot never answers
itself. Slack's retries of an event are dropped before they get here (bot/replays.py).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk.models.blocks import ContextBlock, MarkdownTextObject, SectionBlock

from commands import payload
from commands.context import Delivery
from workflows.direct_messages import BotHelp, answer_direct_message
from workflows.markup import is_user_id

HELP_TEXT = "Nobody reads replies here: here is where things go."
COMMANDS = [
    ("/status", "post your project's status (a nudge's *Post update* button does it too)"),
    ("/risk", "raise a risk or an issue; `/risk mine` lists yours"),
    ("/gate", "request a stage gate"),
    ("/pmo pause until YYYY-MM-DD", "no nudges while you are away"),
    ("/pmo help", "every command"),
]


def register(app: App) -> None:
    """Answer direct messages to the bot."""
    app.event("message")(answer_message)


def is_from_a_person(event: dict[str, Any], bot_user_id: str | None) -> bool:
    """A person's own new message in their direct messages with the bot: no subtype
    (bot_message, message_changed, message_deleted...), no bot behind it, not the bot."""
    return (
        event.get("channel_type") == "im"
        and "subtype" not in event
        and not event.get("bot_id")
        and not event.get("bot_profile")
        and is_user_id(event.get("user"))
        and event.get("user") != bot_user_id
    )


def answer_message(
    event: dict[str, Any], body: dict[str, Any], context: BoltContext, delivery: Delivery
) -> None:
    """Someone wrote to the bot: the help, unless the bot answered them a moment ago."""
    if not is_from_a_person(event, context.bot_user_id):
        return
    delivery.perform(
        partial(
            answer_direct_message,
            team_id=payload.team_id(body),
            user_id=payload.event_user(event),
        )
    )


def bot_help(content: BotHelp) -> tuple[str, list[dict[str, Any]]]:
    """The short help: where things go, and that the Home tab shows the rest."""
    lines = "\n".join(f"• `{command}` {what}" for command, what in COMMANDS)
    blocks = [
        SectionBlock(text=f"{HELP_TEXT}\n{lines}"),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="Your projects and what waits for you are on my *Home* tab. "
                    "To reach a person, write to them or in the project's channel."
                )
            ]
        ),
    ]
    return HELP_TEXT, [block.to_dict() for block in blocks]
