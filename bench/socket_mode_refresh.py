"""How soon are envelopes acknowledged right after Slack refreshes a Socket Mode connection?

`pmo-bot serve` runs in Socket Mode against the local Slack of the test suite (Web API and
Socket Mode server). Each round the server sends `disconnect` (`refresh_requested`) on the
app's newest connection, waits for the app's next connection, and at once sends a burst of
`/pmo help` envelopes on it; the latency is from sending an envelope to reading its ack
(Slack's 3-second clock). `--client bolt-builtin` runs slack_bolt's SocketModeHandler
(slack_sdk's built-in client, what `serve` used before) on the same app, for comparison.

Run: python bench/socket_mode_refresh.py [--rounds 5] [--burst 5] [--client serve|bolt-builtin]
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from storage import schema  # noqa: E402
from tests.slack_api import FakeSlackAPI  # noqa: E402
from tests.slack_socket import FakeSocketMode  # noqa: E402

TEAM = "T0PMO0001"
APP_TOKEN = "xapp-1-APMO0001-1-bench"
BIN = Path(sys.executable).parent
# slack_bolt's own adapter on pmo-bot's app, as `serve` ran it before.
BOLT_BUILTIN = """
from slack_bolt.adapter.socket_mode import SocketModeHandler
from bot.app import build_runtime
from bot.settings import load_settings
settings = load_settings()
SocketModeHandler(build_runtime(settings).app, settings.SLACK_APP_TOKEN).start()
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(client, api, folder):
    database_url = f"sqlite:///{folder}/pmo.db"
    schema.upgrade(database_url)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    env |= {
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_API_URL": api.url,
        "DATABASE_URL": database_url,
        "PORT": str(free_port()),
        "PYTHONPATH": str(ROOT),
    }
    if client == "serve":
        command = [str(BIN / "pmo-bot"), "serve", "--no-scheduler"]
    else:
        command = [sys.executable, "-c", BOLT_BUILTIN]
    log = open(Path(folder) / "bot.log", "w")  # noqa: SIM115 -- open while the bot runs
    return subprocess.Popen(
        command, env=env, cwd=folder, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def help_command(api):
    return {
        "team_id": TEAM,
        "channel_id": "CGENERAL",
        "user_id": "UBENCH001",
        "command": "/pmo",
        "text": "help",
        "response_url": api.response_url(),
        "trigger_id": "1.2.3",
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--burst", type=int, default=5)
    parser.add_argument("--client", choices=["serve", "bolt-builtin"], default="serve")
    args = parser.parse_args()

    api = FakeSlackAPI(team_id=TEAM).start()
    sockets = FakeSocketMode().start()
    api.socket_mode_url = sockets.new_url
    with tempfile.TemporaryDirectory() as folder:
        process = start(args.client, api, folder)
        try:
            connection = sockets.wait_for_connection(1, timeout=120)
            # One command before the first refresh, so nothing is measured cold.
            warm = sockets.envelope(connection, help_command(api))
            sockets.acks_by([warm], deadline=time.monotonic() + 30)
            print(f"client: {args.client}; {args.burst} envelopes right after each refresh")
            print("round  min_ms  median_ms  max_ms  unacked")
            everything = []
            for round_ in range(1, args.rounds + 1):
                sockets.refresh(connection)
                connection = sockets.wait_for_connection(round_ + 1, timeout=60)
                sent = {}
                for _ in range(args.burst):
                    started = time.monotonic()
                    sent[sockets.envelope(connection, help_command(api))] = started
                sockets.acks_by(list(sent), deadline=time.monotonic() + 10)
                latencies = [
                    (sockets.acked_at[e] - t) * 1000
                    for e, t in sent.items()
                    if e in sockets.acked_at
                ]
                everything += latencies
                unacked = len(sent) - len(latencies)
                if latencies:
                    print(
                        f"{round_:>5}  {min(latencies):>6.0f}  {statistics.median(latencies):>9.0f}"
                        f"  {max(latencies):>6.0f}  {unacked:>7}"
                    )
                else:
                    print(f"{round_:>5}  {'-':>6}  {'-':>9}  {'-':>6}  {unacked:>7}")
            if everything:
                print(
                    f"all: median {statistics.median(everything):.0f} ms, "
                    f"max {max(everything):.0f} ms over {len(everything)} acks"
                )
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            sockets.stop()
            api.stop()


if __name__ == "__main__":
    main()
