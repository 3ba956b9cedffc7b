"""A serving process holds at most DATABASE_POOL_SIZE database connections (by default one
per listener thread that may be in a transaction at once), each kept open once opened,
instead of opening and closing those past a small pool's size."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

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


def test_a_thread_finding_every_connection_in_use_waits_for_one(database, slack_api):
    # DATABASE_POOL_SIZE is the most a process holds: for a database that allows few.
    settings = make_settings(
        SLACK_API_URL=slack_api.url, DATABASE_URL=database.url, DATABASE_POOL_SIZE=3
    )
    runtime = build_runtime(settings)
    opened = []
    event.listen(runtime.database.engine, "connect", lambda *_: opened.append(1))
    fourth_read = threading.Event()

    def a_fourth_reader() -> None:
        with runtime.database.reading() as session:
            session.execute(text("SELECT 1"))
            fourth_read.set()

    try:
        with ExitStack() as held:
            for _ in range(3):
                held.enter_context(runtime.database.reading()).execute(text("SELECT 1"))
            waiting = threading.Thread(target=a_fourth_reader)
            waiting.start()
            assert not fourth_read.wait(timeout=0.3)  # every connection is in use
            assert len(opened) == 3
        # Given back: the fourth gets one of the three, and nothing more is opened.
        assert fourth_read.wait(timeout=10)
        waiting.join(timeout=10)
        assert len(opened) == 3
    finally:
        runtime.courier.stop()
        runtime.database.dispose()
