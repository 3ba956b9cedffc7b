"""`pmo-bot`: serve the app, run the scheduler, migrate, print the manifest; the jobs and
the demo are in bot/cli_jobs.py."""

from __future__ import annotations

import signal
import sys
from typing import Annotated

import typer

from bot import cli_export, cli_jobs
from bot.cli_support import console, ensure_schema, fail, one_line, settings_or_exit
from bot.logs import configure_logging
from bot.manifest import manifest_yaml
from storage import schema

cli = typer.Typer(
    name="pmo-bot",
    help="A self-hosted Slack bot that runs a strategic PMO.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
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
    from bot.scheduler import SchedulerService

    settings = settings_or_exit(slack=True, receive=False)
    ensure_schema(settings)
    service = SchedulerService(build_runtime(settings))
    # Heroku stops a dyno with SIGTERM: finish the current step and give the lease back.
    signal.signal(signal.SIGTERM, lambda *_: service.stop())
    console.print(f"pmo-bot: scheduler {service.holder} running")
    try:
        service.run()
    except KeyboardInterrupt:
        service.stop()


@cli.command()
def migrate() -> None:
    """Apply database migrations (alembic upgrade head); the Procfile's release step."""
    settings = settings_or_exit()
    try:
        schema.upgrade(settings.DATABASE_URL)
    except Exception as exc:
        raise fail(f"migration failed: {one_line(exc)}") from None
    console.print(f"Database is at migration {schema.head_revision()}.")


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


cli.command()(cli_jobs.digest)
cli.command()(cli_jobs.nudge)
cli.command()(cli_jobs.demo)
cli.command()(cli_export.export)
cli.add_typer(cli_jobs.outbox_cli, name="outbox")


def main() -> None:
    """The console script."""
    configure_logging()
    cli()
