"""The app keeps a database connection for each listener thread that may be in a
transaction at once, instead of opening and closing the ones past a small pool's size."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import event, text

from bot.app import LISTENER_THREADS, build_runtime
from tests.conftest import make_settings


def test_every_listener_thread_in_a_transaction_at_once_keeps_its_connection(database, slack_api):
    runtime = build_runtime(make_settings(SLACK_API_URL=slack_api.url, DATABASE_URL=database.url))
    opened = []
    event.listen(runtime.database.engine, "connect", lambda *_: opened.append(1))
    together = threading.Barrier(LISTENER_THREADS)

    def one_transaction(_: int) -> int:
        # Reading: SQLite lets one writer in at a time, but every reader at once.
        with runtime.database.reading() as session:
            value = session.execute(text("SELECT 1")).scalar_one()
            together.wait(timeout=10)  # every thread holds its connection at this moment
            return value

    try:
        with ThreadPoolExecutor(LISTENER_THREADS) as threads:
            assert (
                list(threads.map(one_transaction, range(LISTENER_THREADS)))
                == [1] * LISTENER_THREADS
            )
            first = len(opened)
            for _ in range(3):
                list(threads.map(one_transaction, range(LISTENER_THREADS)))
    finally:
        runtime.courier.stop()
        runtime.database.dispose()
    assert first == LISTENER_THREADS
    assert len(opened) == first  # given back, each stayed open for the next
