"""The RAID log: risks and issues, and the workspace's severity bands.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "risks",
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
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("probability", sa.Integer(), nullable=False),
        sa.Column("impact", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False, index=True),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("owner", sa.String(32), index=True),
        sa.Column("mitigation", sa.Text(), nullable=False),
        sa.Column("review_date", sa.Date()),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("resolution", sa.Text(), nullable=False),
        sa.Column("raised_by", sa.String(32), nullable=False),
        sa.Column(
            "source_risk_id",
            sa.Integer(),
            sa.ForeignKey("risks.id", name="fk_risks_source_risk_id_risks"),
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime()),
        sa.PrimaryKeyConstraint("id", name="pk_risks"),
        sa.UniqueConstraint("project_id", "number", name="uq_risks_project_id_number"),
    )
    with op.batch_alter_table("workspaces") as batch:
        for name, default in (
            ("risk_medium_from", "6"),
            ("risk_high_from", "12"),
            ("risk_critical_from", "20"),
        ):
            batch.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default=default))


def downgrade() -> None:
    with op.batch_alter_table("workspaces") as batch:
        for name in ("risk_critical_from", "risk_high_from", "risk_medium_from"):
            batch.drop_column(name)
    op.drop_table("risks")
