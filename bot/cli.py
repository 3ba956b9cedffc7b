"""`pmo-bot`: serve the app, run the scheduler, migrate, print the manifest; the jobs and
the demo are in bot/cli_jobs.py."""

from __future__ import annotations

import signal
import sys
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.text import Text

from bot import cli_export, cli_jobs
from bot.cli_support import (
    Group,
    announce_database,
    console,
    ensure_schema,
    fail,
    one_line,
    settings_or_exit,
)
from bot.logs import configure_logging
from bot.manifest import manifest_yaml
from storage import schema
from workflows.wording import count

cli = typer.Typer(
    name="pmo-bot",
    cls=Group,
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
    from bot.socket_mode import SocketModeRefused

    settings = settings_or_exit(slack=True)
    announce_database(settings)
    ensure_schema(settings)
    if settings.socket_mode:
        console.print(
            f"pmo-bot: connecting to Slack over Socket Mode; health on port {settings.PORT}"
        )
        try:
            server.serve_socket_mode(settings, scheduler=not no_scheduler)
        except SocketModeRefused as exc:
            raise fail(str(exc)) from None
    else:
        server.serve_http(settings, scheduler=not no_scheduler)


@cli.command()
def scheduler() -> None:
    """Run the scheduled jobs alone (the Procfile's `worker`).

    With METRICS_PORT set, it serves GET /metrics and /healthz on that port.
    """
    from bot.app import build_runtime
    from bot.scheduler import SchedulerService
    from bot.worker_http import serve_in_background

    settings = settings_or_exit(slack=True, receive=False)
    announce_database(settings)
    ensure_schema(settings)
    runtime = build_runtime(settings)
    service = SchedulerService(runtime)
    port = settings.METRICS_PORT
    try:
        http = serve_in_background(runtime, port) if port is not None else None
    except OSError as exc:
        raise fail(f"METRICS_PORT {port} cannot be served: {one_line(exc)}") from None
    # Heroku stops a dyno with SIGTERM: finish the current step and give the lease back.
    signal.signal(signal.SIGTERM, lambda *_: service.stop())
    watched = f"; /metrics and /healthz on port {port}" if http is not None else ""
    console.print(f"pmo-bot: scheduler {service.holder} running{watched}")
    try:
        service.run()
    except KeyboardInterrupt:
        service.stop()
    finally:
        if http is not None:
            http.shutdown()


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
        str | None,
        typer.Option(metavar="URL", help="The app's public base URL, e.g. https://pmo.example.org"),
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


@cli.command()
def doctor() -> None:
    """Check this deployment, one line per check with the fix; exit code 0 when all pass.

    Checks: database, migration, connections (PostgreSQL), token, scopes, signing secret,
    digest channel, scheduler, outbox.
    """
    from bot.doctor import run_checks

    findings = run_checks(settings_or_exit(), now=datetime.now(UTC))
    for finding in findings:
        mark = {True: ("✓", "green"), False: ("✗", "bold red"), None: ("–", "dim")}[finding.ok]
        console.print(Text.assemble(mark, f" {finding.check}: {finding.says}"), soft_wrap=True)
    failed = sum(1 for finding in findings if finding.ok is not True)
    if failed:
        console.print(f"{count(failed, 'check')} did not pass.")
        raise typer.Exit(1)
    console.print("All checks pass.")


cli.command()(cli_jobs.digest)
cli.command()(cli_jobs.nudge)
cli.command()(cli_jobs.demo)
cli.command()(cli_export.export)
cli.add_typer(cli_jobs.outbox_cli, name="outbox")


def main() -> None:
    """The console script."""
    configure_logging()
    cli()
