"""Each request from Slack is handled once: a replayed request or a retried event is dropped."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from slack_bolt import BoltContext, BoltRequest, BoltResponse

from storage import request_log
from storage.db import Database
from workflows.markup import is_team_id

logger = logging.getLogger(__name__)

# Well past Slack's 5-minute signature window and its last event retry (after 5 minutes).
KEEP_SEEN = timedelta(hours=1)

# Options requests change nothing and carry nothing unique; an empty answer would blank
# the select, so two identical ones in the same second must both be answered.
READ_ONLY = {"block_suggestion", "dialog_suggestion"}
# Slack's envelope ids are UUIDs; a longer one would not fit the key column.
MAX_ENVELOPE_ID = 64


def request_key(req: BoltRequest) -> str | None:
    """What Slack guarantees unique for this request: an event's id, else its signature
    (HTTP) or its envelope id (Socket Mode).

    Slack retries an event with the same event_id and a new signature; any other request
    replayed is the same signature (it covers the timestamp and the body). Over Socket
    Mode, an envelope Slack delivers again (on another connection) keeps its envelope id,
    which bot/socket_mode.py puts in the request's context.
    """
    event_id = req.body.get("event_id")
    if isinstance(event_id, str) and event_id:
        return f"event:{event_id}"
    if req.body.get("type") in READ_ONLY:
        return None
    envelope_id = req.context.get("envelope_id")
    if isinstance(envelope_id, str) and 0 < len(envelope_id) <= MAX_ENVELOPE_ID:
        return f"envelope:{envelope_id}"
    signature = (req.headers.get("x-slack-signature") or [""])[0]
    return f"signature:{signature}" if signature else None


def drop_replays(
    req: BoltRequest, context: BoltContext, next_: Callable[[], None]
) -> BoltResponse | None:
    """Bolt middleware: record the request, committed at once; a second sighting is
    acknowledged with an empty 200 and goes no further."""
    key = request_key(req)
    if key is not None:
        # The team id is not checked yet here: keep it only when it has Slack's shape.
        team_id = context.team_id if is_team_id(context.team_id) else None
        # Its own statement: on PostgreSQL two round trips before the ack (the pool's ping,
        # the insert), not four (BEGIN and COMMIT too).
        with context["db"].statement() as connection:
            first = request_log.first_sighting(
                connection=connection, key=key, team_id=team_id, now=context["clock"]()
            )
        if not first:
            logger.info("already handled %s of team %s; acknowledged only", key, context.team_id)
            return BoltResponse(status=200, body="")
    next_()
    return None


def forget_old_requests(*, database: Database, now: datetime) -> int:
    """Forget requests seen more than KEEP_SEEN ago (a replay of one fails its signature
    check by then); returns how many."""
    with database.session() as session:
        return request_log.forget_before(session=session, before=now - KEEP_SEEN)
