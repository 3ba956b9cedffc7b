"""The one step from a workflow's result to the outbox: render each message, store it.

A listener hands one user action to `perform`: it runs in one transaction, the messages
it returns are stored in that same transaction (so the change and its messages commit
together, or not at all), and the courier is asked to deliver once it has committed,
without waiting for Slack. Jobs call `enqueue` inside their own transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from sqlmodel import Session

from bot.delivery import Courier
from commands.context import Clock, R
from commands.rendering import render
from commands.templates import Templates
from storage import outbox
from storage.db import Database
from workflows import message_keys
from workflows.outgoing import Outgoing


class Sender:
    """What listeners know as `delivery` (commands/context.py)."""

    def __init__(
        self, courier: Courier, templates: Templates, database: Database, clock: Clock
    ) -> None:
        self.courier = courier
        self.templates = templates
        self.database = database
        self.clock = clock

    def perform(self, action: Callable[..., R]) -> R:
        """Run `action(session=…, now=…)`, one user action, and send what it returns."""
        now = self.clock()
        with self.database.session() as session:
            result = action(session=session, now=now)
            self.enqueue(session=session, messages=result.messages, now=now)
        if result.messages:
            self.send_soon()
        return result

    def enqueue(self, *, session: Session, messages: Iterable[Outgoing], now: datetime) -> None:
        """Store each message under its key (a key already stored is left as it is)."""
        for message in messages:
            parts = render(message.content, self.templates)
            for number, (text, blocks) in enumerate(parts, start=1):
                first = number == 1
                outbox.enqueue(
                    session=session,
                    team_id=message.team_id,
                    key=message.key if first else message_keys.continuation(message.key, number),
                    channel=message.to,
                    text=text,
                    blocks=blocks,
                    thread_key=message.thread_key if first else message.key,
                    update_key=message.update_key if first else None,
                    link_key=message.link_key if first else None,
                    now=now,
                )

    def send_soon(self) -> None:
        """Ask the courier for a delivery pass; returns at once."""
        self.courier.send_soon()
