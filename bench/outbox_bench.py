"""How many outbox messages a second reach Slack with one deliverer process, and with two on
the same database? Each message must reach Slack exactly once, and posts to one channel
must stay about a second apart (Slack's limit) however many processes deliver.

The local Slack Web API of the test suite answers chat.postMessage in 50 ms. Two runs per
deliverer count, each on a fresh database:

- spread: N messages, one per channel, so pacing never holds anything back: the figure is
  the deliverers' own throughput;
- paced: a few channels with several messages each: the run lasts as long as pacing says,
  and the smallest gap between two posts to one channel is reported (under 1 s breaks
  Slack's per-channel limit).

Each deliverer is a process of its own, with its own engine, running the Deliverer's
passes the way the courier and the scheduler do. Run (PostgreSQL; SQLite works too, one
writer at a time):

    python bench/outbox_bench.py --database-url postgresql://postgres@127.0.0.1:5432/test
    python bench/outbox_bench.py --database-url ... --messages 1000 --deliverers 1,2,4
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlmodel import select  # noqa: E402

from bench.scratch_db import drop, fresh_database  # noqa: E402
from bot.delivery import Deliverer  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.slack_client import TeamClients  # noqa: E402
from storage import outbox  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.models import OutboxMessage, OutboxStatus  # noqa: E402
from storage.workspaces import ensure_workspace  # noqa: E402
from tests.slack_api import FakeSlackAPI  # noqa: E402

TEAM = "T0PMO0001"
SLACK_SECONDS = 0.05


class Run(NamedTuple):
    seconds: float
    sent: int
    doubled: int
    missing: int
    not_sent_rows: int
    min_gap: float | None  # the smallest gap between two posts to one channel


def enqueue(database: Database, channels: list[str], per_channel: int) -> int:
    """Store `per_channel` messages for each channel; returns how many."""
    now = datetime.now(UTC)
    with database.session() as session:
        ensure_workspace(session=session, team_id=TEAM)
        for number in range(per_channel):
            for channel in channels:
                outbox.enqueue(
                    session=session,
                    team_id=TEAM,
                    key=f"bench:{channel}:{number}",
                    channel=channel,
                    text=f"message {number} to {channel}",
                    now=now,
                )
    return len(channels) * per_channel


def deliver_until_empty(url: str, api_url: str, ready: Any, go: Any, results: Any) -> None:
    """One deliverer process: passes over the outbox until nothing waits in it."""
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        SLACK_BOT_TOKEN="xoxb-bench",
        SLACK_API_URL=api_url,
        DATABASE_URL=url,
    )
    database = Database(url)
    deliverer = Deliverer(database, TeamClients(settings))
    with database.session() as session:
        outbox.backlog(session=session)  # connect before the clock starts
    ready.release()
    go.wait()
    sent = 0
    while True:
        report = deliverer.deliver()
        sent += report.sent
        with database.session() as session:
            waiting, _ = outbox.backlog(session=session)
        if waiting == 0:
            break
        if report.sent == 0:
            due = report.next_due
            until = (due - datetime.now(UTC)).total_seconds() if due else 0.05
            time.sleep(min(max(until, 0.01), 0.2))
    results.put((sent, time.monotonic()))
    database.dispose()


def run(
    base_url: str | None, folder: str, deliverers: int, channels: list[str], per_channel: int
) -> Run:
    database, name = fresh_database(base_url, folder, f"outbox_{deliverers}_{per_channel}")
    slack = FakeSlackAPI(team_id=TEAM).start()
    slack.slow("chat.postMessage", SLACK_SECONDS)
    try:
        total = enqueue(database, channels, per_channel)
        context = multiprocessing.get_context("spawn")
        ready, go, results = context.Semaphore(0), context.Event(), context.Queue()
        processes = [
            context.Process(
                target=deliver_until_empty, args=(database.url, slack.url, ready, go, results)
            )
            for _ in range(deliverers)
        ]
        for process in processes:
            process.start()
        for _ in processes:
            ready.acquire()
        started = time.monotonic()
        go.set()
        finished = [results.get(timeout=600) for _ in processes]
        for process in processes:
            process.join()
        seconds = max(at for _, at in finished) - started
        posts = slack.calls_to("chat.postMessage")
        keys = Counter(call["metadata"]["event_payload"]["key"] for call in posts)
        with database.session() as session:
            statuses = Counter(session.exec(select(OutboxMessage.status)))
        return Run(
            seconds=seconds,
            sent=sum(sent for sent, _ in finished),
            doubled=sum(count - 1 for count in keys.values() if count > 1),
            missing=total - len(keys),
            not_sent_rows=total - statuses[OutboxStatus.SENT],
            min_gap=_smallest_gap(posts),
        )
    finally:
        slack.stop()
        database.dispose()
        if name is not None and base_url is not None:
            drop(base_url, name)


def _smallest_gap(posts: list[Any]) -> float | None:
    arrivals: dict[str, list[float]] = defaultdict(list)
    for call in posts:
        arrivals[call["channel"]].append(call.at)
    gaps = [
        later - earlier
        for times in arrivals.values()
        for earlier, later in zip(sorted(times), sorted(times)[1:], strict=False)
    ]
    return min(gaps) if gaps else None


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", help="a PostgreSQL server URL (default: SQLite files)")
    parser.add_argument("--messages", type=int, default=400, help="messages in the spread run")
    parser.add_argument("--deliverers", default="1,2", help="deliverer processes per run")
    parser.add_argument("--paced-channels", type=int, default=4)
    parser.add_argument("--paced-per-channel", type=int, default=6)
    args = parser.parse_args()
    counts = [int(n) for n in args.deliverers.split(",")]
    print(f"Slack answers chat.postMessage in {SLACK_SECONDS * 1000:.0f} ms")
    print(
        f"{'run':<8}{'deliverers':>11}{'messages':>10}{'seconds':>9}{'msg/s':>8}"
        f"{'doubled':>9}{'missing':>9}{'unsent':>8}{'min gap/channel':>17}"
    )
    with tempfile.TemporaryDirectory() as folder:
        plans = [
            ("spread", [f"CS{n:07d}" for n in range(args.messages)], 1),
            (
                "paced",
                [f"CP{n:07d}" for n in range(args.paced_channels)],
                args.paced_per_channel,
            ),
        ]
        ok = True
        for label, channels, per_channel in plans:
            for deliverers in counts:
                result = run(args.database_url, folder, deliverers, channels, per_channel)
                total = len(channels) * per_channel
                gap = f"{result.min_gap:.3f}s" if result.min_gap is not None else "-"
                print(
                    f"{label:<8}{deliverers:>11}{total:>10}{result.seconds:>9.2f}"
                    f"{total / result.seconds:>8.1f}{result.doubled:>9}{result.missing:>9}"
                    f"{result.not_sent_rows:>8}{gap:>17}",
                    flush=True,
                )
                ok &= result.doubled == result.missing == result.not_sent_rows == 0
                ok &= result.min_gap is None or result.min_gap >= 0.9
    print("exactly once, paced: " + ("yes" if ok else "NO"))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
