"""What Slack says of a user id, from one `users.info` answer: someone of the workspace (for
the forms that give someone work: an allocation, a retro action), or one of its admins (who
may change the settings and the project types)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from storage.db import Database
from workflows import capacity


class NotAPerson(StrEnum):
    """Why a user id cannot be given work here."""

    UNKNOWN = "unknown"
    LEFT = "left"
    BOT = "bot"
    ELSEWHERE = "elsewhere"


def check_in_workspace(
    client: WebClient, db: Database, team_id: str, user_id: str, now: datetime
) -> NotAPerson | None:
    """None when Slack knows the user as a person of this workspace (not a bot, not gone,
    not a guest from another workspace), whose name and time zone are then remembered;
    else why not."""
    try:
        user = client.users_info(user=user_id).get("user") or {}
    except SlackApiError as exc:
        if exc.response.get("error") in ("user_not_found", "users_not_found"):
            return NotAPerson.UNKNOWN
        raise
    if user.get("deleted"):
        return NotAPerson.LEFT
    if user.get("is_bot"):
        return NotAPerson.BOT
    home = user.get("team_id")
    if isinstance(home, str) and home != team_id:
        return NotAPerson.ELSEWHERE
    name, tz = user.get("real_name") or user.get("name"), user.get("tz")
    with db.session() as session:
        capacity.note_profile(
            session=session,
            team_id=team_id,
            user_id=user_id,
            name=name if isinstance(name, str) else None,
            time_zone=tz if isinstance(tz, str) else None,
            now=now,
        )
    return None


def is_slack_admin(client: WebClient, user_id: str) -> bool:
    """What Slack says: a workspace admin or owner. Someone Slack doesn't know is neither."""
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError as exc:
        if exc.response.get("error") == "user_not_found":
            return False
        raise
    return bool(user.get("is_admin") or user.get("is_owner"))
