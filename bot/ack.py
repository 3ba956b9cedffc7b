"""An acknowledgement that stays given."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack import Ack


class StickyAck(Ack):
    """Bolt's Ack, except that once a listener has acknowledged, the answer stays.

    When a listener raises after acking, Bolt (1.30) sets `ack.response` back to None. If
    that happens within the 10 ms Bolt polls at, the request thread never sees the ack and
    Slack gets a 404 three seconds later, though the listener did acknowledge.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "response" and value is None and getattr(self, "response", None) is not None:
            return
        super().__setattr__(name, value)
