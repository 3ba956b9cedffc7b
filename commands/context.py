"""What listeners receive from the app besides Slack's own arguments (see bot/app.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Protocol

from sqlmodel import Session

from workflows.outgoing import Outgoing

Clock = Callable[[], datetime]


class Delivery(Protocol):
    """The one step from a workflow's messages to Slack (bot/sender.py)."""

    def enqueue(self, *, session: Session, messages: Iterable[Outgoing], now: datetime) -> None:
        """Store the messages in the outbox, in the caller's transaction."""
        ...

    def send_soon(self) -> None:
        """Ask for delivery without waiting for it (Slack's answer never holds up a listener)."""
        ...
