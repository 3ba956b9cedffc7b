"""The CSV export: a workspace's tables (storage/export_queries.py) as files a PMO analyst
opens, written to a directory by `pmo-bot export` or zipped for a PMO lead by `/pmo export`.

Values are written as stored: moments in ISO 8601 with their offset (UTC), days in ISO,
amounts with the digits the database keeps, lists and details as JSON, text untouched.
The csv module quotes as RFC 4180 asks, so commas, quotes and newlines survive.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from sqlmodel import Session

from storage.export_queries import EXPORT_TABLES, ExportTable, table_rows
from storage.workspaces import ensure_workspace, team_ids
from workflows import message_keys
from workflows.actor import Actor
from workflows.errors import PmoError
from workflows.goals import require_pmo_lead
from workflows.outgoing import Outgoing
from workflows.periods import zone


@dataclass(frozen=True)
class ExportedTable:
    """One file written: its name and how many rows it holds (its header aside)."""

    filename: str
    rows: int


@dataclass(frozen=True)
class ExportArchive:
    """The zip of every table, to share with the PMO lead who asked."""

    team_id: str
    filename: str
    data: bytes
    tables: list[ExportedTable]

    @property
    def rows(self) -> int:
        """Rows in all its files."""
        return sum(table.rows for table in self.tables)


@dataclass(frozen=True)
class ExportShared:
    """`/pmo export`: the archive and the direct message that carries it."""

    archive: ExportArchive
    messages: list[Outgoing]


def cell(value: Any) -> str:
    """One value as CSV text: empty for none, ISO 8601 for moments and days, JSON for
    lists and details, every other value as stored."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def write_table(*, session: Session, table: ExportTable, team_id: str, stream: IO[str]) -> int:
    """Write the workspace's rows of `table` as CSV (header first) to `stream`, opened
    with `newline=""`; the number of rows written."""
    writer = csv.writer(stream)
    writer.writerow(table.columns)
    count = 0
    for row in table_rows(session=session, table=table, team_id=team_id):
        writer.writerow([cell(value) for value in row])
        count += 1
    return count


def workspace_to_export(*, session: Session, team_id: str | None) -> str:
    """The workspace an export is of: the one named, else the only one there is."""
    known = team_ids(session=session)
    if team_id is not None:
        if team_id not in known:
            raise PmoError(f"no workspace {team_id} in this database (it has: {_listed(known)})")
        return team_id
    if not known:
        raise PmoError("this database holds no workspace yet: nothing to export")
    if len(known) > 1:
        raise PmoError(f"this database holds {len(known)} workspaces: {_listed(known)}")
    return known[0]


def export_archive(*, session: Session, team_id: str, filename: str) -> ExportArchive:
    """Every table of the workspace as a CSV file in one zip, built in memory."""
    buffer = io.BytesIO()
    written: list[ExportedTable] = []
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in EXPORT_TABLES:
            with (
                archive.open(table.filename, "w") as raw,
                io.TextIOWrapper(raw, encoding="utf-8", newline="") as stream,
            ):
                rows = write_table(session=session, table=table, team_id=team_id, stream=stream)
            written.append(ExportedTable(table.filename, rows))
    return ExportArchive(team_id, filename, buffer.getvalue(), written)


def share_export(*, session: Session, actor: Actor, now: datetime) -> ExportShared:
    """The workspace's tables as a zip, sent to the PMO lead who asked in their direct
    messages with the bot (PMO leads only: the audit trail names everyone)."""
    workspace = ensure_workspace(session=session, team_id=actor.team_id)
    require_pmo_lead(workspace, actor.user_id, "export the workspace's data")
    day = now.astimezone(zone(workspace.time_zone)).date()
    filename = f"pmo-export-{actor.team_id}-{day.isoformat()}.zip"
    archive = export_archive(session=session, team_id=actor.team_id, filename=filename)
    message = Outgoing(
        team_id=actor.team_id,
        key=message_keys.export_archive(actor.user_id, now),
        to=actor.user_id,
        content=archive,
    )
    return ExportShared(archive=archive, messages=[message])


def _listed(team_ids: list[str]) -> str:
    return ", ".join(team_ids) if team_ids else "none"
