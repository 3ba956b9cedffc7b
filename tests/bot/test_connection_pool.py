"""A serving process keeps DATABASE_POOL_SIZE database connections open between requests
(by default one per listener thread that may be in a transaction at once) instead of
opening and closing those past a small pool's size."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import event, text

from bot.app import LISTENER_THREADS, Runtime, build_runtime
from bot.settings import DEFAULT_POOL_SIZE
from tests.conftest import make_settings


def _connections_opened(runtime: Runtime, at_once: int, rounds: int) -> list[int]:
    # How many connections each round opened, `at_once` threads each in a transaction at
    # the same moment.
    opened = []
    event.listen(runtime.database.engine, "connect", lambda *_: opened.append(1))
    together = threading.Barrier(at_once)

    def one_transaction(_: int) -> int:
        # Reading: SQLite lets one writer in at a time, but every reader at once.
        with runtime.database.reading() as session:
            value = session.execute(text("SELECT 1")).scalar_one()
            together.wait(timeout=10)  # every thread holds its connection at this moment
            return value

    per_round = []
    try:
        with ThreadPoolExecutor(at_once) as threads:
            for _ in range(rounds):
                before = len(opened)
                assert list(threads.map(one_transaction, range(at_once))) == [1] * at_once
                per_round.append(len(opened) - before)
    finally:
        runtime.courier.stop()
        runtime.database.dispose()
    return per_round


def test_every_listener_thread_in_a_transaction_at_once_keeps_its_connection(database, slack_api):
    assert DEFAULT_POOL_SIZE == LISTENER_THREADS
    runtime = build_runtime(make_settings(SLACK_API_URL=slack_api.url, DATABASE_URL=database.url))
    # The first round opens one each; given back, each stays open for the next rounds.
    assert _connections_opened(runtime, LISTENER_THREADS, rounds=4) == [LISTENER_THREADS, 0, 0, 0]


def test_a_smaller_pool_keeps_only_that_many_and_opens_the_others_when_busy(database, slack_api):
    settings = make_settings(
        SLACK_API_URL=slack_api.url, DATABASE_URL=database.url, DATABASE_POOL_SIZE=3
    )
    runtime = build_runtime(settings)
    # For a database that allows few connections: three stay open, the other five are
    # opened when needed and closed when given back.
    assert _connections_opened(runtime, 8, rounds=3) == [8, 5, 5]
