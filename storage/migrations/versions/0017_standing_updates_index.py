"""An index on each project's standing updates in order (the newest of each project, and
since when it has been as it is: storage/watchlist.py), so "Needs attention" reads them
without sorting a large portfolio's history.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

STANDING = "superseded_by_id IS NULL"


def upgrade() -> None:
    op.create_index(
        "ix_status_updates_standing",
        "status_updates",
        ["team_id", "project_id", "created_at", "id"],
        sqlite_where=sa.text(STANDING),
        postgresql_where=sa.text(STANDING),
    )


def downgrade() -> None:
    op.drop_index("ix_status_updates_standing", table_name="status_updates")
