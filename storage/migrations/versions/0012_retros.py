"""Continuous improvement: retrospectives, their contributions (anonymous ones without an
author), improvement actions, lessons learned, and a project's retro cadence.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def _team() -> sa.Column:
    return sa.Column(
        "team_id",
        sa.String(32),
        sa.ForeignKey("workspaces.team_id", ondelete="CASCADE"),
        nullable=False,
    )


def _reference(
    name: str, table: str, *, nullable: bool = False, ondelete: str = "CASCADE"
) -> sa.Column:
    return sa.Column(
        name, sa.Integer(), sa.ForeignKey(f"{table}.id", ondelete=ondelete), nullable=nullable
    )


def upgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.add_column(sa.Column("retro_every_weeks", sa.Integer()))
    op.create_table(
        "retros",
        sa.Column("id", sa.Integer(), primary_key=True),
        _team(),
        _reference("project_id", "projects"),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("facilitator", sa.String(32), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("closes_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reminded_at", sa.DateTime()),
        sa.Column("summarised_at", sa.DateTime()),
        sa.UniqueConstraint("project_id", "number"),
    )
    for column in ("team_id", "project_id", "closes_at", "status"):
        op.create_index(f"ix_retros_{column}", "retros", [column])
    op.create_table(
        "retro_items",
        sa.Column("id", sa.Integer(), primary_key=True),
        _team(),
        _reference("retro_id", "retros"),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(32)),
        sa.Column("given_on", sa.Date(), nullable=False),
    )
    for column in ("team_id", "retro_id"):
        op.create_index(f"ix_retro_items_{column}", "retro_items", [column])
    op.create_table(
        "retro_actions",
        sa.Column("id", sa.Integer(), primary_key=True),
        _team(),
        _reference("project_id", "projects"),
        _reference("retro_id", "retros"),
        _reference("item_id", "retro_items", nullable=True, ondelete="SET NULL"),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("owner", sa.String(32), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime()),
    )
    for column in ("team_id", "project_id", "retro_id", "owner", "status"):
        op.create_index(f"ix_retro_actions_{column}", "retro_actions", [column])
    op.create_table(
        "lessons",
        sa.Column("id", sa.Integer(), primary_key=True),
        _team(),
        _reference("project_id", "projects", nullable=True, ondelete="SET NULL"),
        _reference("item_id", "retro_items", nullable=True, ondelete="SET NULL"),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("what_happened", sa.Text(), nullable=False),
        sa.Column("recommendation", sa.Text(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    for column in ("team_id", "project_id"):
        op.create_index(f"ix_lessons_{column}", "lessons", [column])


def downgrade() -> None:
    for table in ("lessons", "retro_actions", "retro_items", "retros"):
        op.drop_table(table)
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("retro_every_weeks")
