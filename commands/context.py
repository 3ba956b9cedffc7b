"""What listeners receive from the app besides Slack's own arguments (see bot/app.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol, TypeVar

from workflows.outgoing import Outgoing

Clock = Callable[[], datetime]


class Result(Protocol):
    """What a workflow's user action returns: at least the messages it causes."""

    @property
    def messages(self) -> list[Outgoing]:
        """The messages to send, as data."""
        ...


R = TypeVar("R", bound=Result)


class Delivery(Protocol):
    """The one step from a workflow's messages to Slack (bot/sender.py)."""

    def perform(self, action: Callable[..., R]) -> R:
        """Run one user action, `action(session=…, now=…)`, in one transaction; store the
        messages it returns in that transaction and ask for delivery once committed."""
        ...
