"""`pmo-bot digest`, `nudge`, `outbox` and `demo`, run as people run them."""

from __future__ import annotations

import os
import signal
import struct
import subprocess
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from storage import outbox, schema
from storage.db import Database
from storage.models import Rag
from storage.workspaces import ensure_workspace
from tests.bot.test_cli import PMO_BOT, run
from tests.conftest import BOT_TOKEN
from tests.factories import PM, TEAM, make_project
from workflows.status import StatusDraft, post_update

MONDAY = "2026-11-30T09:05:00+00:00"


@pytest.fixture
def seeded(tmp_path):
    url = f"sqlite:///{tmp_path / 'pmo.db'}"
    schema.upgrade(url)
    database = Database(url)
    with database.session() as session:
        workspace = ensure_workspace(session=session, team_id=TEAM)
        workspace.digest_channel = "CDIGEST01"
        session.add(workspace)
    project = make_project(
        database, name="Apollo <!channel> launch", now=datetime(2026, 10, 1, tzinfo=UTC)
    )
    with database.session() as session:
        post_update(
            session=session,
            project=project,
            author=PM,
            now=datetime(2026, 11, 18, tzinfo=UTC),
            draft=StatusDraft(Rag.AMBER, "Vendor slipped", path_to_green="Daily calls"),
        )
    yield url, database
    database.dispose()


def env_for(url, slack_api=None):
    values = {"DATABASE_URL": url, "LOG_LEVEL": "WARNING", "COLUMNS": "250"}
    if slack_api is not None:
        values |= {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": slack_api.url}
    return values


def test_digest_preview_prints_the_digest_and_sends_nothing(seeded, tmp_path):
    url, database = seeded
    result = run("digest", "--at", MONDAY, "--preview", env=env_for(url), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "PMO digest · week of Mon 30 Nov 2026" in result.stdout
    assert "APOLLO" in result.stdout and "No update this cycle" in result.stdout
    with database.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM outbox")).scalar() == 0


def test_digest_sends_once_per_period(seeded, slack_api, tmp_path):
    url, _ = seeded
    first = run("digest", "--at", MONDAY, env=env_for(url, slack_api), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "digest:T0PMO0001:2026-W49 queued for 1 recipient," in first.stdout
    assert "Delivered 1" in first.stdout
    [post] = slack_api.posts("CDIGEST01")
    assert "Apollo &lt;!channel&gt; launch" in post.all_text()
    again = run(
        "digest", "--at", "2026-11-30T17:00:00+00:00", env=env_for(url, slack_api), cwd=tmp_path
    )
    assert "was already sent; nothing new" in again.stdout
    assert len(slack_api.posts("CDIGEST01")) == 1


def test_digest_preview_writes_the_chart_with_chart(seeded, tmp_path):
    url, database = seeded
    chart = tmp_path / "health.png"
    result = run(
        "digest", "--at", MONDAY, "--preview", "--chart", chart, env=env_for(url), cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    png = chart.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == (1200, 675)
    assert f"Chart written to {chart}" in result.stdout.replace("\n", "")
    assert "amber 0→1" in result.stdout
    with database.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM outbox")).scalar() == 0
    without_preview = run("digest", "--chart", chart, env=env_for(url), cwd=tmp_path)
    assert without_preview.returncode == 2
    assert "--chart goes with --preview" in without_preview.stderr


def test_a_bad_at_is_one_line(seeded, tmp_path):
    url, _ = seeded
    result = run("digest", "--at", "next monday", env=env_for(url), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "pmo-bot: --at 'next monday' is not an ISO date-time; write it like 2026-11-30T09:00 "
        "or 2026-11-30T09:00+01:00"
    ]


def test_sending_without_a_token_says_so(seeded, tmp_path):
    url, _ = seeded
    result = run("digest", "--at", MONDAY, env=env_for(url), cwd=tmp_path)
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN is not set" in result.stderr


def test_nudge_preview_lists_who_would_hear_what(seeded, tmp_path):
    url, _ = seeded
    result = run(
        "nudge", "--at", "2026-11-30T10:30:00+00:00", "--preview", env=env_for(url), cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert f"status → @{PM}" in result.stdout
    assert "missed its status update last period" in result.stdout


def test_nudge_sends_once(seeded, slack_api, tmp_path):
    url, _ = seeded
    at = "2026-11-30T10:30:00+00:00"
    run("nudge", "--at", at, env=env_for(url, slack_api), cwd=tmp_path)
    run("nudge", "--at", at, env=env_for(url, slack_api), cwd=tmp_path)
    assert len(slack_api.dms(PM)) == 1


def test_outbox_lists_failures_and_retries_them(seeded, slack_api, tmp_path):
    url, _ = seeded
    slack_api.fail("chat.postMessage", error="channel_not_found")
    run("digest", "--at", MONDAY, env=env_for(url, slack_api), cwd=tmp_path)
    listed = run("outbox", "list", "--status", "failed", env=env_for(url), cwd=tmp_path)
    assert "digest:T0PMO0001:2026-W49" in listed.stdout and "channel_not_found" in listed.stdout
    retried = run("outbox", "retry", env=env_for(url, slack_api), cwd=tmp_path)
    # The digest and its chart, which waited for the digest's thread.
    assert "2 failed messages back in line" in retried.stdout
    assert len(slack_api.posts("CDIGEST01")) == 1
    bad = run("outbox", "list", "--status", "lost", env=env_for(url), cwd=tmp_path)
    assert bad.returncode == 2 and "--status must be one of" in bad.stderr


def test_demo_seeds_a_portfolio_and_prints_its_digest(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    result = run("demo", env=env_for(url), cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    for text_ in (
        "Seeding a demo portfolio",
        "PMO digest",
        "Portfolio health",
        "Top risks",
        "Gates pending",
        "HERMES-G1",
        "Participation",
        # Issue 12: one person asked for too much, one request unfilled past its start.
        "Capacity (next 4 weeks)",
        "@Chen Wei · weeks of",
        "asked for 50 h of 40 h (ATLAS 30 h, ZEUS 20 h)",
        "ATLAS-RQ1 Data platform asked for data, 20 h a week from",
        # Issue 13: goals with their measures, a benefit awaiting its value, a dependency
        # in danger.
        "Goals (2)",
        "CHURN Keep more customers · ",
        "checked in 6.8 % (was 7.1 %)",
        "LYRA Fewer support calls: due",
        "dependency in danger: ECHO needs “Customer ledger API” from NOVA",
        # Issue 14: the retro held, its actions done and overdue, the trends.
        "Learning",
        "Retros held this week: 1 (APOLLO)",
        "Actions due so far: 1 of 2 done (50 %)",
        "Overdue: APOLLO Post status on release day from the war room · @Nadia Haddad",
        "On time: ",
        "Gate cycle time: median 2 days (13 weeks)",
    ):
        assert text_ in result.stdout
    again = run("demo", env=env_for(url), cwd=tmp_path, timeout=120)
    assert "already in the database" in again.stdout
    assert "`pmo-bot demo --reset` seeds it afresh" in again.stdout
    database = Database(url)
    with database.engine.connect() as connection:
        projects = connection.execute(text("SELECT count(*) FROM projects")).scalar()
        updates = connection.execute(text("SELECT count(*) FROM status_updates")).scalar()
        requests = connection.execute(text("SELECT status FROM resource_requests")).scalars()
        open_requests = list(requests)
        retros = connection.execute(
            text("SELECT count(*) FROM retros WHERE status = 'summarised'")
        ).scalar()
        lessons = connection.execute(text("SELECT count(*) FROM lessons")).scalar()
        anonymous = connection.execute(
            text("SELECT count(*) FROM retro_items WHERE author IS NULL")
        ).scalar()
    database.dispose()
    assert projects == 12
    assert updates >= 12 * 12
    assert open_requests == ["open"]
    assert (retros, lessons, anonymous) == (1, 2, 2)


def test_the_scheduler_process_takes_the_lease_and_gives_it_back_on_sigterm(
    seeded, slack_api, tmp_path
):
    url, database = seeded
    process = subprocess.Popen(
        [PMO_BOT, "scheduler"],
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("SLACK_")},
            **env_for(url, slack_api),
        },
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        holder = None
        while holder is None and time.monotonic() < deadline:  # waiting for the process to start
            with database.engine.connect() as connection:
                holder = connection.execute(text("SELECT holder FROM scheduler_leases")).scalar()
            time.sleep(0.1)
        assert holder is not None
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    with database.engine.connect() as connection:
        expires = connection.execute(text("SELECT expires_at FROM scheduler_leases")).scalar()
    assert str(expires).startswith("1970")


def test_demo_reset_seeds_the_demo_workspace_afresh_and_leaves_others_alone(seeded, tmp_path):
    url, database = seeded
    first = run("demo", env=env_for(url), cwd=tmp_path, timeout=120)
    assert first.returncode == 0, first.stderr
    assert "lives in its own workspace (T0DEMO001), not in yours: Slack will not show it" in (
        first.stdout
    )
    reset = run("demo", "--reset", env=env_for(url), cwd=tmp_path, timeout=120)
    assert reset.returncode == 0, reset.stderr
    assert reset.stdout.splitlines()[:3] == [
        f"pmo-bot: database SQLite file {tmp_path / 'pmo.db'}",
        "Deleted the demo workspace T0DEMO001's data; other workspaces untouched.",
        "Seeding a demo portfolio into workspace T0DEMO001…",
    ]
    with database.engine.connect() as connection:
        rows = connection.execute(text("SELECT team_id, count(*) FROM projects GROUP BY team_id"))
        counts = {team_id: count for team_id, count in rows}
    assert counts == {"T0DEMO001": 12, TEAM: 1}


HELP = [
    ["digest"],
    ["nudge"],
    ["demo"],
    ["export"],
    ["serve"],
    ["scheduler"],
    ["manifest"],
    ["doctor"],
    ["outbox", "list"],
    ["outbox", "retry"],
    [],
]


@pytest.mark.parametrize("command", HELP, ids=lambda c: " ".join(c) or "pmo-bot")
def test_help_shows_flags_as_flags_and_values_by_name(command):
    result = run(*command, "--help", env={"COLUMNS": "100"})
    assert result.returncode == 0, result.stderr
    assert "<bool>" not in result.stdout and "<str>" not in result.stdout, result.stdout


def test_an_unknown_team_is_named_as_unknown(seeded, tmp_path):
    url, _ = seeded
    for command in (["digest", "--preview"], ["nudge", "--preview"]):
        result = run(*command, "--team", "TNOPE", env=env_for(url), cwd=tmp_path)
        assert result.returncode == 2
        assert result.stderr.splitlines() == [
            f"pmo-bot: --team TNOPE: no such workspace in SQLite file {tmp_path / 'pmo.db'} "
            f"(it has {TEAM})"
        ]


def test_jobs_say_which_database_they_use(seeded, tmp_path):
    url, _ = seeded
    result = run("digest", "--at", MONDAY, "--preview", env=env_for(url), cwd=tmp_path)
    assert result.stdout.splitlines()[0] == f"pmo-bot: database SQLite file {tmp_path / 'pmo.db'}"


def test_outbox_list_fits_80_columns_with_every_key_whole(seeded, tmp_path):
    url, database = seeded
    keys = [f"nudge:{TEAM}:status:APOLLO:2026-W{week}:U0PM00001:escalation" for week in (48, 49)]
    with database.session() as session:
        for key in keys:
            outbox.enqueue(
                session=session,
                team_id=TEAM,
                key=key,
                channel="CDIGEST01",
                text="hi",
                now=datetime(2026, 11, 30, tzinfo=UTC),
            )
    result = run("outbox", "list", env={**env_for(url), "COLUMNS": "80"}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    for key in keys:
        assert f"  {key}" in lines
    # The database's path is printed whole (to be copied), however long; the list fits.
    assert lines[0].startswith("pmo-bot: database SQLite file ")
    assert all(len(line) <= 80 for line in lines[1:]), lines
