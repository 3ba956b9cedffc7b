"""Outbox for many replicas: the request id of each message, the channel slots every
deliverer books (pacing shared by all processes), and an index on each channel's waiting
messages (per-channel order across deliverers).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

WAITING = "status IN ('pending', 'sending')"


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("request_id", sa.String(32)))
    op.create_index(
        "ix_outbox_channel_waiting",
        "outbox",
        ["team_id", "channel", "id"],
        sqlite_where=sa.text(WAITING),
        postgresql_where=sa.text(WAITING),
    )
    op.create_table(
        "channel_slots",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "team_id",
            sa.String(32),
            sa.ForeignKey("workspaces.team_id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("free_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_channel_slots"),
        sa.UniqueConstraint("team_id", "channel", name="uq_channel_slots_team_id_channel"),
    )


def downgrade() -> None:
    op.drop_table("channel_slots")
    op.drop_index("ix_outbox_channel_waiting", table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("request_id")
