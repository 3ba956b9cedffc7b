"""Kudos: thank-yous between people.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kudos",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "team_id",
            sa.String(32),
            sa.ForeignKey("workspaces.team_id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("giver", sa.String(32), nullable=False),
        sa.Column("receivers", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("channel_id", sa.String(32)),
        sa.Column("created_at", sa.DateTime(), nullable=False, index=True),
        sa.PrimaryKeyConstraint("id", name="pk_kudos"),
    )


def downgrade() -> None:
    op.drop_table("kudos")
