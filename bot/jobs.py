"""The scheduled jobs: the Monday digest and the nudges, for every workspace.

A job asks a workflow what to send (messages as data) and hands the messages to the
sender (bot/sender.py), which stores them in the outbox in the same transaction under
keys naming the period (`digest:T123:2026-W49`), so running it again (a second
scheduler, a restart, `pmo-bot digest` twice) sends nothing new. The courier or the
outbox job then delivers them. The previews ask the same workflows and store nothing.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime

from slack_sdk.errors import SlackApiError

from bot.sender import Sender
from bot.slack_client import TeamClients
from storage import capacity, workspaces
from storage.db import Database
from workflows.action_nudges import due_action_reminders
from workflows.dependency_watch import due_dependency_alerts
from workflows.digest import DigestPlan, build_digest, plan_digest
from workflows.nudges import due_nudges, issue_nudges, profiles_to_refresh
from workflows.outgoing import Outgoing
from workflows.retro_schedule import due_retro_messages

# People whose name and time zone are read from Slack (users.info) per job run.
PROFILE_BATCH = 50
logger = logging.getLogger(__name__)


def team_ids(database: Database, only: str | None = None) -> list[str]:
    """The workspaces to run a job for (all of them, or just `only`)."""
    with database.session() as session:
        found = workspaces.team_ids(session=session)
    return [team for team in found if only is None or team == only]


def digest_job(
    *, database: Database, sender: Sender, now: datetime, team: str | None = None
) -> list[DigestPlan]:
    """Store each workspace's digest for the latest digest time at or before `now` (once
    per period); returns each workspace's plan (no messages: already sent, or nowhere to go).
    """
    plans = []
    for team_id in team_ids(database, team):
        with _collector_paused(), database.session() as session:
            plan = plan_digest(session=session, team_id=team_id, now=now)
            sender.enqueue(session=session, messages=plan.messages, now=now)
        if not plan.recipients:
            logger.debug("no digest for %s: no digest channel or leaders set", team_id)
        plans.append(plan)
    return plans


@contextmanager
def _collector_paused() -> Iterator[None]:
    # A digest holds tens of thousands of rows for a few seconds, all alive until it is
    # stored: Python's cycle collector would walk them again and again (a third of the job
    # at 10,000 projects, bench/digest_bench.py) to free nothing. Reference counting still
    # frees everything as usual; the collector runs again once the digest is stored.
    was_on = gc.isenabled()  # another thread may have paused it already: leave it to them
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def preview_digests(
    *, database: Database, now: datetime, team: str | None = None
) -> list[DigestPlan]:
    """Each workspace's digest plan as `digest_job` would make it, with the digest built
    even when it was already sent or has nowhere to go; nothing is stored."""
    plans = []
    for team_id in team_ids(database, team):
        with database.session() as session:
            plan = plan_digest(session=session, team_id=team_id, now=now)
            if plan.digest is None:
                digest = build_digest(session=session, team_id=team_id, now=now)
                plan = replace(plan, digest=digest)
        plans.append(plan)
    return plans


def nudge_job(
    *,
    database: Database,
    sender: Sender,
    now: datetime,
    clients: TeamClients | None,
    team: str | None = None,
) -> list[Outgoing]:
    """Store the nudges and dependency alerts due now in each workspace (once each);
    returns them.

    With `clients`, people's time zones are first refreshed from Slack (`users.info`).
    """
    stored: list[Outgoing] = []
    for team_id in team_ids(database, team):
        if clients is not None:
            _refresh_profiles(database, clients, team_id, now)
        # Thousands of nudges alive until stored, as a digest's rows are.
        with _collector_paused(), database.session() as session:
            messages = issue_nudges(session=session, team_id=team_id, now=now)
            messages += due_dependency_alerts(session=session, team_id=team_id, now=now)
            messages += due_action_reminders(session=session, team_id=team_id, now=now)
            messages += due_retro_messages(session=session, team_id=team_id, now=now)
            sender.enqueue(session=session, messages=messages, now=now)
        stored += messages
    return stored


def preview_nudges(*, database: Database, now: datetime, team: str | None = None) -> list[Outgoing]:
    """The nudges `nudge_job` would store now (time zones as last read); nothing is stored."""
    due: list[Outgoing] = []
    for team_id in team_ids(database, team):
        with database.session() as session:
            due += due_nudges(session=session, team_id=team_id, now=now)
            due += due_dependency_alerts(session=session, team_id=team_id, now=now)
            due += due_action_reminders(session=session, team_id=team_id, now=now)
    return due


def _refresh_profiles(
    database: Database, clients: TeamClients, team_id: str, now: datetime
) -> None:
    with _collector_paused(), database.session() as session:
        # Whoever may be nudged now first, then everyone else on a project; a day old at
        # most, a batch per run (the job runs every few minutes: thousands a day).
        stale = profiles_to_refresh(
            session=session,
            team_id=team_id,
            now=now,
            on_projects=capacity.user_ids_on_projects(session=session, team_id=team_id),
            batch=PROFILE_BATCH,
            max_age_days=1,
        )
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
            workspaces.update_profile(
                session=session,
                team_id=team_id,
                user_id=user_id,
                name=user.get("real_name") or user.get("name"),
                time_zone=user.get("tz"),
                now=now,
            )
