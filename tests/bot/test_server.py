"""Starting and stopping pmo-bot's web process: the outbox goes out at start, and a stop
finishes what was acknowledged."""

from __future__ import annotations

import gc
import importlib
import os
import shlex
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.server import RUNTIME, _Gunicorn
from storage import outbox, schema
from storage.workspaces import ensure_workspace
from tests.conftest import BOT_TOKEN, SIGNING_SECRET, TEAM, make_settings
from tests.slack_requests import SlackClient

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
BURST = 12  # fewer than a worker's listener threads: all of them in flight at once
GIVER = "UGIVER001"


def enqueue_before_start(database, key="digest:left-over", channel="CDIGEST01"):
    with database.session() as session:
        ensure_workspace(session=session, team_id=TEAM)
        outbox.enqueue(
            session=session,
            team_id=TEAM,
            key=key,
            channel=channel,
            text="left over from before the restart",
            now=datetime.now(UTC),  # the real clock: the app runs on it here
        )


def stopped(runtime):
    runtime.courier.stop()
    runtime.listeners.shutdown()
    runtime.database.dispose()


def test_the_procfile_entry_point_delivers_what_waited_without_a_request(
    database, slack_api, monkeypatch, tmp_path
):
    enqueue_before_start(database)
    monkeypatch.chdir(tmp_path)  # no .env
    for name in ("SLACK_APP_TOKEN", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "TEMPLATES_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    monkeypatch.setenv("SLACK_API_URL", slack_api.url)
    monkeypatch.setenv("DATABASE_URL", database.url)
    monkeypatch.delitem(sys.modules, "bot.wsgi", raising=False)
    gc.unfreeze()
    wsgi = importlib.import_module("bot.wsgi")  # what `gunicorn bot.wsgi:app` does
    try:
        # What the worker made while starting is out of the cycle collector's sight.
        assert gc.get_freeze_count() > 10_000
        wsgi.runtime.courier.wait_idle()
    finally:
        gc.unfreeze()  # this test process goes on
        stopped(wsgi.runtime)
        sys.modules.pop("bot.wsgi", None)
    [post] = slack_api.posts("CDIGEST01")
    assert post.text == "left over from before the restart"


def test_serve_delivers_what_waited_without_a_request(database, slack_api):
    enqueue_before_start(database)
    settings = make_settings(SLACK_API_URL=slack_api.url, DATABASE_URL=database.url)
    gc.unfreeze()
    web = _Gunicorn(settings, {}, scheduler=False).load()  # what each worker does after the fork
    frozen = gc.get_freeze_count()
    gc.unfreeze()  # this test process goes on
    assert frozen > 10_000
    runtime = web.extensions[RUNTIME]
    try:
        runtime.courier.wait_idle()
    finally:
        stopped(runtime)
    assert [p.text for p in slack_api.posts("CDIGEST01")] == ["left over from before the restart"]


# -- stopping the real web process --------------------------------------------------------
def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def procfile_web(port):
    """The Procfile's web line as Heroku runs it, on loopback, with this environment's gunicorn."""
    line = next(
        line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:")
    )
    words = shlex.split(line.removeprefix("web:").replace("$PORT", str(port)))
    assert words[0] == "gunicorn" and words[-1] == "bot.wsgi:app"
    return [str(BIN / "gunicorn"), *(w.replace("0.0.0.0", "127.0.0.1") for w in words[1:])]


def start(command, *, port, database_url, slack_api, log):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    env |= {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack_api.url,
        "DATABASE_URL": database_url,
        "PORT": str(port),
    }
    with open(log, "w") as out:
        return subprocess.Popen(
            command,
            env=env,
            cwd=log.parent,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a group of its own, signalled as Heroku signals a dyno
        )


def wait_until_listening(slack, process, log):
    deadline = time.monotonic() + 30
    while True:  # waiting for a process to start listening, not for app time to pass
        try:
            if slack.raw("GET", "/healthz").status == 200:
                return
        except OSError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            pytest.fail("the web process did not start:\n" + log.read_text())
        time.sleep(0.1)


@pytest.mark.parametrize("how", ["procfile", "serve"])
def test_sigterm_mid_burst_finishes_every_acknowledged_request_and_delivers_its_messages(
    how, tmp_path, slack_api
):
    path, log, port = tmp_path / "pmo.db", tmp_path / "web.log", free_port()
    schema.upgrade(f"sqlite:///{path}")
    command = procfile_web(port) if how == "procfile" else [str(BIN / "pmo-bot"), "serve"]
    if how == "serve":
        command.append("--no-scheduler")
    process = start(
        command, port=port, database_url=f"sqlite:///{path}", slack_api=slack_api, log=log
    )
    slack = SlackClient(
        app_url=f"http://127.0.0.1:{port}",
        signing_secret=SIGNING_SECRET,
        api=slack_api,
        settle=lambda: None,
        team_id=TEAM,
    )
    try:
        wait_until_listening(slack, process, log)
        # Slow enough that every listener is still running when SIGTERM comes.
        slack_api.slow("response_url", 2.0)
        slack_api.slow("chat.postMessage", 0.2)
        with ThreadPoolExecutor(BURST) as senders:
            replies = list(
                senders.map(
                    lambda n: slack.command(
                        "/kudos", f"<@U{n:08d}> for the launch prep {n}", user=GIVER, settle=False
                    ),
                    range(BURST),
                )
            )
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert [reply.status for reply in replies] == [200] * BURST
    assert process.returncode == 0, log.read_text()[-3000:]
    with sqlite3.connect(path) as connection:
        reasons = {row[0] for row in connection.execute("SELECT reason FROM kudos")}
        statuses = {row[0] for row in connection.execute("SELECT status FROM outbox")}
    assert reasons == {f"for the launch prep {n}" for n in range(BURST)}
    assert len(slack_api.ephemeral_replies()) == BURST  # each listener ran to its end
    assert sorted(post.channel for post in slack_api.posts()) == sorted(
        slack_api.dm_channel(f"U{n:08d}") for n in range(BURST)
    )
    assert statuses == {"sent"}
