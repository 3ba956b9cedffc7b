"""How fast does pmo-bot acknowledge a command, and how soon is a status in its channel?

pmo-bot and a bare Bolt app (bench/bare_bolt_app.py, whose listeners only ack) run under
gunicorn with the Procfile's web line (gthread, 2 workers x 8 threads, the same flags for
both), against the local Slack Web API of the test suite, in a process of its own (Slack
is another machine: its work must not slow the clients). Clients send signed commands,
1, 20 and 50 at once, each as fast as the answers come, for a few seconds per case; the
ack time is from sending a request to reading its HTTP answer (Slack's 3-second clock).

Each case also reports the CPU the app's processes (gunicorn's and its workers') spent per
ack, read from /proc (Linux): on a shared machine whose speed drifts from run to run, it
says more steadily than throughput what a request costs (all the work a request causes, the
listener's after the ack included). At saturation, throughput is two cores over it.

The second table sets `/status` against a Bolt app that opens the same form (built once,
no database): what opening a form costs any app, Slack's call included, so that what is
pmo-bot's own shows.

The third table is the time from a `/status KEY green …` short form to its
`chat.postMessage` at the Slack server, one command at a time, each project in its own
channel (so no channel is being paced).

With `--portfolio N`, the workspace holds N more projects, each with a PM and two members
among 3,000 other people (a large organisation): what each command reads must still be
found by index, not by reading every project or every role.

Run: python bench/ack_latency.py [--seconds 5] [--clients 1,20,50] [--database-url URL]
         [--portfolio 10000]
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402
from sqlmodel import col, select  # noqa: E402

from bench.scratch_db import as_in_service, drop, fresh_database  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.models import Project, ProjectRole, Rag, Role  # noqa: E402
from tests.factories import PM, make_project  # noqa: E402
from tests.slack_api import FakeSlackAPI  # noqa: E402
from tests.slack_requests import SlackClient  # noqa: E402
from workflows.status import StatusDraft, post_update  # noqa: E402

SECRET = "bench-signing-secret"
TEAM = "T0PMO0001"
# The Procfile's web line, less the bind address.
GUNICORN_FLAGS = [
    "--config",
    "python:bot.gunicorn_config",
    "--worker-class",
    "gthread",
    "--threads",
    "8",
    "--workers",
    "2",
    "--timeout",
    "60",
    "--graceful-timeout",
    "30",
]
COMMANDS = (("/pmo", "help"), ("/status", ""))
APPS = (("pmo-bot", "bot.wsgi:app"), ("bare Bolt", "bench.bare_bolt_app:app"))
# Bolt opening pmo-bot's form for one project, built once (bench/bare_bolt_app.py): `/status`
# only, for what the Slack call itself costs.
FORM_ONLY = ("Bolt opening the form", "bench.bare_bolt_app:app", {"BARE_OPENS_FORM": "1"})
# After a load, how long the app may take to finish the listeners of its last acks.
SETTLE = 0.5
PROJECTS = 40  # one channel each, for the time to the channel
# Runs those projects; PM (who sends the load) runs APOLLO only, as a typical PM does.
CHANNEL_PM = "UPM000002"


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
            *GUNICORN_FLAGS,
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


class RemoteSlack:
    """The test suite's Slack Web API, run in a child process; asked over a pipe what it
    received."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._pipe, child = context.Pipe()
        self._process = context.Process(target=_serve_slack, args=(child,), daemon=True)
        self._process.start()
        self.url: str = self._pipe.recv()
        self._ids = itertools.count(1)

    def response_url(self) -> str:
        """A fresh response_url, as Slack puts in commands."""
        return f"{self.url.removesuffix('/api/')}/response/{next(self._ids)}"

    def posts(self) -> list[tuple[str, float]]:
        """(channel, time.monotonic() of arrival) of every chat.postMessage so far."""
        self._pipe.send("posts")
        return self._pipe.recv()

    def post_latency(self) -> float:
        """Its own median answer time to chat.postMessage, in ms, asked from here."""
        from slack_sdk import WebClient

        web = WebClient(token="xoxb-bench", base_url=self.url)
        times = []
        for _ in range(200):
            started = time.perf_counter()
            web.chat_postMessage(channel="CLATENCY", text="ping")
            times.append((time.perf_counter() - started) * 1000)
        return statistics.median(times)

    def answered_in_ack(self, _body: dict[str, Any]) -> None:
        """What the app answered a command with in its ack: the bench times it, no more."""

    def stop(self) -> None:
        self._pipe.send("stop")
        self._process.join(timeout=10)


def _serve_slack(pipe: Connection) -> None:
    api = FakeSlackAPI(team_id=TEAM).start()
    pipe.send(api.url)
    while (asked := pipe.recv()) != "stop":
        assert asked == "posts"
        pipe.send([(call["channel"], call.at) for call in api.calls_to("chat.postMessage")])
    api.stop()


def client(port: int, api: Any) -> SlackClient:
    return SlackClient(
        app_url=f"http://127.0.0.1:{port}",
        signing_secret=SECRET,
        api=api,
        settle=lambda: None,
        team_id=TEAM,
    )


def server_cpu(pid: int) -> float | None:
    """Processor seconds (user and system) spent so far by process `pid` and its children
    (gunicorn's workers), or None where /proc cannot tell."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        ticks = 0
        for process in [pid, *map(int, children)]:
            # Fields after the command name, which may hold spaces: utime and stime are
            # the 14th and 15th of the whole line.
            fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
    except (OSError, ValueError, IndexError):
        return None
    return ticks / os.sysconf("SC_CLK_TCK")


@dataclass
class Load:
    """What `clients` clients sending one command for `seconds` saw, and the processor time
    the app spent meanwhile (None where it cannot be read)."""

    times: list[float]
    seconds: float
    cpu_seconds: float | None = None

    @property
    def cpu_per_ack(self) -> float | None:
        """Milliseconds of the app's processor time per ack."""
        if self.cpu_seconds is None or not self.times:
            return None
        return self.cpu_seconds * 1000 / len(self.times)

    @property
    def per_second(self) -> float:
        return len(self.times) / self.seconds

    def percentile(self, share: float) -> float:
        ordered = sorted(self.times)
        return ordered[min(int(len(ordered) * share), len(ordered) - 1)]


def load(
    port: int,
    api: RemoteSlack,
    command: str,
    text: str,
    clients: int,
    seconds: float,
    server: int | None = None,
) -> Load:
    slack = client(port, api)
    times: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    start_line = threading.Barrier(clients + 1)
    deadline = 0.0

    def one_client() -> None:
        start_line.wait()
        mine = []
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            reply = slack.command(command, text, user=PM, channel="CAPOLLO01")
            mine.append((time.perf_counter() - started) * 1000)
            if reply.status != 200:
                failures.append(f"{reply.status} {reply.body[:200]}")
                break
        with lock:
            times.extend(mine)

    threads = [threading.Thread(target=one_client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    before = server_cpu(server) if server is not None else None
    deadline = time.perf_counter() + seconds
    began = time.perf_counter()
    start_line.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if failures:
        raise SystemExit(f"{command} {text!r} answered {failures[0]}")
    cpu = None
    if server is not None and before is not None:
        time.sleep(SETTLE)  # the last listeners finish their work after their acks
        after = server_cpu(server)
        cpu = after - before if after is not None else None
    return Load(times, elapsed, cpu)


def warm_up(port: int, api: RemoteSlack) -> None:
    slack = client(port, api)
    for _ in range(20):  # imports, the first auth.test, connection pools, in both workers
        for command, text in COMMANDS:
            slack.command(command, text, user=PM, channel="CAPOLLO01")


def to_the_channel(port: int, api: RemoteSlack, keys: list[str], rounds: int) -> list[float]:
    """Milliseconds from sending `/status KEY green …` to its chat.postMessage."""
    slack = client(port, api)
    times = []
    for round_ in range(rounds):
        for key in keys:
            channel = f"C{key}"
            seen = len(api.posts())
            started = time.monotonic()
            reply = slack.command(
                "/status", f"{key} green Round {round_}", user=CHANNEL_PM, channel=channel
            )
            if reply.status != 200:
                raise SystemExit(f"/status answered {reply.status} {reply.body[:200]}")
            while len(posts := api.posts()) == seen:
                if time.monotonic() - started > 30:
                    raise SystemExit(f"the {key} status never reached {channel}")
                time.sleep(0.0005)
            posted_to, at = posts[-1]
            if posted_to != channel:
                raise SystemExit(f"the {key} status went to {posted_to}, not {channel}")
            times.append((at - started) * 1000)
    return times


def fill_portfolio(database: Database, size: int) -> None:
    """`size` more projects in the workspace, each run by one of 3,000 other people with two
    of them as members (bulk inserted: the bench measures requests, not project creation)."""
    if size <= 0:
        return
    now = datetime.now(UTC)
    projects = [
        {
            "team_id": TEAM,
            "key": f"X{number:05d}",
            "name": f"Other project {number}",
            "channel_id": f"CX{number:05d}",
            "phase": "Delivery",
            "created_by": CHANNEL_PM,
            "created_at": now,
            "updated_at": now,
        }
        for number in range(size)
    ]
    with database.session() as session:
        session.execute(insert(Project), projects)
        ids = session.scalars(select(Project.id).where(col(Project.key).startswith("X"))).all()
        roles = [
            {
                "team_id": TEAM,
                "project_id": project_id,
                "user_id": f"UOTHER{(index + offset) % 3000:04d}",
                "role": role,
            }
            for index, project_id in enumerate(ids)
            for offset, role in ((0, Role.PM), (1, Role.MEMBER), (2, Role.MEMBER))
        ]
        session.execute(insert(ProjectRole), roles)


def seed(database: Database) -> list[str]:
    keys = ["APOLLO"]
    project = make_project(database, key="APOLLO", channel_id="CAPOLLO01")
    with database.session() as session:
        post_update(
            session=session,
            project=project,
            author=PM,
            draft=StatusDraft(overall=Rag.GREEN, summary="Last week"),
            now=datetime.now(UTC),
        )
    for number in range(1, PROJECTS):
        key = f"P{number:03d}"
        make_project(
            database,
            actor=CHANNEL_PM,
            key=key,
            name=f"Project {number}",
            channel_id=f"C{key}",
            pm=CHANNEL_PM,
        )
        keys.append(key)
    database.dispose()
    return keys[1:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0, help="per command and load")
    parser.add_argument("--clients", default="1,20,50", help="requests at once, comma-separated")
    parser.add_argument("--rounds", type=int, default=3, help="short forms per project")
    parser.add_argument("--database-url", help="a PostgreSQL URL; default a scratch SQLite file")
    parser.add_argument(
        "--portfolio", type=int, default=0, help="this many more projects in the workspace"
    )
    args = parser.parse_args()
    levels = [int(n) for n in args.clients.split(",")]
    api = RemoteSlack()
    with tempfile.TemporaryDirectory() as folder:
        database, pg_name = fresh_database(args.database_url, folder, "ack")
        url = database.engine.url.render_as_string(hide_password=False)
        keys = seed(database)
        fill_portfolio(database, args.portfolio)
        as_in_service(database)
        env = {
            "SLACK_BOT_TOKEN": "xoxb-bench",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": api.url,
            "DATABASE_URL": url,
        }
        results: dict[tuple[str, str, int], Load] = {}
        channel_times: list[float] = []
        with open(Path(folder) / "servers.log", "w") as log:
            for app_name, module in APPS:
                process, port = start(module, env, log)
                try:
                    warm_up(port, api)
                    for command, text in COMMANDS:
                        for clients in levels:
                            results[app_name, command, clients] = load(
                                port, api, command, text, clients, args.seconds, process.pid
                            )
                    if app_name == "pmo-bot":
                        channel_times = to_the_channel(port, api, keys, args.rounds)
                finally:
                    process.terminate()
                    process.wait(timeout=30)
            app_name, module, extra = FORM_ONLY
            process, port = start(module, {**env, **extra}, log)
            try:
                warm_up(port, api)
                for clients in levels:
                    results[app_name, "/status", clients] = load(
                        port, api, "/status", "", clients, args.seconds, process.pid
                    )
            finally:
                process.terminate()
                process.wait(timeout=30)
        if pg_name:
            drop(args.database_url, pg_name)
        own = api.post_latency()
    api.stop()
    report(results, levels, channel_times, own, args)


def report(
    results: dict[tuple[str, str, int], Load],
    levels: list[int],
    channel_times: list[float],
    own: float,
    args: argparse.Namespace,
) -> None:
    python = sys.version.split()[0]
    database = "PostgreSQL" if args.database_url else "SQLite"
    size = f", {args.portfolio + PROJECTS:,} projects" if args.portfolio else ""
    setup = f"gunicorn gthread 2 x 8, {database}{size}"
    print(f"Acknowledgements, {args.seconds:g} s per case ({setup},")
    print(f"loopback, Python {python}); times in ms\n")
    print(
        "| command | at once | pmo-bot median / p99 | bare Bolt median / p99 "
        "| p99 ratio | acks/s pmo-bot / bare | throughput ratio "
        "| CPU ms per ack, pmo-bot / bare |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for command, text in COMMANDS:
        name = f"`{command} {text}`".replace(" `", "`")
        for clients in levels:
            ours, bare = (
                results["pmo-bot", command, clients],
                results["bare Bolt", command, clients],
            )
            print(
                f"| {name} | {clients} "
                f"| {statistics.median(ours.times):.0f} / {ours.percentile(0.99):.0f} "
                f"| {statistics.median(bare.times):.0f} / {bare.percentile(0.99):.0f} "
                f"| {ours.percentile(0.99) / bare.percentile(0.99):.1f}x "
                f"| {ours.per_second:,.0f} / {bare.per_second:,.0f} "
                f"| {ours.per_second / bare.per_second:.2f}x "
                f"| {_ms(ours.cpu_per_ack)} / {_ms(bare.cpu_per_ack)} |"
            )
    print(
        "\nThe Slack call's part: `/status` against a Bolt app that opens the same form, "
        "built once, with no database (bench/bare_bolt_app.py, BARE_OPENS_FORM=1):\n"
    )
    print(
        "| at once | pmo-bot median / p99 | Bolt opening the form median / p99 "
        "| acks/s pmo-bot / Bolt opening the form | throughput ratio "
        "| CPU ms per ack, pmo-bot / Bolt opening the form |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    for clients in levels:
        ours, form = (
            results["pmo-bot", "/status", clients],
            results[FORM_ONLY[0], "/status", clients],
        )
        print(
            f"| {clients} "
            f"| {statistics.median(ours.times):.0f} / {ours.percentile(0.99):.0f} "
            f"| {statistics.median(form.times):.0f} / {form.percentile(0.99):.0f} "
            f"| {ours.per_second:,.0f} / {form.per_second:,.0f} "
            f"| {ours.per_second / form.per_second:.2f}x "
            f"| {_ms(ours.cpu_per_ack)} / {_ms(form.cpu_per_ack)} |"
        )
    ordered = sorted(channel_times)
    p99 = ordered[min(int(len(ordered) * 0.99), len(ordered) - 1)]
    median = statistics.median(ordered)
    print(
        f"\nTime to the channel, `/status KEY green …` to its chat.postMessage, "
        f"{len(ordered)} posts one at a time, one channel per project:"
    )
    print("\n| median | p99 | Slack server's own median | median above it |")
    print("|---:|---:|---:|---:|")
    print(f"| {median:.0f} ms | {p99:.0f} ms | {own:.1f} ms | {median - own:.0f} ms |")


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


if __name__ == "__main__":
    main()
