"""Scheduler: workspace digest and nudge settings, paused people, the scheduler lease.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _workspace_columns() -> list[sa.Column]:
    return [
        sa.Column("digest_channel", sa.String(32)),
        sa.Column("digest_leaders", sa.JSON(), nullable=False, server_default="[]"),
        sa.Column("digest_weekday", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("digest_time", sa.String(5), nullable=False, server_default="09:00"),
        sa.Column("default_cadence", sa.String(16), nullable=False, server_default="weekly"),
        sa.Column("quiet_start", sa.String(5), nullable=False, server_default="19:00"),
        sa.Column("quiet_end", sa.String(5), nullable=False, server_default="08:00"),
        sa.Column("nudge_style", sa.String(8), nullable=False, server_default="gentle"),
        sa.Column("pmo_leads", sa.JSON(), nullable=False, server_default="[]"),
    ]


def upgrade() -> None:
    with op.batch_alter_table("workspaces") as batch:
        for column in _workspace_columns():
            batch.add_column(column)
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("paused_until", sa.Date()))
    op.create_table(
        "scheduler_leases",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("holder", sa.String(100), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_scheduler_leases"),
    )


def downgrade() -> None:
    op.drop_table("scheduler_leases")
    with op.batch_alter_table("people") as batch:
        batch.drop_column("paused_until")
    with op.batch_alter_table("workspaces") as batch:
        for column in reversed(_workspace_columns()):
            batch.drop_column(column.name)
