"""`pmo-bot doctor` against the local Slack Web API: all pass, then each check broken alone."""

from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk.oauth.installation_store import Installation
from typer.testing import CliRunner

from bot.cli import cli
from bot.doctor import Finding, check_connections
from bot.manifest import BOT_SCOPES
from bot.oauth import installation_store
from storage import outbox, schema
from storage.db import Database
from storage.models import OutboxMessage, SchedulerLease
from storage.workspaces import ensure_workspace
from tests.bot.test_cli import run
from tests.conftest import BOT_TOKEN, SIGNING_SECRET, TEAM, make_settings

CHANNEL = "CDIGEST01"
HOLDER = "worker.1:42:abc123"
FIX_SCHEDULER = (
    "start `pmo-bot scheduler` (the Procfile's worker) or `pmo-bot serve` without --no-scheduler"
)
OAUTH = {
    "SLACK_CLIENT_ID": "1111.2222",
    "SLACK_CLIENT_SECRET": "client-secret",
    "SLACK_STATE_SECRET": "state-secret",
}


# The settings a deployment gives doctor; none leaks in from the test's own environment.
OWN_SETTINGS = ("SLACK_", "DATABASE_URL", "PORT")


@dataclass
class Ran:
    """What `pmo-bot doctor` said, as subprocess.run would tell it."""

    returncode: int
    stdout: str
    stderr: str


class Deployment:
    """A deployment that passes every check; tests break one thing at a time."""

    def __init__(self, tmp_path, sqlite_template, slack_api):
        self.path = tmp_path / "pmo.db"
        shutil.copy(sqlite_template, self.path)
        self.url = f"sqlite:///{self.path}"
        self.tmp_path = tmp_path
        self.slack_api = slack_api
        self.database = Database(self.url)
        self.env = {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack_api.url,
            "DATABASE_URL": self.url,
            "LOG_LEVEL": "WARNING",
        }
        with self.database.session() as session:
            ensure_workspace(session=session, team_id=TEAM).digest_channel = CHANNEL
            session.add(
                SchedulerLease(
                    name="scheduler",
                    holder=HOLDER,
                    expires_at=datetime.now(UTC) + timedelta(minutes=5),
                )
            )
        slack_api.add_channel(CHANNEL, "pmo-digest")

    def doctor(self, *, own_process: bool = False):
        """`pmo-bot doctor` as a person runs it: in a process of its own, or (the default,
        seconds faster) the same command line in this process, in the deployment's folder."""
        if own_process:
            return run("doctor", env=self.env, cwd=self.tmp_path)
        unset = {name: None for name in os.environ if name.startswith(OWN_SETTINGS)}
        with contextlib.chdir(self.tmp_path):
            ran = CliRunner().invoke(cli, ["doctor"], env={**unset, **self.env})
        if ran.exception is not None and not isinstance(ran.exception, SystemExit):
            raise ran.exception
        return Ran(ran.exit_code, ran.stdout, ran.stderr)

    def queue(self, *, key: str, now: datetime) -> OutboxMessage:
        with self.database.session() as session:
            message, _ = outbox.enqueue(
                session=session, team_id=TEAM, key=key, channel=CHANNEL, text="hi", now=now
            )
            return message


@pytest.fixture
def deployment(tmp_path, sqlite_template, slack_api):
    deployed = Deployment(tmp_path, sqlite_template, slack_api)
    yield deployed
    deployed.database.dispose()


def test_a_sound_deployment_passes_every_check(deployment):
    result = deployment.doctor(own_process=True)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[:4] == [
        f"✓ database: SQLite file {deployment.path} answers, at migration "
        f"{schema.head_revision()} (the newest)",
        f"✓ token: valid for PMO Test ({TEAM}) as @pmo-bot, with all {len(BOT_SCOPES)} "
        "scopes of the manifest",
        "✓ signing secret: set (HTTP mode)",
        f"✓ digest channel: #pmo-digest ({CHANNEL}), with the bot in it",
    ]
    assert lines[4].startswith(f"✓ scheduler: {HOLDER} holds the lease, renewed ")
    assert lines[5:] == ["✓ outbox: nothing failed, 0 waiting", "All checks pass."]
    assert [call.token for call in deployment.slack_api.calls_to("auth.test")] == [BOT_TOKEN]


def _unset_token(d):
    d.env["SLACK_BOT_TOKEN"] = ""


def _revoke_token(d):
    d.slack_api.fail("auth.test", error="token_revoked")


def _drop_scope(d):
    d.slack_api.scopes = [s for s in BOT_SCOPES if s not in ("files:write", "im:history")]


def _unset_signing_secret(d):
    d.env["SLACK_SIGNING_SECRET"] = ""


def _lose_database(d):
    d.env["DATABASE_URL"] = f"sqlite:///{d.tmp_path / 'elsewhere.db'}"


def _unset_digest_channel(d):
    with d.database.session() as session:
        ensure_workspace(session=session, team_id=TEAM).digest_channel = None


def _remove_bot_from_channel(d):
    d.slack_api.add_channel(CHANNEL, "pmo-digest", is_member=False)


def _delete_channel(d):
    d.slack_api.channels.clear()


def _stop_scheduler(d):
    with d.database.session() as session:
        lease = session.get(SchedulerLease, "scheduler")
        lease.expires_at = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
        session.add(lease)


def _never_start_scheduler(d):
    with d.database.session() as session:
        session.delete(session.get(SchedulerLease, "scheduler"))


def _fail_a_message(d):
    message = d.queue(key="digest:T0PMO0001:2026-W49", now=datetime.now(UTC))
    with d.database.session() as session:
        outbox.mark_failed(session=session, message_id=message.id, error="channel_not_found")


def _leave_a_message_waiting(d):
    d.queue(key="nudge:old", now=datetime(2026, 1, 5, 8, 0, tzinfo=UTC))


BROKEN = {
    "token unset": (
        _unset_token,
        "✗ token: SLACK_BOT_TOKEN is not set: give the Bot User OAuth Token (xoxb-...) "
        "from your Slack app's OAuth & Permissions page",
    ),
    "token revoked": (
        _revoke_token,
        "✗ token: Slack refuses SLACK_BOT_TOKEN (token_revoked): copy the Bot User OAuth "
        "Token from your Slack app's OAuth & Permissions page again (reinstall the app if it "
        "was revoked)",
    ),
    "scopes missing": (
        _drop_scope,
        f"✗ token: PMO Test ({TEAM}): the token lacks files:write, im:history: add them under "
        "OAuth & Permissions (or recreate the app from `pmo-bot manifest`) and reinstall the "
        "app",
    ),
    "signing secret unset": (
        _unset_signing_secret,
        "✗ signing secret: SLACK_SIGNING_SECRET is not set: copy the Signing Secret from your "
        "Slack app's Basic Information page (or set SLACK_APP_TOKEN for Socket Mode)",
    ),
    "database missing": (
        _lose_database,
        "✗ database: no database at SQLite file {tmp}/elsewhere.db: run `pmo-bot migrate` "
        "(or set DATABASE_URL)",
    ),
    "digest channel unset": (
        _unset_digest_channel,
        "✗ digest channel: none set, so the Monday digest goes nowhere: in Slack, "
        "`/pmo settings` and pick a digest channel",
    ),
    "bot not in the digest channel": (
        _remove_bot_from_channel,
        f"✗ digest channel: the bot is not in #pmo-digest ({CHANNEL}): type `/invite @pmo-bot` "
        "in #pmo-digest",
    ),
    "digest channel gone": (
        _delete_channel,
        f"✗ digest channel: {CHANNEL} is gone or private without the bot: `/invite @pmo-bot` "
        "there, or pick another channel in `/pmo settings`",
    ),
    "scheduler stopped": (
        _stop_scheduler,
        f"✗ scheduler: no scheduler since 2026-01-05 08:00 UTC (last held by {HOLDER}): "
        + FIX_SCHEDULER,
    ),
    "scheduler never ran": (
        _never_start_scheduler,
        "✗ scheduler: no scheduler has ever run here: " + FIX_SCHEDULER,
    ),
    "a message failed": (
        _fail_a_message,
        "✗ outbox: 1 message failed: see them with `pmo-bot outbox list --status failed`, "
        "send them again with `pmo-bot outbox retry`",
    ),
    "a message waits too long": (
        _leave_a_message_waiting,
        "✗ outbox: 1 message waiting, the oldest since 2026-01-05 08:00 UTC: is the "
        "scheduler running? (`pmo-bot outbox list --status pending`)",
    ),
}


@pytest.mark.parametrize("broken", list(BROKEN))
def test_each_broken_check_fails_alone_and_says_the_fix(deployment, broken):
    breaks, line = BROKEN[broken]
    breaks(deployment)
    result = deployment.doctor()
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert line.format(tmp=deployment.tmp_path) in lines, result.stderr
    failing = [found for found in lines if found.startswith("✗")]
    assert failing == [line.format(tmp=deployment.tmp_path)]
    failed = sum(1 for found in lines if found[:1] in "✗–")
    assert lines[-1] == f"{failed} {'check' if failed == 1 else 'checks'} did not pass."


def test_socket_mode_needs_no_signing_secret(deployment):
    deployment.env |= {"SLACK_SIGNING_SECRET": "", "SLACK_APP_TOKEN": "xapp-1-test"}
    result = deployment.doctor()
    assert "✓ signing secret: not needed: Socket Mode (SLACK_APP_TOKEN is set)" in (
        result.stdout.splitlines()
    )
    assert result.returncode == 0, result.stdout


def test_with_oauth_it_checks_each_installed_workspace_token(deployment):
    deployment.env |= {"SLACK_BOT_TOKEN": "", **OAUTH}
    store = installation_store(make_settings(**OAUTH), deployment.database.engine)
    store.save(
        Installation(
            app_id="APMO0001",
            team_id=TEAM,
            team_name="PMO Test",
            bot_token="xoxb-installed-T0PMO0001",
            bot_id="BPMO0001",
            bot_user_id="UBOTPMO01",
            bot_scopes=",".join(BOT_SCOPES),
            user_id="UINSTALL1",
        )
    )
    # In its own process: slack_sdk's installation store warns as it reads (SAWarning).
    result = deployment.doctor(own_process=True)
    assert result.returncode == 0, result.stdout
    lines = result.stdout.splitlines()
    assert lines[1:3] == [
        "✓ install: OAuth (SLACK_CLIENT_ID): 1 workspace installed; checking the bot token of each",
        f"✓ token {TEAM}: valid for PMO Test ({TEAM}) as @pmo-bot, with all "
        f"{len(BOT_SCOPES)} scopes of the manifest",
    ]
    [call] = deployment.slack_api.calls_to("auth.test")
    assert call.token == "xoxb-installed-T0PMO0001"


def test_with_oauth_and_no_install_it_says_where_to_install(deployment):
    deployment.env |= {"SLACK_BOT_TOKEN": "", **OAUTH}
    result = deployment.doctor(own_process=True)
    assert result.returncode == 1
    assert (
        "✗ install: OAuth is on (SLACK_CLIENT_ID) but no workspace has installed pmo-bot: "
        "open https://YOUR-HOST/slack/install and add it to a workspace"
    ) in result.stdout.splitlines()
    assert deployment.slack_api.calls_to("auth.test") == []


def test_a_database_behind_the_code_is_named_and_left_alone(deployment):
    schema.downgrade(deployment.url, "-1")
    behind = schema.applied_revision(deployment.database.engine)
    result = deployment.doctor()
    assert result.returncode == 1
    assert (
        f"✗ database: SQLite file {deployment.path} is at migration {behind}, this code needs "
        f"{schema.head_revision()}: run `pmo-bot migrate`"
    ) in result.stdout.splitlines()
    assert "– scheduler: not checked: it needs the database" in result.stdout.splitlines()
    assert schema.applied_revision(deployment.database.engine) == behind


def _postgres_limit(database):
    # Read here as PostgreSQL's documentation defines it, not through the code under test.
    with database.engine.connect() as connection:
        most = int(connection.exec_driver_sql("SHOW max_connections").scalar_one())
        reserved = int(
            connection.exec_driver_sql("SHOW superuser_reserved_connections").scalar_one()
        )
    return most - reserved


def test_on_postgresql_the_procfiles_processes_fit_in_its_connections(database):
    found = check_connections(make_settings(DATABASE_URL=database.url), database)
    if database.backend == "sqlite":
        assert found is None  # no server, no limit: no line
        return
    limit = _postgres_limit(database)
    assert limit >= 48  # the test server's; the check below depends on it
    assert found == Finding(
        "connections",
        True,
        "the Procfile's two web workers and worker hold up to 48 (DATABASE_POOL_SIZE 16 "
        f"each); PostgreSQL takes {limit}",
    )


def test_a_pool_too_large_for_postgresql_says_what_fits(database):
    if database.backend == "sqlite":
        pytest.skip("SQLite has no connection limit")
    limit = _postgres_limit(database)
    size = limit // 3 + 1
    settings = make_settings(DATABASE_URL=database.url, DATABASE_POOL_SIZE=size)
    assert check_connections(settings, database) == Finding(
        "connections",
        False,
        f"the Procfile's two web workers and worker hold up to {3 * size} "
        f"(DATABASE_POOL_SIZE {size} each); PostgreSQL takes {limit}: "
        f"set DATABASE_POOL_SIZE={limit // 3} or less",
    )
