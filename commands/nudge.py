"""The buttons in nudges: "Post update" opens the prefilled status form."""

from __future__ import annotations

from slack_bolt import App

from commands.nudge_message import POST_STATUS_ACTION
from commands.status import update_again


def register(app: App) -> None:
    """Attach the nudge buttons (the same form as the status post's "Update again")."""
    app.action(POST_STATUS_ACTION)(update_again)
