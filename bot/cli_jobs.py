"""`pmo-bot digest`, `nudge`, `outbox` and `demo`: the jobs by hand, and the product offline."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from bot.app import Runtime, build_runtime
from bot.cli_support import console, ensure_schema, fail, parse_at, settings_or_exit
from bot.delivery import DeliveryReport
from bot.jobs import digest_job, nudge_job, preview_digests, preview_nudges
from bot.preview import plain, print_message
from commands.digest_chart import alt_text, health_chart
from commands.rendering import Part, render
from commands.templates import Templates
from storage import outbox
from storage.db import Database
from storage.models import OutboxStatus
from storage.workspaces import names_of
from workflows.dependency_alerts import DependencyAlert
from workflows.digest import DigestPlan, digest_trend
from workflows.nudges import Nudge

AT_HELP = "Run as if at this ISO date-time (UTC unless it has an offset), e.g. 2026-11-30T09:05."
PREVIEW_HELP = "Print what would be sent, send nothing."
TEAM_HELP = "Only this workspace (Slack team id)."
CHART_HELP = (
    "With --preview: also write the digest's chart (projects by RAG and updates on time, "
    "last 13 weeks) as a PNG to FILE. With several workspaces, one file each: "
    "--chart chart.png writes chart-T0123.png, …"
)

outbox_cli = typer.Typer(help="Messages waiting for Slack: list them, retry the failed ones.")


def _offline_database() -> tuple[Database, Templates]:
    # Previews need the database and the templates, not Slack.
    settings = settings_or_exit()
    ensure_schema(settings)
    return Database(settings.DATABASE_URL), Templates(settings.TEMPLATES_DIR)


def _name_lookup(database: Database, team_id: str) -> dict[str, str]:
    with database.session() as session:
        return names_of(session=session, team_id=team_id)


def _print_digests(database: Database, templates: Templates, plans: list[DigestPlan]) -> None:
    for plan in plans:
        known = _name_lookup(database, plan.team_id)

        def name_of(user: str, known: dict[str, str] = known) -> str:
            return known.get(user, user)

        where = ", ".join(
            plain(f"<#{r}>" if r.startswith("C") else f"<@{r}>", name_of) for r in plan.recipients
        )
        for number, (_text, blocks) in enumerate(_parts(plan, templates), start=1):
            title = f"{plan.key} → {where or 'no recipients set'}"
            if number > 1:
                title += f" (thread, part {number})"
            print_message(console, title, blocks, name_of)


def _parts(plan: DigestPlan, templates: Templates) -> list[Part]:
    # The digest's messages as the sender renders them (its rows stay loaded after the
    # session: the database keeps objects unexpired on commit).
    return render(plan.digest, templates) if plan.digest is not None else []


def digest(
    at: Annotated[str | None, typer.Option(help=AT_HELP)] = None,
    preview: Annotated[bool, typer.Option("--preview", help=PREVIEW_HELP)] = False,
    team: Annotated[str | None, typer.Option(help=TEAM_HELP)] = None,
    chart: Annotated[
        Path | None, typer.Option(metavar="FILE", help=CHART_HELP, dir_okay=False)
    ] = None,
) -> None:
    """Run the digest job now: each workspace's digest for its latest digest time (once),
    its chart shared in its thread."""
    now = parse_at(at)
    if chart is not None and not preview:
        raise fail("--chart goes with --preview (a real run shares the chart in Slack)", code=2)
    if preview:
        database, templates = _offline_database()
        plans = preview_digests(database=database, now=now, team=team)
        if not plans:
            raise fail("no workspace in the database yet (try `pmo-bot demo`)")
        _print_digests(database, templates, plans)
        if chart is not None:
            _write_charts(database, [plan.team_id for plan in plans], now, chart)
        return
    runtime = _runtime(now)
    plans = digest_job(database=runtime.database, sender=runtime.sender, now=now, team=team)
    report = runtime.deliverer.deliver()
    for plan in plans:
        if not plan.recipients:
            console.print(f"{plan.team_id}: no digest channel or leaders set; nothing sent.")
        elif plan.already_sent:
            console.print(f"{plan.team_id}: {plan.key} was already sent; nothing new.")
        else:
            console.print(
                f"{plan.team_id}: {plan.key} queued for {len(plan.recipients)} "
                f"recipient(s), {len(_parts(plan, runtime.templates))} message(s) each."
            )
    _report(report)


def _write_charts(database: Database, team_ids: list[str], now: datetime, path: Path) -> None:
    # The chart each digest carries, drawn as the sender would draw it.
    for team_id in team_ids:
        with database.session() as session:
            trend = digest_trend(session=session, team_id=team_id, now=now)
        target = path if len(team_ids) == 1 else path.with_name(f"{path.stem}-{team_id}.png")
        try:
            target.write_bytes(health_chart(trend))
        except OSError as exc:
            raise fail(f"cannot write the chart to {target}: {exc.strerror or exc}") from None
        console.print(f"Chart written to {target}: {alt_text(trend)}", highlight=False)


def nudge(
    at: Annotated[str | None, typer.Option(help=AT_HELP)] = None,
    preview: Annotated[bool, typer.Option("--preview", help=PREVIEW_HELP)] = False,
    team: Annotated[str | None, typer.Option(help=TEAM_HELP)] = None,
) -> None:
    """Run the nudge job now: reminders due in each person's own time zone (once each)."""
    now = parse_at(at)
    if preview:
        database, templates = _offline_database()
        due = preview_nudges(database=database, now=now, team=team)
    else:
        runtime = _runtime(now)
        templates = runtime.templates
        due = nudge_job(
            database=runtime.database,
            sender=runtime.sender,
            now=now,
            clients=runtime.clients,
            team=team,
        )
        _report(runtime.deliverer.deliver())
    if not due:
        console.print("No nudge is due now.")
    for message in due:
        content = message.content
        assert isinstance(content, Nudge | DependencyAlert)
        [(text, _blocks)] = render(content, templates)
        kind = content.kind.value if isinstance(content, Nudge) else "dependency"
        console.print(
            f"[bold]{kind}[/] → @{message.to}: {plain(text)}",
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
    plans = preview_digests(database=database, now=now, team=DEMO_TEAM)
    _print_digests(database, templates, plans)
    console.print(
        "This is the digest leaders would read on Monday. In Slack: `pmo-bot serve`, "
        "then `/pmo list` and `/status`."
    )
