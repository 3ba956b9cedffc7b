"""Pacing posts to a channel: about one a second, as Slack asks of chat.postMessage.

Every deliverer of every process (web workers, schedulers) books its slot in the database
(SharedPacer), so two processes never post to one channel within the interval. The
in-process ChannelPacer is for tests that move time by hand, or turn pacing off.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from storage import channel_slots
from storage.db import Database

INTERVAL_SECONDS = 1.0


class Pacer(Protocol):
    """Books a channel's next post."""

    def reserve(self, team_id: str, channel: str) -> float:
        """0 and the slot is booked, or how many seconds until the channel is free."""
        ...


class SharedPacer:
    """Slots booked in the database: shared by every process delivering the outbox."""

    def __init__(
        self,
        database: Database,
        clock: Callable[[], datetime],
        interval: float = INTERVAL_SECONDS,
    ) -> None:
        self.database = database
        self.clock = clock
        self.interval = timedelta(seconds=interval)

    def reserve(self, team_id: str, channel: str) -> float:
        """0 and the slot is booked, or how many seconds until the channel is free."""
        with self.database.session() as session:
            return channel_slots.book(
                session=session,
                team_id=team_id,
                channel=channel,
                now=self.clock(),
                interval=self.interval,
            )


class ChannelPacer:
    """Slots kept in this process only, on its monotonic clock."""

    def __init__(
        self, interval: float = INTERVAL_SECONDS, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.interval = interval
        self._monotonic = monotonic
        self._last: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def reserve(self, team_id: str, channel: str) -> float:
        """0 and the slot is booked, or how many seconds until the channel is free."""
        with self._lock:
            now = self._monotonic()
            free_at = self._last.get((team_id, channel), float("-inf")) + self.interval
            if free_at > now:
                return free_at - now
            self._last[(team_id, channel)] = now
            return 0.0
