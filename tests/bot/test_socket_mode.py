"""`pmo-bot serve` in Socket Mode, as a real process against a local Slack (Web API and
Socket Mode server): no gap at a refresh, each envelope handled once, a health port, and a
SIGTERM that finishes what was acknowledged."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from slack_bolt import BoltResponse

from bot import socket_mode
from bot.socket_mode import SocketModeClient, ack_message
from storage import schema
from tests.conftest import BOT_TOKEN, TEAM
from tests.slack_socket import FakeSocketMode

BIN = Path(sys.executable).parent
APP_TOKEN = "xapp-1-APMO0001-1-test"
GIVER = "UGIVER001"
# Slack gives 3 s; an ack that waited out a reconnect would come after that.
WELL_UNDER_SLACKS_LIMIT = 2.0
BURST = 8


@dataclass
class Bot:
    process: subprocess.Popen[bytes]
    port: int
    path: Path
    log: Path

    def get(self, path):
        """(status, body) of a GET on the bot's port."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=5) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def stop(self):
        """SIGTERM, as a platform stops it; the exit code."""
        os.killpg(self.process.pid, signal.SIGTERM)
        return self.process.wait(timeout=60)

    def rows(self, sql):
        with sqlite3.connect(self.path) as connection:
            return connection.execute(sql).fetchall()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_bot(tmp_path, slack_api):
    path, log, port = tmp_path / "pmo.db", tmp_path / "bot.log", free_port()
    schema.upgrade(f"sqlite:///{path}")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    env |= {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_API_URL": slack_api.url,
        "DATABASE_URL": f"sqlite:///{path}",
        "PORT": str(port),
    }
    with open(log, "w") as out:
        process = subprocess.Popen(
            [str(BIN / "pmo-bot"), "serve", "--no-scheduler"],
            env=env,
            cwd=tmp_path,  # no .env
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Bot(process, port, path, log)


def wait_for_health(bot, status):
    """Wait for the process to start answering `status` on /healthz; its last answer."""
    deadline = time.monotonic() + 30
    while True:  # waiting for a process to get there, not for app time to pass
        try:
            answer = bot.get("/healthz")
            if answer[0] == status:
                return json.loads(answer[1])
        except OSError:
            pass
        if time.monotonic() > deadline or bot.process.poll() is not None:
            pytest.fail(f"/healthz never answered {status}:\n" + bot.log.read_text())
        time.sleep(0.1)


@pytest.fixture
def sockets(slack_api):
    server = FakeSocketMode().start()
    slack_api.socket_mode_url = server.new_url
    yield server
    server.stop()


@pytest.fixture
def bot(tmp_path, slack_api, sockets):
    bot = start_bot(tmp_path, slack_api)
    try:
        wait_for_health(bot, 200)
        yield bot
    finally:
        if bot.process.poll() is None:
            os.killpg(bot.process.pid, signal.SIGKILL)
            bot.process.wait()


def command(slack_api, name, text, user=GIVER):
    """The payload of a slash command envelope, as Slack sends it over Socket Mode."""
    return {
        "token": "deprecated-verification-token",
        "team_id": TEAM,
        "team_domain": "pmo-test",
        "channel_id": "CGENERAL",
        "channel_name": "general",
        "user_id": user,
        "user_name": user.lower(),
        "command": name,
        "text": text,
        "api_app_id": "APMO0001",
        "is_enterprise_install": "false",
        "response_url": slack_api.response_url(),
        "trigger_id": "1.2.3",
    }


def test_envelopes_sent_right_after_a_refresh_are_acknowledged_while_the_old_connection_is_open(
    bot, sockets, slack_api
):
    first = sockets.wait_for_connection(1)
    sockets.refresh(first)
    second = sockets.wait_for_connection(2)
    sent = [sockets.envelope(second, command(slack_api, "/pmo", "help")) for _ in range(BURST)]
    late = sockets.envelope(first, command(slack_api, "/pmo", "help"))  # still read
    acks = sockets.acks_by([*sent, late], deadline=time.monotonic() + WELL_UNDER_SLACKS_LIMIT)
    assert not first.closed  # the new connection was read before the old one went
    assert acks == {**{envelope_id: [2] for envelope_id in sent}, late: [1]}


def test_an_envelope_delivered_on_both_connections_is_handled_once(bot, sockets, slack_api):
    first = sockets.wait_for_connection(1)
    sockets.refresh(first)
    second = sockets.wait_for_connection(2)
    kudos = command(slack_api, "/kudos", "<@UTAKER001> for the launch prep")
    envelope_id = sockets.envelope(first, kudos)
    sockets.envelope(second, kudos, envelope_id=envelope_id)  # Slack's second delivery
    acks = sockets.acks_by([envelope_id], deadline=time.monotonic() + 30, each=2)
    assert sorted(acks[envelope_id]) == [1, 2]
    assert bot.stop() == 0  # the listener in flight ends first
    assert bot.rows("SELECT reason FROM kudos") == [("for the launch prep",)]
    assert len(slack_api.ephemeral_replies()) == 1


def test_sigterm_finishes_acknowledged_work_and_closes_with_a_close_frame(bot, sockets, slack_api):
    first = sockets.wait_for_connection(1)
    slack_api.slow("response_url", 1.0)  # every listener still running at SIGTERM
    sent = [
        sockets.envelope(first, command(slack_api, "/kudos", f"<@U{n:08d}> for the demo {n}"))
        for n in range(BURST)
    ]
    acks = sockets.acks_by(sent, deadline=time.monotonic() + 30)
    assert all(acks[envelope_id] == [1] for envelope_id in sent)
    assert bot.stop() == 0, bot.log.read_text()[-3000:]
    sockets.wait_closed(first)
    assert first.close_code == 1000  # a close frame, not a dropped socket
    reasons = {row[0] for row in bot.rows("SELECT reason FROM kudos")}
    assert reasons == {f"for the demo {n}" for n in range(BURST)}
    assert len(slack_api.ephemeral_replies()) == BURST
    assert {row[0] for row in bot.rows("SELECT status FROM outbox")} == {"sent"}


def test_the_port_serves_healthz_and_the_metrics_of_what_came_over_the_socket(
    bot, sockets, slack_api
):
    assert wait_for_health(bot, 200) == {"ok": True, "database": "ok", "socket": "connected"}
    first = sockets.wait_for_connection(1)
    envelope_id = sockets.envelope(first, command(slack_api, "/pmo", "help"))
    sockets.acks_by([envelope_id], deadline=time.monotonic() + 30)
    # Counted once the ack is sent, which the test server may see a moment before.
    counted = 'pmo_requests_total{kind="command",name="/pmo"} 1.0'
    deadline = time.monotonic() + 10
    while True:
        status, body = bot.get("/metrics")
        assert status == 200
        if counted in body or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert counted in body
    # Where the data is, said at start.
    assert f"pmo-bot: database SQLite file {bot.path}\n" in bot.log.read_text()


def test_healthz_answers_503_when_slack_is_gone(bot, sockets):
    sockets.stop()
    answer = wait_for_health(bot, 503)
    assert answer["ok"] is False
    assert answer["socket"] == "disconnected"
    assert "could not connect" in answer["reason"]


def test_a_refused_app_token_stops_serve_with_a_clear_error(tmp_path, slack_api, sockets):
    slack_api.fail("apps.connections.open", error="invalid_auth")
    bot = start_bot(tmp_path, slack_api)
    try:
        code = bot.process.wait(timeout=60)
    finally:
        if bot.process.poll() is None:
            os.killpg(bot.process.pid, signal.SIGKILL)
            bot.process.wait()
    assert code == 1
    output = bot.log.read_text()
    assert "Slack refused to open a Socket Mode connection (invalid_auth)" in output
    assert "Traceback" not in output


# -- the client in this process ------------------------------------------------------------
@pytest.fixture
def client(runtime, sockets):
    client = SocketModeClient(app=runtime.app, app_token=APP_TOKEN)
    running = threading.Thread(target=client.run)
    running.start()
    yield client
    client.stop()
    running.join()
    client.close(timeout=3)


def test_the_refreshed_connection_gets_a_close_frame_once_slack_had_time_to_move(
    monkeypatch, sockets, client
):
    monkeypatch.setattr(socket_mode, "KEEP_OLD", 0)
    first = sockets.wait_for_connection(1)
    sockets.refresh(first)
    second = sockets.wait_for_connection(2)
    sockets.wait_closed(first)
    assert first.close_code == 1000
    assert not second.closed
    assert client.health() == ({"ok": True, "socket": "connected"}, 200)


def test_a_connection_slack_closes_is_replaced(sockets, client):
    first = sockets.wait_for_connection(1)
    first.ws.close()
    second = sockets.wait_for_connection(2)
    sockets.wait_closed(first)
    assert not second.closed


def test_the_ack_carries_the_apps_answer_such_as_a_modals_errors():
    errors = {"response_action": "errors", "errors": {"name": "Give the project a name"}}
    answer = BoltResponse(status=200, body=json.dumps(errors))
    assert json.loads(ack_message("E1", answer)) == {"envelope_id": "E1", "payload": errors}
    assert json.loads(ack_message("E2", BoltResponse(status=200, body=""))) == {"envelope_id": "E2"}
    assert ack_message("E3", BoltResponse(status=404, body="")) is None  # no listener
