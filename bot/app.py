"""The Bolt app: built from settings, with every surface registered in one visible list."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from slack_bolt import App, BoltContext

from bot import metrics
from bot.ack import StickyAck
from bot.delivery import ChannelPacer, Courier, Deliverer
from bot.errors import handle_error
from bot.listener_matching import match_on_body
from bot.logs import ContextCarryingExecutor
from bot.oauth import installation_store, oauth_settings
from bot.replays import drop_replays
from bot.sender import Sender
from bot.settings import LISTENER_THREADS, Settings
from bot.slack_client import DEFAULT_BACKOFF_SECONDS, TeamClients, web_client
from commands import (
    acknowledge,
    capacity,
    dm_reply,
    gate,
    goal,
    home,
    kudos,
    nudge,
    pmo,
    retro,
    risk,
    status,
)
from commands.context import Clock
from commands.templates import Templates
from storage.db import Database

SURFACES = [
    pmo,
    status,
    acknowledge,
    risk,
    gate,
    kudos,
    capacity,
    goal,
    retro,
    nudge,
    home,
    dm_reply,
]


class _TokenFromClient(logging.Filter):
    """Bolt warns that SLACK_BOT_TOKEN is unused when given a client; ours carries it."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


logging.getLogger("slack_bolt.App").addFilter(_TokenFromClient())


def _log_lifecycle(event: dict[str, Any], body: dict[str, Any]) -> None:
    # Single-workspace mode keeps its token in the environment: say so in the log.
    logging.getLogger(__name__).warning(
        "Slack says %s for team %s; SLACK_BOT_TOKEN no longer works there",
        event.get("type"),
        body.get("team_id"),
    )


@contextmanager
def _bolt_sees_our_oauth_choice(settings: Settings) -> Iterator[None]:
    # Bolt turns on its own file-based OAuth when SLACK_CLIENT_ID and SLACK_CLIENT_SECRET
    # are in the environment, even blank; our settings decided already (blank is unset).
    hidden = {}
    if not settings.oauth_enabled:
        for name in ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"):
            if name in os.environ:
                hidden[name] = os.environ.pop(name)
    try:
        yield
    finally:
        os.environ.update(hidden)


def utc_now() -> datetime:
    """The real clock."""
    return datetime.now(UTC)


@dataclass
class Runtime:
    """Everything a running pmo-bot holds: its settings, database, Slack app and outbox."""

    settings: Settings
    database: Database
    app: App
    deliverer: Deliverer
    courier: Courier
    clients: TeamClients
    clock: Clock
    templates: Templates
    sender: Sender
    listeners: Executor | None = None

    def finish(self, timeout: float) -> None:
        """On the way out: let the listeners already running end, then deliver what they
        enqueued, all within `timeout` seconds. Committed messages left over stay in the
        outbox for the next start."""
        deadline = time.monotonic() + timeout
        if self.listeners is not None:
            # shutdown() has no timeout of its own; a stuck listener must not eat the budget.
            waiting = threading.Thread(
                target=self.listeners.shutdown, name="listeners-finish", daemon=True
            )
            waiting.start()
            waiting.join(timeout)
        self.courier.drain(max(deadline - time.monotonic(), 0))


def _register(app: App, settings: Settings, services: dict[str, Any]) -> None:
    # Middleware, the error handler, lifecycle events, then every surface.
    def provide_services(context: BoltContext, next_: Callable[[], None]) -> None:
        # Listeners name what they need: `db`, `clock`, `delivery` (see commands/context.py).
        context["ack"] = StickyAck()
        for name, service in services.items():
            context[name] = service
        next_()

    app.middleware(provide_services)
    # After provide_services, which gives it the database and the clock.
    app.middleware(drop_replays)
    app.error(handle_error)
    if settings.oauth_enabled:
        # Bolt's own: forget a workspace's tokens when it uninstalls or revokes them.
        app.enable_token_revocation_listeners()
    else:
        app.event("app_uninstalled")(_log_lifecycle)
        app.event("tokens_revoked")(_log_lifecycle)
    for surface in SURFACES:
        surface.register(app)
    match_on_body(app)


def build_runtime(
    settings: Settings,
    *,
    database: Database | None = None,
    clock: Clock = utc_now,
    listener_executor: Executor | None = None,
    pacer: ChannelPacer | None = None,
    retry_backoff: float = DEFAULT_BACKOFF_SECONDS,
) -> Runtime:
    """Wire the app to its database and to Slack at SLACK_API_URL."""
    settings.require_slack(receive=False)
    # DATABASE_POOL_SIZE is the most connections this process holds, each kept open once
    # opened: SQLAlchemy's default pool kept five and opened and closed ten more as load
    # came and went (on PostgreSQL, a server process started and ended each time: 300 in
    # 16 s of bench/ack_latency.py). A thread finding them all in use waits for one; no
    # thread holds two at once (checked over the test suite).
    database = database or Database(
        settings.DATABASE_URL, pool_size=settings.DATABASE_POOL_SIZE, max_overflow=0
    )
    metrics.watch_connections(database.engine)
    # Single-workspace mode: Bolt takes the bot token from this client.
    client = web_client(settings, settings.SLACK_BOT_TOKEN, retry_backoff)
    app_options: dict[str, Any] = {}
    find_bot_token = None
    if settings.oauth_enabled:
        store = installation_store(settings, database.engine)
        app_options["oauth_settings"] = oauth_settings(settings, store, database, clock)

        def find_bot_token(team_id: str) -> str | None:
            bot = store.find_bot(enterprise_id=None, team_id=team_id)
            return bot.bot_token if bot else None

    clients = TeamClients(settings, find_bot_token, retry_backoff)
    deliverer = Deliverer(database, clients, clock=clock, pacer=pacer)
    courier = Courier(deliverer)
    templates = Templates(settings.TEMPLATES_DIR)
    sender = Sender(courier, templates, database, clock)
    # Bolt's default is 5 threads; acks wait for a free one, so keep headroom.
    listeners = listener_executor or ThreadPoolExecutor(max_workers=LISTENER_THREADS)
    with _bolt_sees_our_oauth_choice(settings):
        app = App(
            # Named, Bolt does not guess a name from its caller's file with
            # inspect.stack(), which reads the source of every frame on the stack.
            name="pmo-bot",
            client=client,
            signing_secret=settings.SLACK_SIGNING_SECRET or "",
            # Listeners log with the request's fields (bot/logs.py).
            listener_executor=ContextCarryingExecutor(listeners),
            **app_options,
        )

    _register(app, settings, {"db": database, "clock": clock, "delivery": sender})
    return Runtime(
        settings=settings,
        database=database,
        app=app,
        deliverer=deliverer,
        courier=courier,
        clients=clients,
        clock=clock,
        templates=templates,
        sender=sender,
        listeners=listeners,
    )
