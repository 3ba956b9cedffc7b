"""One slash command with verbs (`/capacity`, `/goal`) as its verbs receive it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient

from commands import payload
from commands.context import Clock, Delivery
from storage.db import Database
from workflows.actor import Actor


@dataclass(frozen=True)
class CommandAsk:
    """Who typed it, its verb and the words after it, and what answers it."""

    verb: str
    rest: str
    actor: Actor
    command: dict[str, Any]
    respond: Respond
    client: WebClient
    db: Database
    clock: Clock
    delivery: Delivery

    @classmethod
    def of(
        cls,
        command: dict[str, Any],
        respond: Respond,
        client: WebClient,
        db: Database,
        clock: Clock,
        delivery: Delivery,
    ) -> CommandAsk:
        """The command as typed: its first word (lower case) and the rest."""
        verb, _, rest = payload.command_text(command).strip().partition(" ")
        actor = payload.command_sender(command)
        return cls(verb.lower(), rest.strip(), actor, command, respond, client, db, clock, delivery)

    @property
    def trigger_id(self) -> str:
        """The command's trigger, for the verbs that open a form."""
        return payload.trigger_id(self.command)


# What answers a verb.
Verb = Callable[[CommandAsk], None]


def route(ask: CommandAsk, verbs: dict[str, Verb], *, alone: Verb, otherwise: Verb) -> None:
    """Answer the command: `alone` when nothing was typed, the verb's own answer, or
    `otherwise` for a first word that is no verb (a project's or a goal's key)."""
    if not ask.verb:
        alone(ask)
    elif ask.verb in verbs:
        verbs[ask.verb](ask)
    else:
        otherwise(ask)
