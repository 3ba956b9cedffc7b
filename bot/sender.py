"""The one step from a workflow's result to the outbox: render each message, store it.

Listeners and jobs call `enqueue` inside the transaction that made the change, so the
change and its messages commit together (or not at all); `send_soon` then asks the
courier to deliver, without waiting for Slack.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session

from bot.delivery import Courier
from commands.rendering import render
from commands.templates import Templates
from storage import outbox
from workflows import message_keys
from workflows.outgoing import Outgoing


class Sender:
    """What listeners know as `delivery` (commands/context.py)."""

    def __init__(self, courier: Courier, templates: Templates) -> None:
        self.courier = courier
        self.templates = templates

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
