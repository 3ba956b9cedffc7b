"""Messages a workflow decided to send, as data: whom, under which key, and what about.

A workflow never talks to Slack. It returns `Outgoing` messages with its result; the
listener (or job) hands them to the one step in bot/ that renders each `content` with
its Block Kit builder in commands/ and stores it in the outbox, in the same transaction
as the change that caused it. bot/ then delivers it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Outgoing:
    """One message to send.

    `to` is a channel id or a user id (a direct message). `content` is plain data (a
    frozen dataclass of the workflow's), rendered by commands/rendering.py. A message may
    answer in the thread of another (`thread_key`), edit another in place (`update_key`),
    or link to another (`link_key`): each names that other message's outbox key.
    """

    team_id: str
    key: str
    to: str
    content: object
    thread_key: str | None = None
    update_key: str | None = None
    link_key: str | None = None
