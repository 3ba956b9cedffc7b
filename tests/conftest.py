"""Fixtures: a real database (SQLite, and PostgreSQL when TEST_DATABASE_URL is set), a local
Slack Web API, and the real WSGI app on loopback, driven by signed requests."""

from __future__ import annotations

import logging
import os
import shutil
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from bot.app import Runtime, build_runtime
from bot.delivery import ChannelPacer
from bot.settings import Settings
from bot.web import create_web_app
from storage import schema
from storage.db import Database, normalize_url
from tests.slack_api import FakeSlackAPI
from tests.slack_requests import SlackClient

SIGNING_SECRET = "test-signing-secret-0123456789abcdef"
BOT_TOKEN = "xoxb-test-token"
TEAM = "T0PMO0001"
# A Monday afternoon, so weekly rules have a week behind and ahead of them.
START = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


# -- time -------------------------------------------------------------------------------
class Clock:
    """The app's clock in tests: it moves only when the test moves it."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, now: datetime) -> None:
        self.now = now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


# -- databases --------------------------------------------------------------------------
def _postgres_server_url() -> str | None:
    raw = os.environ.get("TEST_DATABASE_URL")
    return normalize_url(raw) if raw else None


def create_postgres_database(prefix: str = "pmo_test") -> str:
    """A new, empty PostgreSQL database on the TEST_DATABASE_URL server; returns its URL."""
    server = _postgres_server_url()
    assert server
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    server = _postgres_server_url()
    assert server
    name = make_url(url).database
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "pmo.db"
    schema.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL database migrated to head once for the session; tests empty it."""
    if not _postgres_server_url():
        pytest.skip("TEST_DATABASE_URL is not set")
    url = create_postgres_database()
    schema.upgrade(url)
    yield url
    drop_postgres_database(url)


# Every table emptied and every sequence restarted, in one round trip. DELETE, not
# TRUNCATE: on tables this small TRUNCATE costs half a second (new files for 30-odd
# tables), DELETE a few milliseconds. As the replica role, no foreign key or guard
# trigger (the audit trail refuses deletes) gets in the way. The tables are listed as
# they are now, so one a test created is emptied too.
EMPTY_POSTGRES = """
DO $$
DECLARE found record;
BEGIN
    SET LOCAL session_replication_role = replica;
    FOR found IN
        SELECT tablename FROM pg_tables
        WHERE schemaname = current_schema() AND tablename <> 'alembic_version'
    LOOP
        EXECUTE 'DELETE FROM ' || quote_ident(found.tablename);
    END LOOP;
    PERFORM setval(c.oid, 1, false) FROM pg_class c WHERE c.relkind = 'S';
END
$$
"""


def _empty_postgres(database: Database) -> None:
    with database.engine.begin() as connection:
        connection.exec_driver_sql(EMPTY_POSTGRES)


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty database: every test using it runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        path = tmp_path / "pmo.db"
        shutil.copyfile(template, path)
        db = Database(f"sqlite:///{path}")
    else:
        url = request.getfixturevalue("postgres_url")
        db = Database(url)
        _empty_postgres(db)
    yield db
    db.dispose()


# -- Slack ------------------------------------------------------------------------------
@pytest.fixture
def slack_api(clock: Clock) -> Iterator[FakeSlackAPI]:
    api = FakeSlackAPI(team_id=TEAM, clock=clock).start()
    yield api
    api.stop()


class TrackingExecutor(ThreadPoolExecutor):
    """Bolt's listener executor, which can tell when all work after the ack is done."""

    def __init__(self) -> None:
        super().__init__(max_workers=8, thread_name_prefix="listener")
        self._pending: set[Future[Any]] = set()
        self._lock = threading.Lock()

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._done)
        return future

    def _done(self, future: Future[Any]) -> None:
        with self._lock:
            self._pending.discard(future)

    def wait_idle(self, timeout: float = 20) -> None:
        """Block until every listener (and what it started) has finished."""
        deadline = datetime.now(UTC) + timedelta(seconds=timeout)
        while True:
            with self._lock:
                pending = list(self._pending)
            if not pending:
                return
            for future in pending:
                remaining = (deadline - datetime.now(UTC)).total_seconds()
                if remaining <= 0:
                    raise TimeoutError("listeners still running after the request")
                future.exception(timeout=remaining)


class ErrorLog(logging.Handler):
    """Collects what the app logs at ERROR, so a test fails on an unexpected error."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []
        self.expected = False

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def expect_errors(self) -> None:
        self.expected = True

    def messages(self) -> list[str]:
        return [record.getMessage() for record in self.records]


@pytest.fixture
def error_log() -> Iterator[ErrorLog]:
    handler = ErrorLog()
    root = logging.getLogger()
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)
    if not handler.expected:
        unexpected = [
            f"{r.name}: {r.getMessage()}" + (f"\n{r.exc_info[1]!r}" if r.exc_info else "")
            for r in handler.records
        ]
        assert not unexpected, "the app logged errors:\n" + "\n".join(unexpected)


def make_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_APP_TOKEN": None,
        "SLACK_CLIENT_ID": None,
        "SLACK_CLIENT_SECRET": None,
        "SLACK_STATE_SECRET": None,
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def executor() -> Iterator[TrackingExecutor]:
    pool = TrackingExecutor()
    yield pool
    pool.shutdown(wait=True)


@pytest.fixture
def runtime(
    database: Database,
    slack_api: FakeSlackAPI,
    clock: Clock,
    executor: TrackingExecutor,
    error_log: ErrorLog,
) -> Iterator[Runtime]:
    settings = make_settings(SLACK_API_URL=slack_api.url, DATABASE_URL=database.url)
    runtime = build_runtime(
        settings,
        database=database,
        clock=clock,
        listener_executor=executor,
        pacer=ChannelPacer(interval=0),
        retry_backoff=0.001,
    )
    yield runtime
    runtime.courier.stop()


@pytest.fixture
def app_url(runtime: Runtime) -> Iterator[str]:
    """The real WSGI app, served over HTTP on loopback."""
    server = make_server("127.0.0.1", 0, create_web_app(runtime), threaded=True)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def slack(
    app_url: str, slack_api: FakeSlackAPI, executor: TrackingExecutor, runtime: Runtime
) -> SlackClient:
    """Slack itself, as the app sees it: signed requests from people in the workspace."""

    def settle() -> None:
        # Listeners first (they may ask for delivery), then the courier's delivery.
        executor.wait_idle()
        runtime.courier.wait_idle()

    return SlackClient(
        app_url=app_url,
        signing_secret=SIGNING_SECRET,
        api=slack_api,
        settle=settle,
        team_id=TEAM,
    )
