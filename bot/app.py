"""The Bolt app: built from settings, with every surface registered in one visible list."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from slack_bolt import App, BoltContext

from bot.errors import handle_error
from bot.oauth import installation_store, oauth_settings
from bot.outbox import ChannelPacer, Deliverer
from bot.settings import Settings
from bot.slack_client import DEFAULT_BACKOFF_SECONDS, TeamClients, web_client
from commands import pmo, status
from commands.context import Clock
from storage.db import Database

SURFACES = [pmo, status]


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
    clients: TeamClients
    clock: Clock


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
    settings.require_slack()
    database = database or Database(settings.DATABASE_URL)
    # Single-workspace mode: Bolt takes the bot token from this client.
    client = web_client(settings, settings.SLACK_BOT_TOKEN, retry_backoff)
    app_options: dict[str, Any] = {}
    find_bot_token = None
    if settings.oauth_enabled:
        store = installation_store(settings, database.engine)
        app_options["oauth_settings"] = oauth_settings(settings, store, database.engine)

        def find_bot_token(team_id: str) -> str | None:
            bot = store.find_bot(enterprise_id=None, team_id=team_id)
            return bot.bot_token if bot else None

    clients = TeamClients(settings, find_bot_token, retry_backoff)
    deliverer = Deliverer(database, clients, clock=clock, pacer=pacer)
    app = App(
        client=client,
        signing_secret=settings.SLACK_SIGNING_SECRET or "",
        listener_executor=listener_executor,
        **app_options,
    )

    def provide_services(context: BoltContext, next_: Callable[[], None]) -> None:
        # Listeners name what they need: `db`, `clock`, `delivery` (see commands/context.py).
        context["db"] = database
        context["clock"] = clock
        context["delivery"] = deliverer
        next_()

    app.middleware(provide_services)
    app.error(handle_error)
    for surface in SURFACES:
        surface.register(app)
    return Runtime(
        settings=settings,
        database=database,
        app=app,
        deliverer=deliverer,
        clients=clients,
        clock=clock,
    )
