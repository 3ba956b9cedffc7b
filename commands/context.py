"""What listeners receive from the app besides Slack's own arguments (see bot/app.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

Clock = Callable[[], datetime]


class Delivery(Protocol):
    """Sends what the outbox holds, once the transaction that stored it has committed."""

    def send_soon(self) -> None:
        """Ask for delivery without waiting for it (Slack's answer never holds up a listener)."""
        ...
