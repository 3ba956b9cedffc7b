"""Outbox files: a message may be a file to share (the digest's chart), bytes and all.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

COLUMNS = ("file_name", "file_title", "file_alt_text", "file_data", "file_id")


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("file_name", sa.String(200)))
        batch.add_column(sa.Column("file_title", sa.String(250)))
        batch.add_column(sa.Column("file_alt_text", sa.String(1000)))
        batch.add_column(sa.Column("file_data", sa.LargeBinary()))
        batch.add_column(sa.Column("file_id", sa.String(32)))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        for name in reversed(COLUMNS):
            batch.drop_column(name)
