"""The one step from a workflow's result to the outbox: render each message, store it.

A listener hands one user action to `perform`: it runs in one transaction, the messages
it returns are stored in that same transaction (so the change and its messages commit
together, or not at all), and the courier is asked to deliver once it has committed,
without waiting for Slack. Jobs call `enqueue` inside their own transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.delivery import Courier
from bot.logs import current_request
from commands.context import Clock, R
from commands.rendering import Part, render
from commands.templates import Templates
from commands.upload import Upload
from storage import outbox
from storage.db import Database
from workflows import message_keys
from workflows.outgoing import Outgoing


class Sender:
    """What listeners know as `delivery` (commands/context.py)."""

    def __init__(
        self, courier: Courier, templates: Templates, database: Database, clock: Clock
    ) -> None:
        self.courier = courier
        self.templates = templates
        self.database = database
        self.clock = clock

    def perform(self, action: Callable[..., R]) -> R:
        """Run `action(session=…, now=…)`, one user action, and send what it returns."""
        now = self.clock()
        with self.database.session() as session:
            result = action(session=session, now=now)
            self.enqueue(session=session, messages=result.messages, now=now)
        if result.messages:
            self.send_soon()
        return result

    def enqueue(self, *, session: Session, messages: Iterable[Outgoing], now: datetime) -> None:
        """Store each message under its key (a key already stored is left as it is), with the
        id of the Slack request being handled, if any, for its delivery's log lines."""
        request_id = current_request().get("request_id")
        # The digest and its chart go to each leader too: each content is rendered once (and
        # kept with its parts, so that no other content can take its id meanwhile).
        rendered: dict[int, tuple[object, list[Part]]] = {}
        # Stored all at once: the nudge job may have thousands (bench/nudge_bench.py).
        rows: list[dict[str, Any]] = []
        for message in messages:
            content = message.content
            if id(content) not in rendered:
                rendered[id(content)] = (content, render(content, self.templates))
            parts = rendered[id(content)][1]
            for number, part in enumerate(parts, start=1):
                first = number == 1
                rows.append(
                    {
                        "team_id": message.team_id,
                        "key": message.key
                        if first
                        else message_keys.continuation(message.key, number),
                        "channel": message.to,
                        "thread_key": message.thread_key if first else message.key,
                        "update_key": message.update_key if first else None,
                        "link_key": message.link_key if first else None,
                        "request_id": request_id,
                        **_stored(part),
                    }
                )
        if rows:
            outbox.enqueue_many(session=session, messages=rows, now=now)

    def send_soon(self) -> None:
        """Ask the courier for a delivery pass; returns at once."""
        self.courier.send_soon()


def _stored(part: Part) -> dict[str, Any]:
    # The outbox columns of a message (text and blocks) or of a file to share.
    if isinstance(part, Upload):
        return {
            "text": part.initial_comment or "",
            "file_name": part.filename,
            "file_title": part.title,
            "file_alt_text": part.alt_text,
            "file_data": part.data,
        }
    text, blocks = part
    return {"text": text, "blocks": blocks}
