"""The buttons in nudges: "Post update" opens the prefilled status form."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from commands.nudge_message import POST_STATUS_ACTION
from commands.status import open_status_form
from storage.db import Database


def register(app: App) -> None:
    """Attach the nudge buttons."""
    app.action(POST_STATUS_ACTION)(post_status)


def post_status(ack: Ack, body: dict[str, Any], client: WebClient, db: Database) -> None:
    """ "Post update" in a status nudge: the form for that project, prefilled."""
    ack()
    open_status_form(
        client=client,
        db=db,
        team_id=body["team"]["id"],
        user_id=body["user"]["id"],
        key=body["actions"][0]["value"],
        channel_id=None,
        trigger_id=body["trigger_id"],
    )
