"""A file to share, as a builder in commands/rendering.py may return instead of a message.

bot/sender.py stores it in the outbox like any message (its bytes included), and
bot/delivery.py uploads it with `files_upload_v2`, in the thread of the message it
answers when it has one.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Upload:
    """One file: its name and bytes, the alt text that describes it, the title Slack shows
    with it, and an optional comment posted with it."""

    filename: str
    data: bytes
    alt_text: str
    title: str
    initial_comment: str | None = None
