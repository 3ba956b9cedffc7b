"""`pmo-bot digest`, `nudge`, `outbox` and `demo`: the jobs by hand, and the product offline."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.table import Table

from bot.app import Runtime, build_runtime
from bot.cli_support import console, ensure_schema, fail, parse_at, settings_or_exit
from bot.delivery import DeliveryReport
from bot.jobs import PlannedDigest, digest_job, nudge_job
from bot.preview import plain, print_message
from commands.templates import Templates
from storage import outbox
from storage.db import Database
from storage.models import OutboxStatus
from storage.workspaces import names_of

AT_HELP = "Run as if at this ISO date-time (UTC unless it has an offset), e.g. 2026-11-30T09:05."
PREVIEW_HELP = "Print what would be sent, send nothing."
TEAM_HELP = "Only this workspace (Slack team id)."

outbox_cli = typer.Typer(help="Messages waiting for Slack: list them, retry the failed ones.")


def _offline_database() -> tuple[Database, Templates]:
    # Previews need the database and the templates, not Slack.
    settings = settings_or_exit()
    ensure_schema(settings)
    return Database(settings.DATABASE_URL), Templates(settings.TEMPLATES_DIR)


def _name_lookup(database: Database, team_id: str) -> dict[str, str]:
    with database.session() as session:
        return names_of(session=session, team_id=team_id)


def _print_digests(database: Database, planned: list[PlannedDigest]) -> None:
    for digest in planned:
        known = _name_lookup(database, digest.team_id)

        def name_of(user: str, known: dict[str, str] = known) -> str:
            return known.get(user, user)

        where = ", ".join(
            plain(f"<#{r}>" if r.startswith("C") else f"<@{r}>", name_of) for r in digest.recipients
        )
        for number, message in enumerate(digest.messages, start=1):
            title = f"{digest.key} → {where or 'no recipients set'}"
            if number > 1:
                title += f" (thread, part {number})"
            print_message(console, title, message.blocks, name_of)


def digest(
    at: Annotated[str | None, typer.Option(help=AT_HELP)] = None,
    preview: Annotated[bool, typer.Option("--preview", help=PREVIEW_HELP)] = False,
    team: Annotated[str | None, typer.Option(help=TEAM_HELP)] = None,
) -> None:
    """Run the digest job now: each workspace's digest for its latest digest time (once)."""
    now = parse_at(at)
    if preview:
        database, templates = _offline_database()
        planned = digest_job(
            database=database,
            templates=templates,
            now=now,
            team=team,
            send=False,
        )
        if not planned:
            raise fail("no workspace in the database yet (try `pmo-bot demo`)")
        _print_digests(database, planned)
        return
    runtime = _runtime(now)
    planned = digest_job(database=runtime.database, templates=runtime.templates, now=now, team=team)
    report = runtime.deliverer.deliver()
    for digest_ in planned:
        if not digest_.recipients:
            console.print(f"{digest_.team_id}: no digest channel or leaders set; nothing sent.")
        elif digest_.already_sent:
            console.print(f"{digest_.team_id}: {digest_.key} was already sent; nothing new.")
        else:
            console.print(
                f"{digest_.team_id}: {digest_.key} queued for {len(digest_.recipients)} "
                f"recipient(s), {len(digest_.messages)} message(s) each."
            )
    _report(report)


def nudge(
    at: Annotated[str | None, typer.Option(help=AT_HELP)] = None,
    preview: Annotated[bool, typer.Option("--preview", help=PREVIEW_HELP)] = False,
    team: Annotated[str | None, typer.Option(help=TEAM_HELP)] = None,
) -> None:
    """Run the nudge job now: reminders due in each person's own time zone (once each)."""
    now = parse_at(at)
    if preview:
        database, templates = _offline_database()
        planned = nudge_job(
            database=database,
            templates=templates,
            now=now,
            clients=None,
            team=team,
            send=False,
        )
    else:
        runtime = _runtime(now)
        planned = nudge_job(
            database=runtime.database,
            templates=runtime.templates,
            now=now,
            clients=runtime.clients,
            team=team,
        )
        _report(runtime.deliverer.deliver())
    if not planned:
        console.print("No nudge is due now.")
    for item in planned:
        console.print(
            f"[bold]{item.nudge.kind.value}[/] → @{item.nudge.to}: {plain(item.text)}",
            highlight=False,
            soft_wrap=True,
        )


def _runtime(now: datetime) -> Runtime:
    settings = settings_or_exit(slack=True, receive=False)
    ensure_schema(settings)
    return build_runtime(settings, clock=lambda: now)


def _report(report: DeliveryReport) -> None:
    console.print(
        f"Delivered {report.sent}; {report.deferred} waiting to retry; {report.failed} failed."
    )
    if report.failed:
        console.print("See them with `pmo-bot outbox list --status failed`.")


@outbox_cli.command("list")
def outbox_list(
    status: Annotated[
        str | None, typer.Option(help="pending, sending, sent or failed (default: all)")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
) -> None:
    """The newest outbox messages, with their status and last error."""
    statuses = None
    if status is not None:
        try:
            statuses = [OutboxStatus(status)]
        except ValueError:
            raise fail(
                f"--status must be one of {', '.join(s.value for s in OutboxStatus)}", code=2
            ) from None
    database, _ = _offline_database()
    with database.session() as session:
        rows = outbox.list_messages(session=session, statuses=statuses, limit=limit)
    table = Table(
        "id", "workspace", "key", "to", "status", "tries", "next try / sent", "last error"
    )
    for row in rows:
        when = row.sent_at if row.status == OutboxStatus.SENT else row.next_attempt_at
        table.add_row(
            str(row.id),
            row.team_id,
            row.key,
            row.channel,
            row.status,
            str(row.attempts),
            when.strftime("%Y-%m-%d %H:%M") if when else "",
            row.last_error or "",
        )
    console.print(table if rows else "The outbox is empty.")


@outbox_cli.command("retry")
def outbox_retry(
    ids: Annotated[
        list[int] | None, typer.Argument(help="Ids of failed messages (default: all failed).")
    ] = None,
) -> None:
    """Put failed messages back in line and try to deliver them now."""
    runtime = _runtime(parse_at(None))
    with runtime.database.session() as session:
        count = outbox.requeue_failed(session=session, now=runtime.clock(), ids=ids or None)
    console.print(f"{count} failed message(s) back in line.")
    _report(runtime.deliverer.deliver())


def demo(
    at: Annotated[str | None, typer.Option(help="Seed as if now were this ISO date-time.")] = None,
) -> None:
    """Seed a sample portfolio (its own workspace) and print its Monday digest."""
    from bot.demo import DEMO_TEAM, demo_now, seed, seeded

    database, templates = _offline_database()
    now = parse_at(at) if at else demo_now()
    if seeded(database):
        console.print(
            f"The demo workspace {DEMO_TEAM} is already in the database; showing its digest."
        )
    else:
        console.print(f"Seeding a demo portfolio into workspace {DEMO_TEAM}…")
        seed(database, now)
    planned = digest_job(
        database=database,
        templates=templates,
        now=now,
        team=DEMO_TEAM,
        send=False,
    )
    _print_digests(database, planned)
    console.print(
        "This is the digest leaders would read on Monday. In Slack: `pmo-bot serve`, "
        "then `/pmo list` and `/status`."
    )
