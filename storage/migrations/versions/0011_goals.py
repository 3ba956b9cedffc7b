"""Strategic alignment: goals and their measure check-ins, the goals a project serves,
its expected benefits, dependencies between projects, and the ranking's weights.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

WEIGHTS = '{"goal": 40, "health": 30, "budget": 15, "risk": 15}'


def _team() -> sa.Column:
    return sa.Column(
        "team_id",
        sa.String(32),
        sa.ForeignKey("workspaces.team_id", ondelete="CASCADE"),
        nullable=False,
    )


def _project(name: str = "project_id") -> sa.Column:
    return sa.Column(
        name, sa.Integer(), sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False
    )


def _goal() -> sa.Column:
    return sa.Column(
        "goal_id", sa.Integer(), sa.ForeignKey("goals.id", ondelete="CASCADE"), nullable=False
    )


def upgrade() -> None:
    with op.batch_alter_table("workspaces") as batch:
        batch.add_column(
            sa.Column("priority_weights", sa.JSON(), nullable=False, server_default=WEIGHTS)
        )
    op.create_table(
        "goals",
        sa.Column("id", sa.Integer(), primary_key=True),
        _team(),
        sa.Column("key", sa.String(10), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("owner", sa.String(32), nullable=False),
        sa.Column("target_date", sa.Date()),
        sa.Column("measure", sa.String(100), nullable=False),
        sa.Column("unit", sa.String(20), nullable=False),
        sa.Column("baseline", sa.Numeric(16, 4)),
        sa.Column("target", sa.Numeric(16, 4)),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("team_id", "key"),
    )
    op.create_index("ix_goals_team_id", "goals", ["team_id"])
    op.create_table(
        "goal_checkins",
        sa.Column("id", sa.Integer(), primary_key=True),
        _team(),
        _goal(),
        sa.Column("value", sa.Numeric(16, 4), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("author", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_goal_checkins_team_id", "goal_checkins", ["team_id"])
    op.create_index("ix_goal_checkins_goal_id", "goal_checkins", ["goal_id"])
    op.create_table(
        "project_goals",
        sa.Column("id", sa.Integer(), primary_key=True),
        _team(),
        _project(),
        _goal(),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.UniqueConstraint("project_id", "goal_id"),
    )
    for column in ("team_id", "project_id", "goal_id"):
        op.create_index(f"ix_project_goals_{column}", "project_goals", [column])
    op.create_table(
        "benefits",
        sa.Column("id", sa.Integer(), primary_key=True),
        _team(),
        _project(),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("measure", sa.String(100), nullable=False),
        sa.Column("unit", sa.String(20), nullable=False),
        sa.Column("target", sa.Numeric(16, 4), nullable=False),
        sa.Column("realise_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("realised", sa.Numeric(16, 4)),
        sa.Column("recorded_by", sa.String(32)),
        sa.Column("recorded_at", sa.DateTime()),
        sa.Column("created_by", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    for column in ("team_id", "project_id", "status"):
        op.create_index(f"ix_benefits_{column}", "benefits", [column])
    op.create_table(
        "dependencies",
        sa.Column("id", sa.Integer(), primary_key=True),
        _team(),
        _project("downstream_id"),
        _project("upstream_id"),
        sa.Column("deliverable", sa.String(200), nullable=False),
        sa.Column("need_by", sa.Date(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_by", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    for column in ("team_id", "downstream_id", "upstream_id", "status"):
        op.create_index(f"ix_dependencies_{column}", "dependencies", [column])


def downgrade() -> None:
    for table in ("dependencies", "benefits", "project_goals", "goal_checkins", "goals"):
        op.drop_table(table)
    with op.batch_alter_table("workspaces") as batch:
        batch.drop_column("priority_weights")
