"""The scheduled jobs: the Monday digest and the nudges, for every workspace.

A job decides what to send and stores it in the outbox in the same transaction, under a
key naming the period (`digest:T123:2026-W49`), so running it again (a second scheduler,
a restart, `pmo-bot digest` twice) sends nothing new. The courier or the outbox job then
delivers it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from slack_sdk.errors import SlackApiError
from sqlmodel import Session, select

from bot.slack_client import TeamClients
from commands.digest_message import DigestMessage, digest_messages
from commands.nudge_message import link_key, nudge_message, unlink
from commands.templates import Templates
from storage import outbox
from storage.db import Database
from storage.models import Workspace
from storage.workspaces import ensure_workspace, update_profile
from workflows.digest import build_digest, digest_moment, window_for
from workflows.nudges import Nudge, candidates, due_nudges, people_to_refresh, record_sent

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PlannedDigest:
    """A workspace's digest: its key, where it goes, and its messages."""

    team_id: str
    key: str
    recipients: list[str]
    messages: list[DigestMessage]
    already_sent: bool


@dataclass(frozen=True)
class PlannedNudge:
    """A nudge with its rendered text."""

    nudge: Nudge
    text: str


def team_ids(database: Database, only: str | None = None) -> list[str]:
    """The workspaces to run a job for (all of them, or just `only`)."""
    with database.session() as session:
        found = list(session.exec(select(Workspace.team_id).order_by(Workspace.team_id)))
    return [team for team in found if only is None or team == only]


def digest_job(
    *,
    database: Database,
    templates: Templates,
    now: datetime,
    team: str | None = None,
    send: bool = True,
) -> list[PlannedDigest]:
    """Build each workspace's digest for the latest digest time at or before `now`.

    With `send`, store it in the outbox (once per period); without, only render it. A
    digest already sent, or with nowhere to go, is not built again (the scheduler asks
    every five minutes).
    """
    planned = []
    for team_id in team_ids(database, team):
        with database.session() as session:
            workspace = ensure_workspace(session=session, team_id=team_id)
            recipients = ([workspace.digest_channel] if workspace.digest_channel else []) + list(
                workspace.digest_leaders
            )
            window = window_for(workspace, digest_moment(workspace, now))
            key = f"digest:{team_id}:{window.label}"
            already = outbox.find(session=session, team_id=team_id, key=key) is not None
            messages: list[DigestMessage] = []
            if not send or (recipients and not already):
                digest = build_digest(session=session, team_id=team_id, now=now)
                messages = digest_messages(digest, templates)
            if send and recipients and not already:
                _enqueue_digest(session, team_id, key, recipients, messages, now)
            elif send and not recipients:
                logger.debug("no digest for %s: no digest channel or leaders set", team_id)
        planned.append(
            PlannedDigest(
                team_id=team_id,
                key=key,
                recipients=recipients,
                messages=messages,
                already_sent=already,
            )
        )
    return planned


def _enqueue_digest(
    session: Session,
    team_id: str,
    key: str,
    recipients: list[str],
    messages: list[DigestMessage],
    now: datetime,
) -> None:
    for index, recipient in enumerate(recipients):
        # The channel copy keeps the plain key; each leader's DM copy is keyed by leader.
        first = key if index == 0 else f"{key}:dm:{recipient}"
        for part, message in enumerate(messages, start=1):
            outbox.enqueue(
                session=session,
                team_id=team_id,
                key=first if part == 1 else f"{first}:part{part}",
                channel=recipient,
                thread_key=None if part == 1 else first,
                text=message.text,
                blocks=message.blocks,
                now=now,
            )


def nudge_job(
    *,
    database: Database,
    templates: Templates,
    now: datetime,
    clients: TeamClients | None,
    team: str | None = None,
    send: bool = True,
) -> list[PlannedNudge]:
    """Find the nudges due now in each workspace; with `send`, store them in the outbox.

    With `clients`, people's time zones are first refreshed from Slack (`users.info`).
    """
    planned = []
    for team_id in team_ids(database, team):
        if clients is not None:
            _refresh_profiles(database, clients, team_id, now)
        with database.session() as session:
            for nudge in due_nudges(session=session, team_id=team_id, now=now):
                text, blocks = nudge_message(nudge, templates)
                link = link_key(nudge)
                if (
                    link is not None
                    and outbox.find(session=session, team_id=team_id, key=link) is None
                ):
                    # What it would link to was never posted: point to the channel instead.
                    text, blocks = unlink(text, blocks, nudge.project.channel_id)
                    link = None
                planned.append(PlannedNudge(nudge=nudge, text=text))
                if send:
                    outbox.enqueue(
                        session=session,
                        team_id=team_id,
                        key=nudge.key,
                        channel=nudge.to,
                        text=text,
                        blocks=blocks,
                        link_key=link,
                        now=now,
                    )
                    record_sent(session=session, nudge=nudge, now=now)
    return planned


def _refresh_profiles(
    database: Database, clients: TeamClients, team_id: str, now: datetime
) -> None:
    with database.session() as session:
        people = candidates(session=session, team_id=team_id, now=now)
        stale = people_to_refresh(session=session, team_id=team_id, user_ids=people, now=now)
    client = clients.for_team(team_id)
    if client is None or not stale:
        return
    for user_id in stale:
        try:
            user = client.users_info(user=user_id)["user"]
        except SlackApiError as exc:
            logger.warning("users.info %s failed: %s", user_id, exc.response.get("error"))
            user = {}
        with database.session() as session:
            update_profile(
                session=session,
                team_id=team_id,
                user_id=user_id,
                name=user.get("real_name") or user.get("name"),
                time_zone=user.get("tz"),
                now=now,
            )
