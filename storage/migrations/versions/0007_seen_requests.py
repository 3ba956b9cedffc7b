"""Seen requests: Slack requests already handled, so a replay or a retry is handled once.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "seen_requests",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("team_id", sa.String(32)),
        sa.Column("seen_at", sa.DateTime(), nullable=False, index=True),
        sa.PrimaryKeyConstraint("key", name="pk_seen_requests"),
    )


def downgrade() -> None:
    op.drop_table("seen_requests")
