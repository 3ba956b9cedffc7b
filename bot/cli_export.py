"""`pmo-bot export --to DIR`: one workspace's tables as CSV files, for a PMO analyst."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from bot.cli_support import console, ensure_schema, fail, settings_or_exit
from storage.db import Database

# What the export reads is imported when it runs, not for every `pmo-bot` command.
if TYPE_CHECKING:
    from workflows.export import ExportedTable


def export(
    to: Annotated[
        Path,
        typer.Option("--to", metavar="DIR", help="Write the CSV files here (created if missing)."),
    ],
    team: Annotated[
        str | None,
        typer.Option(
            metavar="TEAM-ID",
            help="The workspace (Slack team id), when the database holds several.",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite CSV files already in DIR.")
    ] = False,
) -> None:
    """Write a workspace's tables as CSV files (UTF-8, one per table) to DIR."""
    from storage.export_queries import EXPORT_TABLES

    if to.exists() and not to.is_dir():
        raise fail(f"--to {to} is a file, not a directory", code=2)
    taken = [t.filename for t in EXPORT_TABLES if (to / t.filename).exists()]
    if taken and not force:
        shown = ", ".join(taken[:3]) + (f" and {len(taken) - 3} more" if len(taken) > 3 else "")
        raise fail(f"{to} already has {shown}: add --force to overwrite them")
    settings = settings_or_exit()
    ensure_schema(settings)
    database = Database(settings.DATABASE_URL)
    try:
        written = _write_all(database, to, team)
    finally:
        database.dispose()
    _print_summary(written, to)


def _write_all(database: Database, directory: Path, team: str | None) -> list[ExportedTable]:
    # One transaction: every file shows the workspace at the same moment.
    from storage.export_queries import EXPORT_TABLES
    from workflows.errors import PmoError
    from workflows.export import ExportedTable, workspace_to_export, write_table

    with database.session() as session:
        try:
            team_id = workspace_to_export(session=session, team_id=team)
        except PmoError as exc:
            raise fail(str(exc)) from None
        directory.mkdir(parents=True, exist_ok=True)
        written = []
        for table in EXPORT_TABLES:
            with (directory / table.filename).open("w", encoding="utf-8", newline="") as stream:
                rows = write_table(session=session, table=table, team_id=team_id, stream=stream)
            written.append(ExportedTable(table.filename, rows))
    console.print(f"Workspace {team_id}:", highlight=False)
    return written


def _print_summary(written: list[ExportedTable], directory: Path) -> None:
    table = Table("File", "Rows")
    for exported in written:
        table.add_row(exported.filename, f"{exported.rows:,}")
    console.print(table)
    console.print(f"{len(written)} CSV files in {directory}", highlight=False)
