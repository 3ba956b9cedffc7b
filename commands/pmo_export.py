"""`/pmo export`: the workspace's tables as CSV files in a zip, sent to the PMO lead who
asked in their direct messages with the bot (workflows/export.py builds it)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from commands.upload import Upload
from workflows.errors import PmoError
from workflows.export import ExportArchive, share_export
from workflows.wording import count

if TYPE_CHECKING:
    from commands.pmo import PmoAsk

USAGE = "/pmo export"


def send_export(ask: PmoAsk) -> None:
    """Build the zip and queue it for the person's direct messages (PMO leads only)."""
    if ask.rest:
        raise PmoError(f"The export takes no more words: `{USAGE}`.")
    shared = ask.delivery.perform(partial(share_export, actor=ask.actor))
    archive = shared.archive
    ask.respond(
        text=f":package: The export ({count(len(archive.tables), 'CSV file')}, "
        f"{count(archive.rows, 'row')}) "
        f"is on its way to your direct messages with me as `{archive.filename}`."
    )


def archive_upload(archive: ExportArchive) -> Upload:
    """The zip as the file to share (its builder in commands/rendering.py)."""
    files = ", ".join(f"{t.filename} ({t.rows:,})" for t in archive.tables)
    return Upload(
        filename=archive.filename,
        data=archive.data,
        alt_text=f"CSV export of workspace {archive.team_id}: {count(len(archive.tables), 'file')}",
        title=f"PMO export · {archive.team_id}",
        initial_comment=f"Your CSV export (UTF-8, rows per file): {files}",
    )
