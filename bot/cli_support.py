"""What every `pmo-bot` command shares: one-line errors, settings, the schema check."""

from __future__ import annotations

from datetime import UTC, datetime

import typer
from rich.console import Console

from bot.settings import Settings, SettingsError, load_settings
from storage import schema
from storage.db import Database

console = Console()
errors = Console(stderr=True)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print one clear line on stderr and stop with `code`."""
    errors.print(f"[bold red]pmo-bot:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def one_line(exc: BaseException) -> str:
    """An exception as one readable line: the driver's own words, without SQLAlchemy's links."""
    cause = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(cause).splitlines() if line.strip()]
    return f"{cause.__class__.__name__}: {lines[0] if lines else 'no details'}"


def settings_or_exit(*, slack: bool = False, receive: bool = True) -> Settings:
    """The validated settings, or one line naming the bad one and exit code 2.

    `slack`: the command talks to Slack, so a token must be set (and, when it also
    `receive`s requests over HTTP, the signing secret).
    """
    try:
        settings = load_settings()
        if slack:
            settings.require_slack(receive=receive)
    except SettingsError as exc:
        raise fail(str(exc), code=2) from None
    return settings


def ensure_schema(settings: Settings) -> None:
    """SQLite is migrated on start; PostgreSQL must have run `pmo-bot migrate` (release)."""
    database = Database(settings.DATABASE_URL)
    try:
        if database.backend == "sqlite":
            schema.upgrade(settings.DATABASE_URL)
            return
        current = schema.current_revision(database.engine)
    except Exception as exc:
        raise fail(f"DATABASE_URL: cannot reach the database ({one_line(exc)})") from None
    finally:
        database.dispose()
    if current != schema.head_revision():
        raise fail(
            f"the database is at migration {current or 'none'}, this code needs "
            f"{schema.head_revision()}: run `pmo-bot migrate` first"
        )


def parse_at(value: str | None) -> datetime:
    """`--at`: an ISO date-time (UTC unless it carries an offset); now when absent."""
    if value is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise fail(
            f"--at {value!r} is not an ISO date-time; write it like 2026-11-30T09:00 "
            "or 2026-11-30T09:00+01:00",
            code=2,
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
