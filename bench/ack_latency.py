"""How fast does pmo-bot acknowledge `/status`? Against a bare Bolt app on the same server.

Both apps run under gunicorn (gthread, 1 worker, 8 threads, as `pmo-bot serve`), against
the local Slack Web API of the test suite, on SQLite. Each gets the same signed `/status`
requests one after another; the figure is the time from sending the request to reading
the HTTP answer (Slack's 3-second clock). Run: python bench/ack_latency.py [--requests N]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from storage import schema  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.models import Rag  # noqa: E402
from tests.factories import PM, make_project  # noqa: E402
from tests.slack_api import FakeSlackAPI  # noqa: E402
from tests.slack_requests import SlackClient  # noqa: E402
from workflows.status import StatusDraft, post_update  # noqa: E402

SECRET = "bench-signing-secret"
TEAM = "T0PMO0001"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(module: str, env: dict[str, str], log: IO[str]) -> tuple[subprocess.Popen[str], int]:
    port = free_port()
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    process = subprocess.Popen(
        [
            gunicorn,
            "--worker-class",
            "gthread",
            "--threads",
            "8",
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            module,
        ],
        cwd=ROOT,
        env={**os.environ, "LOG_LEVEL": "WARNING", **env},
        stdout=subprocess.DEVNULL,
        stderr=log,
        text=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, port
        except OSError:
            if process.poll() is not None:
                raise SystemExit(f"{module} did not start; see {log.name}")  # noqa: B904
            time.sleep(0.05)
    raise SystemExit(f"{module} did not start in 30 s")


def measure(port: int, api: FakeSlackAPI, text: str, count: int) -> list[float]:
    slack = SlackClient(
        app_url=f"http://127.0.0.1:{port}",
        signing_secret=SECRET,
        api=api,
        settle=lambda: None,
        team_id=TEAM,
    )
    for _ in range(20):  # warm up: imports, first auth.test, connection pools
        slack.command("/status", text, user=PM, channel="CAPOLLO01")
    times = []
    for _ in range(count):
        started = time.perf_counter()
        reply = slack.command("/status", text, user=PM, channel="CAPOLLO01")
        times.append((time.perf_counter() - started) * 1000)
        if reply.status != 200:
            raise SystemExit(f"answered {reply.status} {reply.body}")
    return times


def summary(times: list[float]) -> str:
    ordered = sorted(times)
    p99 = ordered[max(int(len(ordered) * 0.99) - 1, 0)]
    median = statistics.median(ordered)
    return f"median {median:6.2f} ms   p99 {p99:6.2f} ms   max {ordered[-1]:6.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    api = FakeSlackAPI(team_id=TEAM).start()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        schema.upgrade(url)
        database = Database(url)
        project = make_project(database)
        with database.session() as session:
            post_update(
                session=session,
                project=project,
                author=PM,
                draft=StatusDraft(overall=Rag.GREEN, summary="Last week"),
                now=datetime.now(UTC),
            )
        database.dispose()
        env = {
            "SLACK_BOT_TOKEN": "xoxb-bench",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": api.url,
            "DATABASE_URL": url,
        }
        rows = []
        cases = (
            ("bare Bolt app, no-op /status", "bench.bare_bolt_app:app", ""),
            ("pmo-bot /status (opens the form)", "bot.wsgi:app", ""),
            ("pmo-bot /status KEY green … (posts)", "bot.wsgi:app", "APOLLO green Shipped beta"),
        )
        with open(Path(folder) / "servers.log", "w") as log:
            for name, module, text in cases:
                process, port = start(module, env, log)
                try:
                    rows.append((name, measure(port, api, text, args.requests)))
                finally:
                    process.terminate()
                    process.wait(timeout=30)
    api.stop()
    print(
        f"Time from a signed /status request to its acknowledgement, {args.requests} requests each"
    )
    python = sys.version.split()[0]
    print(f"(gunicorn gthread, 1 worker x 8 threads, SQLite, loopback; Python {python})\n")
    for name, times in rows:
        print(f"{name:42s} {summary(times)}")


if __name__ == "__main__":
    main()
