"""Configurable governance and data out: project types (each workspace's lifecycle), the
RAID log's decisions, and API tokens for BI tools.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-28
"""

from __future__ import annotations

from datetime import UTC, datetime

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


# The lifecycle every workspace had until now, frozen here as it was: it becomes each
# workspace's default type, "Standard", and every existing project's type.
STANDARD_CHECKLISTS = {
    "Plan": [
        {"item": "Business case approved by the sponsor", "required": True},
        {"item": "Objectives and scope agreed", "required": True},
        {"item": "Key stakeholders identified", "required": False},
    ],
    "Execute": [
        {"item": "Plan and schedule baselined", "required": True},
        {"item": "Budget approved", "required": True},
        {"item": "Team and resources committed", "required": True},
        {"item": "Risk register reviewed", "required": False},
    ],
    "Close": [
        {"item": "Deliverables accepted by the sponsor", "required": True},
        {"item": "Handover to operations complete", "required": True},
        {"item": "Lessons learned captured", "required": False},
    ],
}
DIMENSIONS = ["schedule", "scope", "budget", "resources"]


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
    _give_workspaces_the_standard_type()
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


def _give_workspaces_the_standard_type() -> None:
    # Each workspace known so far gets "Standard" from its own phases; its projects get it.
    connection = op.get_bind()
    workspaces = sa.table("workspaces", sa.column("team_id"), sa.column("phases", sa.JSON()))
    types = sa.table(
        "project_types",
        sa.column("id", sa.Integer()),
        sa.column("team_id"),
        sa.column("name"),
        sa.column("phases", sa.JSON()),
        sa.column("checklists", sa.JSON()),
        sa.column("gate_rule"),
        sa.column("gate_sla_days", sa.Integer()),
        sa.column("dimensions", sa.JSON()),
        sa.column("is_default", sa.Boolean()),
        sa.column("created_by"),
        sa.column("created_at", sa.DateTime()),
    )
    projects = sa.table("projects", sa.column("team_id"), sa.column("type_id", sa.Integer()))
    now = datetime.now(UTC).replace(tzinfo=None)
    for team_id, phases in connection.execute(sa.select(workspaces.c.team_id, workspaces.c.phases)):
        phases = list(phases or [])
        connection.execute(
            types.insert().values(
                team_id=team_id,
                name="Standard",
                phases=phases,
                checklists={p: STANDARD_CHECKLISTS[p] for p in phases if p in STANDARD_CHECKLISTS},
                gate_rule="all",
                gate_sla_days=2,
                dimensions=DIMENSIONS,
                is_default=True,
                created_by="pmo-bot",
                created_at=now,
            )
        )
        type_id = connection.execute(
            sa.select(types.c.id).where(types.c.team_id == team_id, types.c.is_default)
        ).scalar_one()
        connection.execute(
            projects.update().where(projects.c.team_id == team_id).values(type_id=type_id)
        )


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
