"""`pmo-bot`: serve the app, migrate the database, print the Slack manifest."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console

from bot.logs import configure_logging
from bot.manifest import manifest_yaml
from bot.settings import Settings, SettingsError, load_settings
from storage import migrate as migrations
from storage.db import Database

cli = typer.Typer(
    name="pmo-bot",
    help="A self-hosted Slack bot that runs a strategic PMO.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
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


def settings_or_exit(*, slack: bool = False) -> Settings:
    """The validated settings, or one line naming the bad one and exit code 2."""
    try:
        settings = load_settings()
        if slack:
            settings.require_slack()
    except SettingsError as exc:
        raise fail(str(exc), code=2) from None
    return settings


def ensure_schema(settings: Settings) -> None:
    """SQLite is migrated on start; PostgreSQL must have run `pmo-bot migrate` (release)."""
    database = Database(settings.DATABASE_URL)
    try:
        if database.backend == "sqlite":
            migrations.upgrade(settings.DATABASE_URL)
            return
        current = migrations.current_revision(database.engine)
    except Exception as exc:
        raise fail(f"DATABASE_URL: cannot reach the database ({one_line(exc)})") from None
    finally:
        database.dispose()
    if current != migrations.head_revision():
        raise fail(
            f"the database is at migration {current or 'none'}, this code needs "
            f"{migrations.head_revision()}: run `pmo-bot migrate` first"
        )


@cli.command()
def serve(
    no_scheduler: Annotated[
        bool, typer.Option("--no-scheduler", help="Do not run scheduled jobs in this process.")
    ] = False,
) -> None:
    """Serve Slack over HTTP on PORT (or Socket Mode when SLACK_APP_TOKEN is set)."""
    from bot import server

    settings = settings_or_exit(slack=True)
    ensure_schema(settings)
    if settings.socket_mode:
        console.print("pmo-bot: connecting to Slack over Socket Mode")
        server.serve_socket_mode(settings, scheduler=not no_scheduler)
    else:
        server.serve_http(settings, scheduler=not no_scheduler)


@cli.command()
def scheduler() -> None:
    """Run the scheduled jobs alone (the Procfile's `worker`)."""
    from bot.app import build_runtime
    from bot.scheduler import build_scheduler

    settings = settings_or_exit()
    try:
        settings.require_slack(receive=False)
    except SettingsError as exc:
        raise fail(str(exc), code=2) from None
    ensure_schema(settings)
    console.print("pmo-bot: scheduler running")
    build_scheduler(build_runtime(settings), blocking=True).start()


@cli.command()
def migrate() -> None:
    """Apply database migrations (alembic upgrade head); the Procfile's release step."""
    settings = settings_or_exit()
    try:
        migrations.upgrade(settings.DATABASE_URL)
    except Exception as exc:
        raise fail(f"migration failed: {one_line(exc)}") from None
    console.print(f"Database is at migration {migrations.head_revision()}.")


@cli.command()
def manifest(
    url: Annotated[
        str | None, typer.Option(help="The app's public base URL, e.g. https://pmo.example.org")
    ] = None,
    socket_mode: Annotated[
        bool, typer.Option("--socket-mode", help="A manifest for Socket Mode (no URL needed).")
    ] = False,
) -> None:
    """Print the Slack app manifest (YAML) to create the app at api.slack.com/apps."""
    if not socket_mode and not url:
        raise fail("give --url https://your.host (or --socket-mode)", code=2)
    if url and not url.startswith(("https://", "http://")):
        raise fail(f"--url must start with https:// (got {url!r})", code=2)
    sys.stdout.write(manifest_yaml(url, socket_mode=socket_mode))


def main() -> None:
    """The console script."""
    configure_logging()
    cli()
