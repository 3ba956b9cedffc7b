"""Status updates, each project's status cadence and the workspace's due weekday.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "status_updates",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "team_id",
            sa.String(32),
            sa.ForeignKey("workspaces.team_id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column(
            "project_id",
            sa.Integer(),
            sa.ForeignKey("projects.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("period", sa.String(16), nullable=False),
        sa.Column("author", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False, index=True),
        sa.Column("overall", sa.String(8), nullable=False),
        sa.Column("schedule", sa.String(8), nullable=False),
        sa.Column("scope", sa.String(8), nullable=False),
        sa.Column("budget", sa.String(8), nullable=False),
        sa.Column("resources", sa.String(8), nullable=False),
        sa.Column("percent_complete", sa.Integer()),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("accomplishments", sa.Text(), nullable=False),
        sa.Column("next_steps", sa.Text(), nullable=False),
        sa.Column("blockers", sa.Text(), nullable=False),
        sa.Column("path_to_green", sa.Text(), nullable=False),
        sa.Column("spent_to_date", sa.Numeric(16, 2)),
        sa.Column("forecast_at_completion", sa.Numeric(16, 2)),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column(
            "superseded_by_id",
            sa.Integer(),
            sa.ForeignKey(
                "status_updates.id", name="fk_status_updates_superseded_by_id_status_updates"
            ),
        ),
        sa.PrimaryKeyConstraint("id", name="pk_status_updates"),
    )
    op.create_index(
        "uq_status_updates_current",
        "status_updates",
        ["project_id", "period"],
        unique=True,
        sqlite_where=sa.text("superseded_by_id IS NULL"),
        postgresql_where=sa.text("superseded_by_id IS NULL"),
    )
    with op.batch_alter_table("projects") as batch:
        batch.add_column(
            sa.Column("status_cadence", sa.String(16), nullable=False, server_default="weekly")
        )
    with op.batch_alter_table("workspaces") as batch:
        batch.add_column(
            sa.Column("status_due_weekday", sa.Integer(), nullable=False, server_default="4")
        )


def downgrade() -> None:
    with op.batch_alter_table("workspaces") as batch:
        batch.drop_column("status_due_weekday")
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("status_cadence")
    op.drop_index("uq_status_updates_current", table_name="status_updates")
    op.drop_table("status_updates")
