"""Capacity: people's hours, skills and cost; allocations; requests for people; the
over-allocated weeks already reported; the status update's word on team capacity.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _team_column() -> sa.Column:
    return sa.Column(
        "team_id",
        sa.String(32),
        sa.ForeignKey(
            "workspaces.team_id",
            ondelete="CASCADE",
            name=None,
        ),
        nullable=False,
    )


def _project_column() -> sa.Column:
    return sa.Column(
        "project_id", sa.Integer(), sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False
    )


def upgrade() -> None:
    with op.batch_alter_table("workspaces") as batch:
        batch.add_column(
            sa.Column("overallocation_threshold", sa.Integer(), nullable=False, server_default="10")
        )
        batch.add_column(sa.Column("resource_channel", sa.String(32)))
    with op.batch_alter_table("people") as batch:
        batch.add_column(
            sa.Column("capacity_hours", sa.Numeric(6, 2), nullable=False, server_default="40")
        )
        batch.add_column(sa.Column("skills", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("cost_rate", sa.Numeric(12, 2)))
    with op.batch_alter_table("status_updates") as batch:
        batch.add_column(sa.Column("team_capacity", sa.String(16)))

    op.create_table(
        "resource_requests",
        sa.Column("id", sa.Integer(), primary_key=True),
        _team_column(),
        _project_column(),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("skill", sa.String(40), nullable=False),
        sa.Column("hours_per_week", sa.Numeric(6, 2), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.String(32), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("proposed", sa.JSON(), nullable=False),
        sa.Column("assigned_to", sa.String(32)),
        sa.Column("decided_by", sa.String(32)),
        sa.Column("decided_at", sa.DateTime()),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.UniqueConstraint("project_id", "number"),
    )
    op.create_index("ix_resource_requests_team_id", "resource_requests", ["team_id"])
    op.create_index("ix_resource_requests_project_id", "resource_requests", ["project_id"])
    op.create_index("ix_resource_requests_status", "resource_requests", ["status"])

    op.create_table(
        "allocations",
        sa.Column("id", sa.Integer(), primary_key=True),
        _team_column(),
        _project_column(),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("hours_per_week", sa.Numeric(6, 2)),
        sa.Column("percent", sa.Integer()),
        sa.Column("created_by", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column(
            "request_id",
            sa.Integer(),
            sa.ForeignKey("resource_requests.id", ondelete="SET NULL"),
        ),
    )
    op.create_index("ix_allocations_team_id", "allocations", ["team_id"])
    op.create_index("ix_allocations_project_id", "allocations", ["project_id"])
    op.create_index("ix_allocations_team_id_user_id", "allocations", ["team_id", "user_id"])

    op.create_table(
        "capacity_alerts",
        sa.Column("id", sa.Integer(), primary_key=True),
        _team_column(),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("team_id", "user_id", "week"),
    )
    op.create_index("ix_capacity_alerts_team_id", "capacity_alerts", ["team_id"])


def downgrade() -> None:
    op.drop_table("capacity_alerts")
    op.drop_table("allocations")
    op.drop_table("resource_requests")
    with op.batch_alter_table("status_updates") as batch:
        batch.drop_column("team_capacity")
    with op.batch_alter_table("people") as batch:
        batch.drop_column("cost_rate")
        batch.drop_column("skills")
        batch.drop_column("capacity_hours")
    with op.batch_alter_table("workspaces") as batch:
        batch.drop_column("resource_channel")
        batch.drop_column("overallocation_threshold")
