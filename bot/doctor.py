"""`pmo-bot doctor`: the checks of a deployment, each a line that says what it found and,
when something is wrong, what to do about it.

The checks: the database answers and is at the migration head (on PostgreSQL, with
connections enough for the Procfile's processes); the bot token is valid and
holds every scope of the manifest (auth.test and its x-oauth-scopes header; with OAuth,
the token of each installed workspace); the signing secret is set (unless Socket Mode);
each workspace has a digest channel with the bot in it; a scheduler holds its lease; no
outbox message failed or waits too long. Nothing is changed: no migration, no message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy import distinct, select
from sqlalchemy.engine import make_url

from bot.cli_support import database_label, one_line
from bot.manifest import BOT_SCOPES
from bot.oauth import installation_store
from bot.scheduler import LEASE_NAME, LEASE_TTL
from bot.settings import Settings
from bot.slack_client import web_client
from storage import outbox, schema
from storage.db import Database
from storage.models import SchedulerLease, Workspace
from storage.slack_tables import bots
from workflows.wording import count

# The Procfile's processes that hold database connections: the web line's two gunicorn
# workers and the worker (`release` migrates and ends).
PROCFILE_PROCESSES = 3
# A message still waiting after this long means nobody delivers the outbox.
STUCK_AFTER = timedelta(minutes=10)
# A lease given back on shutdown is made to expire in 1970.
GIVEN_BACK_BEFORE = datetime(1971, 1, 1, tzinfo=UTC)
REINSTALL = (
    "add them under OAuth & Permissions (or recreate the app from `pmo-bot manifest`) "
    "and reinstall the app"
)
START_SCHEDULER = (
    "start `pmo-bot scheduler` (the Procfile's worker) or `pmo-bot serve` without --no-scheduler"
)


@dataclass(frozen=True)
class Finding:
    """One check's verdict: `ok` None when it could not run because another check failed."""

    check: str
    ok: bool | None
    says: str


@dataclass(frozen=True)
class SlackWorkspace:
    """A workspace to check in Slack: its team id and the client holding its bot token."""

    team_id: str
    client: WebClient


def run_checks(settings: Settings, *, now: datetime) -> list[Finding]:
    """Every check of the deployment described by `settings`, in the order they build on."""
    database = _open(settings)
    try:
        found = [check_database(settings, database)]
        database_ok = found[0].ok
        if database is not None and database_ok:
            connections = check_connections(settings, database)
            found += [connections] if connections is not None else []
        tokens, workspaces = check_tokens(settings, database if database_ok else None)
        found += tokens
        found.append(check_signing_secret(settings))
        found += check_digest_channels(workspaces, database if database_ok else None)
        if database is None or not database_ok:
            found += [
                Finding(name, None, "not checked: it needs the database")
                for name in ("scheduler", "outbox")
            ]
        else:
            found += [check_scheduler(database, now), check_outbox(database, now)]
    finally:
        if database is not None:
            database.dispose()
    return found


def _open(settings: Settings) -> Database | None:
    try:
        return Database(settings.DATABASE_URL)
    except Exception:
        return None


def check_database(settings: Settings, database: Database | None) -> Finding:
    """The database answers and has every migration this code knows."""
    label = database_label(settings.DATABASE_URL)
    migrate = "run `pmo-bot migrate`"
    sqlite_file = _sqlite_file(settings.DATABASE_URL)
    if sqlite_file is not None and not sqlite_file.exists():
        return Finding(
            "database", False, f"no database at {label}: {migrate} (or set DATABASE_URL)"
        )
    try:
        if database is None:
            raise RuntimeError("DATABASE_URL cannot be opened")
        revision = schema.applied_revision(database.engine)
    except Exception as exc:
        return Finding(
            "database", False, f"{label} does not answer ({one_line(exc)}): check DATABASE_URL"
        )
    head = schema.head_revision()
    if revision is None:
        return Finding("database", False, f"{label} has no tables yet: {migrate}")
    if revision != head:
        return Finding(
            "database",
            False,
            f"{label} is at migration {revision}, this code needs {head}: {migrate}",
        )
    return Finding("database", True, f"{label} answers, at migration {head} (the newest)")


def check_connections(settings: Settings, database: Database) -> Finding | None:
    """On PostgreSQL, the Procfile's processes at their busiest (each holding up to
    DATABASE_POOL_SIZE connections) fit in the connections the server takes; None for
    SQLite, which has no such limit."""
    limit = database.connection_limit()
    if limit is None:
        return None
    each = settings.DATABASE_POOL_SIZE
    most = PROCFILE_PROCESSES * each
    says = (
        f"the Procfile's two web workers and worker hold up to {most} "
        f"(DATABASE_POOL_SIZE {each} each); PostgreSQL takes {limit}"
    )
    if most <= limit:
        return Finding("connections", True, says)
    fits = limit // PROCFILE_PROCESSES
    fix = f"set DATABASE_POOL_SIZE={fits} or less" if fits else "raise max_connections"
    return Finding("connections", False, f"{says}: {fix}")


def _sqlite_file(url: str) -> Path | None:
    parsed = make_url(url)
    name = parsed.database
    if parsed.get_backend_name() != "sqlite" or not name or name == ":memory:":
        return None
    return None if name.startswith("file:") else Path(name).absolute()


def check_tokens(
    settings: Settings, database: Database | None
) -> tuple[list[Finding], list[SlackWorkspace]]:
    """The bot token (or, with OAuth, each installed workspace's): valid, with every scope.
    Also returns the workspaces whose token works, for the checks that ask Slack."""
    if not settings.oauth_enabled:
        if not settings.SLACK_BOT_TOKEN:
            return [
                Finding(
                    "token",
                    False,
                    "SLACK_BOT_TOKEN is not set: give the Bot User OAuth Token (xoxb-...) from "
                    "your Slack app's OAuth & Permissions page",
                )
            ], []
        client = web_client(settings, settings.SLACK_BOT_TOKEN, backoff=0.1)
        finding, team_id = _check_token("token", client, "SLACK_BOT_TOKEN")
        return [finding], ([SlackWorkspace(team_id, client)] if team_id else [])
    if database is None:
        return [
            Finding(
                "token",
                None,
                "not checked: with OAuth (SLACK_CLIENT_ID) the tokens are in the database",
            )
        ], []
    teams = _installed_teams(settings, database)
    if not teams:
        return [
            Finding(
                "install",
                False,
                "OAuth is on (SLACK_CLIENT_ID) but no workspace has installed pmo-bot: "
                "open https://YOUR-HOST/slack/install and add it to a workspace",
            )
        ], []
    found = [
        Finding(
            "install",
            True,
            f"OAuth (SLACK_CLIENT_ID): {count(len(teams), 'workspace')} installed; "
            "checking the bot token of each",
        )
    ]
    store = installation_store(settings, database.engine)
    workspaces = []
    for team in teams:
        installed = store.find_bot(enterprise_id=None, team_id=team)
        if installed is None or not installed.bot_token:
            found.append(Finding(f"token {team}", False, "no bot token stored: reinstall the app"))
            continue
        client = web_client(settings, installed.bot_token, backoff=0.1)
        finding, team_id = _check_token(f"token {team}", client, f"the token of {team}")
        found.append(finding)
        if team_id:
            workspaces.append(SlackWorkspace(team_id, client))
    return found, workspaces


def _installed_teams(settings: Settings, database: Database) -> list[str]:
    # The installation store finds one team's bot; which teams there are, it doesn't say.
    query = (
        select(distinct(bots.c.team_id))
        .where(bots.c.client_id == settings.SLACK_CLIENT_ID, bots.c.team_id.is_not(None))
        .order_by(bots.c.team_id)
    )
    with database.engine.connect() as connection:
        return list(connection.execute(query).scalars())


def _check_token(name: str, client: WebClient, what: str) -> tuple[Finding, str | None]:
    try:
        answer = client.auth_test()
    except SlackApiError as exc:
        error = exc.response.get("error", "an error")
        return Finding(
            name,
            False,
            f"Slack refuses {what} ({error}): copy the Bot User OAuth Token from your Slack "
            "app's OAuth & Permissions page again (reinstall the app if it was revoked)",
        ), None
    except (SlackClientError, OSError) as exc:
        return Finding(
            name, False, f"cannot reach Slack at {client.base_url} ({one_line(exc)})"
        ), None
    team = f"{answer.get('team')} ({answer.get('team_id')})"
    headers = {key.lower(): value for key, value in answer.headers.items()}
    granted = headers.get("x-oauth-scopes")
    if isinstance(granted, list):
        granted = ",".join(granted)
    if granted is None:
        return Finding(
            name, False, f"valid for {team}, but Slack did not say its scopes (x-oauth-scopes)"
        ), answer.get("team_id")
    missing = [scope for scope in BOT_SCOPES if scope not in granted.split(",")]
    if missing:
        return Finding(
            name, False, f"{team}: the token lacks {', '.join(missing)}: {REINSTALL}"
        ), answer.get("team_id")
    return Finding(
        name,
        True,
        f"valid for {team} as @{answer.get('user')}, with all {len(BOT_SCOPES)} scopes "
        "of the manifest",
    ), answer.get("team_id")


def check_signing_secret(settings: Settings) -> Finding:
    """HTTP mode needs the signing secret; Socket Mode does not."""
    if settings.socket_mode:
        return Finding("signing secret", True, "not needed: Socket Mode (SLACK_APP_TOKEN is set)")
    if not settings.SLACK_SIGNING_SECRET:
        return Finding(
            "signing secret",
            False,
            "SLACK_SIGNING_SECRET is not set: copy the Signing Secret from your Slack app's "
            "Basic Information page (or set SLACK_APP_TOKEN for Socket Mode)",
        )
    return Finding("signing secret", True, "set (HTTP mode)")


def check_digest_channels(
    workspaces: list[SlackWorkspace], database: Database | None
) -> list[Finding]:
    """Each workspace has a digest channel, and the bot is in it (to post and read back)."""
    if database is None or not workspaces:
        needs = "the database" if database is None else "a valid token"
        return [Finding("digest channel", None, f"not checked: it needs {needs}")]
    found = []
    several = len(workspaces) > 1
    for workspace in workspaces:
        name = f"digest channel {workspace.team_id}" if several else "digest channel"
        with database.session() as session:
            row = session.get(Workspace, workspace.team_id)
            channel = row.digest_channel if row is not None else None
        try:
            found.append(_check_channel(name, workspace.client, channel))
        except Exception as exc:  # a check that breaks must not hide the others
            found.append(Finding(name, False, f"the check itself failed: {one_line(exc)}"))
    return found


def _check_channel(name: str, client: WebClient, channel: str | None) -> Finding:
    if not channel:
        return Finding(
            name,
            False,
            "none set, so the Monday digest goes nowhere: in Slack, `/pmo settings` "
            "and pick a digest channel",
        )
    try:
        info = client.conversations_info(channel=channel)["channel"]
    except SlackApiError as exc:
        error = exc.response.get("error", "an error")
        if error == "channel_not_found":
            return Finding(
                name,
                False,
                f"{channel} is gone or private without the bot: `/invite @pmo-bot` there, "
                "or pick another channel in `/pmo settings`",
            )
        return Finding(name, False, f"Slack cannot tell about {channel} ({error})")
    except (SlackClientError, OSError) as exc:
        return Finding(name, False, f"cannot ask Slack about {channel} ({one_line(exc)})")
    shown = f"#{info.get('name', channel)} ({channel})"
    if not info.get("is_member"):
        return Finding(
            name,
            False,
            f"the bot is not in {shown}: type `/invite @pmo-bot` in #{info.get('name', channel)}",
        )
    return Finding(name, True, f"{shown}, with the bot in it")


def check_scheduler(database: Database, now: datetime) -> Finding:
    """A scheduler process holds its lease (renewed every 30 s), so the jobs run."""
    with database.session() as session:
        lease = session.get(SchedulerLease, LEASE_NAME)
        holder, expires = (lease.holder, lease.expires_at) if lease else (None, None)
    if holder is None or expires is None:
        return Finding("scheduler", False, f"no scheduler has ever run here: {START_SCHEDULER}")
    if expires < GIVEN_BACK_BEFORE:
        return Finding(
            "scheduler", False, f"the last scheduler ({holder}) stopped: {START_SCHEDULER}"
        )
    if expires <= now:
        return Finding(
            "scheduler",
            False,
            f"no scheduler since {expires:%Y-%m-%d %H:%M} UTC (last held by {holder}): "
            f"{START_SCHEDULER}",
        )
    age = max(0, int((now - (expires - LEASE_TTL)).total_seconds()))
    return Finding("scheduler", True, f"{holder} holds the lease, renewed {age} s ago")


def check_outbox(database: Database, now: datetime) -> Finding:
    """No message failed for good, and none waits longer than STUCK_AFTER."""
    with database.session() as session:
        failed = outbox.failed_count(session=session)
        waiting, oldest = outbox.backlog(session=session)
    problems = []
    if failed:
        problems.append(
            f"{count(failed, 'message')} failed: see them with "
            "`pmo-bot outbox list --status failed`, send them again with `pmo-bot outbox retry`"
        )
    if oldest is not None and now - oldest > STUCK_AFTER:
        problems.append(
            f"{count(waiting, 'message')} waiting, the oldest since {oldest:%Y-%m-%d %H:%M} UTC: "
            "is the scheduler running? (`pmo-bot outbox list --status pending`)"
        )
    if problems:
        return Finding("outbox", False, "; ".join(problems))
    return Finding("outbox", True, f"nothing failed, {waiting} waiting")
