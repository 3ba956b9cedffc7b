"""What every `pmo-bot` command shares: one-line errors, settings, the schema check."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from sqlalchemy.engine import make_url
from typer.core import TyperGroup

from bot.settings import Settings, SettingsError, load_settings
from storage import schema
from storage.db import Database

console = Console()
errors = Console(stderr=True)


class Group(TyperGroup):
    """The `pmo-bot` command groups, whose help shows flags as flags: `--preview`, not
    `--preview <bool>` (Typer's Rich help gives every option a type, flags and --help too)."""

    def get_command(self, ctx: typer.Context, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            _flags_read_as_flags(command, ctx)
        return command

    def format_help(self, ctx: typer.Context, formatter: Any) -> None:
        _flags_read_as_flags(self, ctx)
        super().format_help(ctx, formatter)


def _flags_read_as_flags(command: Any, ctx: typer.Context) -> None:
    # An empty metavar is what the help prints after a flag: nothing.
    for param in command.get_params(ctx):
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""


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


def database_label(url: str) -> str:
    """Where the data is, for people: a SQLite file's full path (a relative one lands in the
    folder pmo-bot runs from), a server's URL without its password."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        name = parsed.database
        if not name or name == ":memory:":
            return "an in-memory SQLite database"
        return f"SQLite file {name if name.startswith('file:') else Path(name).absolute()}"
    return parsed.render_as_string(hide_password=True)


def announce_database(settings: Settings) -> None:
    """Say at start which database this command uses."""
    # A path is copied from here: never wrapped, whatever the terminal width.
    console.print(
        f"pmo-bot: database {database_label(settings.DATABASE_URL)}",
        highlight=False,
        soft_wrap=True,
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
