"""Who is acting: the person, their workspace, and the channel they acted from."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """A person acting in a workspace; `channel_id` when they acted in a channel (a slash
    command), None for a button or a form."""

    team_id: str
    user_id: str
    channel_id: str | None = None
