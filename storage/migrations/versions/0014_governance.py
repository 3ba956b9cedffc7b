"""Configurable governance and data out: project types (each workspace's lifecycle), the
RAID log's decisions, and API tokens for BI tools.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def _team() -> sa.Column:
    return sa.Column(
        "team_id",
        sa.String(32),
        sa.ForeignKey("workspaces.team_id", ondelete="CASCADE"),
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "project_types",
        sa.Column("id", sa.Integer(), primary_key=True),
        _team(),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("phases", sa.JSON(), nullable=False),
        sa.Column("checklists", sa.JSON(), nullable=False),
        sa.Column("gate_rule", sa.String(8), nullable=False),
        sa.Column("gate_sla_days", sa.Integer(), nullable=False),
        sa.Column("dimensions", sa.JSON(), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("team_id", "name"),
    )
    op.create_index("ix_project_types_team_id", "project_types", ["team_id"])
    with op.batch_alter_table("projects") as batch:
        batch.add_column(
            sa.Column(
                "type_id",
                sa.Integer(),
                sa.ForeignKey(
                    "project_types.id",
                    ondelete="RESTRICT",
                    name="fk_projects_type_id_project_types",
                ),
            )
        )
        batch.create_index("ix_projects_type_id", ["type_id"])
    with op.batch_alter_table("risks") as batch:
        batch.add_column(sa.Column("decided_by", sa.String(32)))
        batch.add_column(sa.Column("options", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("rationale", sa.Text(), nullable=False, server_default=""))
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), primary_key=True),
        _team(),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_by", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime()),
        sa.Column("last_used_at", sa.DateTime()),
    )
    op.create_index("ix_api_tokens_team_id", "api_tokens", ["team_id"])


def downgrade() -> None:
    op.drop_table("api_tokens")
    with op.batch_alter_table("risks") as batch:
        batch.drop_column("rationale")
        batch.drop_column("options")
        batch.drop_column("decided_by")
    with op.batch_alter_table("projects") as batch:
        batch.drop_index("ix_projects_type_id")
        batch.drop_constraint("fk_projects_type_id_project_types", type_="foreignkey")
        batch.drop_column("type_id")
    op.drop_table("project_types")
