"""`pmo-bot digest`, `nudge`, `outbox` and `demo`: the jobs by hand, and the product offline."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from bot.cli_support import (
    Group,
    announce_database,
    console,
    database_label,
    ensure_schema,
    fail,
    parse_at,
    settings_or_exit,
)
from storage.db import Database
from workflows.wording import count

# Each command imports what it runs when it runs: `pmo-bot --help`, `outbox list` or a
# mistyped flag need not load the Slack app, the jobs and every message builder first
# (a second of the command's start).
if TYPE_CHECKING:
    from bot.app import Runtime
    from bot.delivery import DeliveryReport
    from commands.rendering import Part
    from commands.templates import Templates
    from storage.models import OutboxMessage
    from workflows.digest import DigestPlan

AT_HELP = "Run as if at this ISO date-time (UTC unless it has an offset), e.g. 2026-11-30T09:05."
PREVIEW_HELP = "Print what would be sent, send nothing."
TEAM_HELP = "Only this workspace (Slack team id)."
CHART_HELP = (
    "With --preview: also write the digest's chart (projects by RAG and updates on time, "
    "last 13 weeks) as a PNG to FILE. With several workspaces, one file each: "
    "--chart chart.png writes chart-T0123.png, …"
)

outbox_cli = typer.Typer(
    cls=Group, help="Messages waiting for Slack: list them, retry the failed ones."
)


def _offline_database() -> tuple[Database, Templates]:
    # Previews need the database and the templates, not Slack.
    from commands.templates import Templates

    settings = settings_or_exit()
    announce_database(settings)
    ensure_schema(settings)
    return Database(settings.DATABASE_URL), Templates(settings.TEMPLATES_DIR)


def _require_team(database: Database, team: str | None) -> None:
    # `--team` names a workspace this database knows, or the command stops saying so.
    from bot.jobs import team_ids

    if team is None:
        return
    known = team_ids(database)
    if team not in known:
        where = database_label(database.url)
        raise fail(
            f"--team {team}: no such workspace in {where}"
            + (f" (it has {', '.join(known)})" if known else " (it has none yet)"),
            code=2,
        )


def _name_lookup(database: Database, team_id: str) -> dict[str, str]:
    from storage.workspaces import names_of

    with database.session() as session:
        return names_of(session=session, team_id=team_id)


def _print_digests(database: Database, templates: Templates, plans: list[DigestPlan]) -> None:
    from bot.preview import plain, print_message

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
    from commands.rendering import render

    return render(plan.digest, templates) if plan.digest is not None else []


def digest(
    at: Annotated[str | None, typer.Option(metavar="ISO-DATETIME", help=AT_HELP)] = None,
    preview: Annotated[bool, typer.Option("--preview", help=PREVIEW_HELP)] = False,
    team: Annotated[str | None, typer.Option(metavar="TEAM-ID", help=TEAM_HELP)] = None,
    chart: Annotated[
        Path | None, typer.Option(metavar="FILE", help=CHART_HELP, dir_okay=False)
    ] = None,
) -> None:
    """Run the digest job now: each workspace's digest for its latest digest time, once.

    The chart is shared in the digest's thread.
    """
    from bot.jobs import digest_job, preview_digests

    now = parse_at(at)
    if chart is not None and not preview:
        raise fail("--chart goes with --preview (a real run shares the chart in Slack)", code=2)
    if preview:
        database, templates = _offline_database()
        _require_team(database, team)
        plans = preview_digests(database=database, now=now, team=team)
        if not plans:
            raise fail("no workspace in the database yet (try `pmo-bot demo`)")
        _print_digests(database, templates, plans)
        if chart is not None:
            _write_charts(database, [plan.team_id for plan in plans], now, chart)
        return
    runtime = _runtime(now)
    _require_team(runtime.database, team)
    plans = digest_job(database=runtime.database, sender=runtime.sender, now=now, team=team)
    report = runtime.deliverer.deliver()
    for plan in plans:
        if not plan.recipients:
            console.print(f"{plan.team_id}: no digest channel or leaders set; nothing sent.")
        elif plan.already_sent:
            console.print(f"{plan.team_id}: {plan.key} was already sent; nothing new.")
        else:
            console.print(
                f"{plan.team_id}: {plan.key} queued for "
                f"{count(len(plan.recipients), 'recipient')}, "
                f"{count(len(_parts(plan, runtime.templates)), 'message')} each."
            )
    _report(report)


def _write_charts(database: Database, team_ids: list[str], now: datetime, path: Path) -> None:
    # The chart each digest carries, drawn as the sender would draw it.
    from commands.digest_chart import alt_text, health_chart
    from workflows.digest import digest_trend

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
    at: Annotated[str | None, typer.Option(metavar="ISO-DATETIME", help=AT_HELP)] = None,
    preview: Annotated[bool, typer.Option("--preview", help=PREVIEW_HELP)] = False,
    team: Annotated[str | None, typer.Option(metavar="TEAM-ID", help=TEAM_HELP)] = None,
) -> None:
    """Run the nudge job now: reminders due in each person's own time zone (once each)."""
    from bot.jobs import nudge_job, preview_nudges
    from bot.preview import styled
    from commands.rendering import render

    now = parse_at(at)
    if preview:
        database, templates = _offline_database()
        _require_team(database, team)
        due = preview_nudges(database=database, now=now, team=team)
    else:
        runtime = _runtime(now)
        database, templates = runtime.database, runtime.templates
        _require_team(database, team)
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
    names = {team_id: _name_lookup(database, team_id) for team_id in {m.team_id for m in due}}
    for message in due:
        content = message.content
        text = render(content, templates)[0][0]
        kind = _kind(content)
        known = names[message.team_id]

        def name_of(user: str, known: dict[str, str] = known) -> str:
            return known.get(user, user)

        console.print(
            Text.assemble((kind, "bold"), f" → @{name_of(message.to)}: ", styled(text, name_of)),
            soft_wrap=True,
        )


def _kind(content: object) -> str:
    # A nudge says its kind; other reminders are named after their class (ActionReminder:
    # "action reminder").
    from workflows.dependency_alerts import DependencyAlert
    from workflows.nudges import Nudge

    if isinstance(content, Nudge):
        return content.kind.value
    if isinstance(content, DependencyAlert):
        return "dependency"
    return re.sub(r"(?<!^)(?=[A-Z])", " ", type(content).__name__).lower()


def _runtime(now: datetime) -> Runtime:
    from bot.app import build_runtime

    settings = settings_or_exit(slack=True, receive=False)
    announce_database(settings)
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
        str | None,
        typer.Option(metavar="STATUS", help="pending, sending, sent or failed (default: all)"),
    ] = None,
    limit: Annotated[
        int, typer.Option(metavar="N", min=1, max=1000, help="Show at most N messages.")
    ] = 50,
) -> None:
    """The newest outbox messages, with their status and last error."""
    from storage import outbox
    from storage.models import OutboxStatus

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
    if not rows:
        console.print("The outbox is empty.")
    for row in rows:
        _print_outbox_row(row)


def _print_outbox_row(row: OutboxMessage) -> None:
    # The key on a line of its own, never cut: it is what `outbox retry` and a person grep for.
    from storage.models import OutboxStatus

    when = row.sent_at if row.status == OutboxStatus.SENT else row.next_attempt_at
    label = "sent" if row.status == OutboxStatus.SENT else "next try"
    facts = [f"#{row.id}", row.status, f"{row.attempts} tries", f"{row.team_id} → {row.channel}"]
    if when is not None:
        facts.append(f"{label} {when:%Y-%m-%d %H:%M} UTC")
    console.print(Text(" · ".join(facts), style="bold"), soft_wrap=True)
    console.print(Text(f"  {row.key}"), soft_wrap=True)
    if row.last_error:
        console.print(Text(f"  last error: {row.last_error}", style="red"), soft_wrap=True)


@outbox_cli.command("retry")
def outbox_retry(
    ids: Annotated[
        list[int] | None,
        typer.Argument(metavar="ID", help="Ids of failed messages (default: all failed)."),
    ] = None,
) -> None:
    """Put failed messages back in line and try to deliver them now."""
    from storage import outbox

    runtime = _runtime(parse_at(None))
    with runtime.database.session() as session:
        requeued = outbox.requeue_failed(session=session, now=runtime.clock(), ids=ids or None)
    console.print(f"{count(requeued, 'failed message')} back in line.")
    _report(runtime.deliverer.deliver())


def demo(
    at: Annotated[
        str | None, typer.Option(metavar="ISO-DATETIME", help="Seed as if now were this time.")
    ] = None,
    reset: Annotated[
        bool,
        typer.Option(
            "--reset", help="Delete the demo workspace's data (no other's) and seed it afresh."
        ),
    ] = False,
) -> None:
    """Seed a sample portfolio (its own workspace) and print its Monday digest."""
    from bot.demo import DEMO_TEAM, demo_now, erase, seed, seeded
    from bot.jobs import preview_digests

    database, templates = _offline_database()
    now = parse_at(at) if at else demo_now()
    if reset and seeded(database):
        erase(database)
        console.print(f"Deleted the demo workspace {DEMO_TEAM}'s data; other workspaces untouched.")
    if seeded(database):
        console.print(
            f"The demo workspace {DEMO_TEAM} is already in the database; showing its digest as "
            "it stands (`pmo-bot demo --reset` seeds it afresh)."
        )
    else:
        console.print(f"Seeding a demo portfolio into workspace {DEMO_TEAM}…")
        seed(database, now)
    plans = preview_digests(database=database, now=now, team=DEMO_TEAM)
    _print_digests(database, templates, plans)
    console.print(
        f"This is the digest leaders would read on Monday. The demo portfolio lives in its own "
        f"workspace ({DEMO_TEAM}), not in yours: Slack will not show it. To start for real: "
        "`pmo-bot serve`, then `/pmo new` in Slack.",
        highlight=False,
    )
