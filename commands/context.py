"""What listeners receive from the app besides Slack's own arguments (see bot/app.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, Protocol

Clock = Callable[[], datetime]


class Delivery(Protocol):
    """Sends outbox messages now, after the transaction that stored them has committed."""

    def deliver(self, keys: Iterable[tuple[str, str]] | None = None, limit: int = 200) -> Any:
        """Send the named `(team_id, key)` messages, or everything due."""
        ...
