"""Stage gates: requests, their approvers and decisions; project gate rules; outbox links.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _team_id() -> sa.Column:
    return sa.Column(
        "team_id",
        sa.String(32),
        sa.ForeignKey("workspaces.team_id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )


def _gate_id() -> sa.Column:
    return sa.Column(
        "gate_id",
        sa.Integer(),
        sa.ForeignKey("gates.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )


def upgrade() -> None:
    op.create_table(
        "gates",
        sa.Column("id", sa.Integer(), primary_key=True),
        _team_id(),
        sa.Column(
            "project_id",
            sa.Integer(),
            sa.ForeignKey("projects.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("from_phase", sa.String(50), nullable=False),
        sa.Column("to_phase", sa.String(50), nullable=False),
        sa.Column("requested_by", sa.String(32), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("checklist", sa.JSON(), nullable=False),
        sa.Column("rule", sa.String(8), nullable=False),
        sa.Column("required", sa.Integer(), nullable=False),
        sa.Column("reject_ends", sa.Boolean(), nullable=False),
        sa.Column("sla_days", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("decided_at", sa.DateTime()),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("reminded_at", sa.DateTime()),
        sa.Column("escalated_at", sa.DateTime()),
        sa.PrimaryKeyConstraint("id", name="pk_gates"),
        sa.UniqueConstraint("project_id", "number", name="uq_gates_project_id_number"),
    )
    op.create_index(
        "uq_gates_one_pending",
        "gates",
        ["project_id"],
        unique=True,
        sqlite_where=sa.text("status = 'pending'"),
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_table(
        "gate_approvers",
        sa.Column("id", sa.Integer(), primary_key=True),
        _team_id(),
        _gate_id(),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_gate_approvers"),
        sa.UniqueConstraint("gate_id", "user_id", name="uq_gate_approvers_gate_id_user_id"),
    )
    op.create_table(
        "gate_decisions",
        sa.Column("id", sa.Integer(), primary_key=True),
        _team_id(),
        _gate_id(),
        sa.Column("approver", sa.String(32), nullable=False),
        sa.Column("verdict", sa.String(8), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_gate_decisions"),
        sa.UniqueConstraint("gate_id", "approver", name="uq_gate_decisions_gate_id_approver"),
    )
    with op.batch_alter_table("projects") as batch:
        batch.add_column(sa.Column("gate_rule", sa.String(8), nullable=False, server_default="all"))
        batch.add_column(
            sa.Column(
                "gate_pm_may_approve", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch.add_column(
            sa.Column("gate_reject_ends", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch.add_column(
            sa.Column("gate_sla_days", sa.Integer(), nullable=False, server_default="2")
        )
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("link_key", sa.String(200)))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("link_key")
    with op.batch_alter_table("projects") as batch:
        for name in ("gate_sla_days", "gate_reject_ends", "gate_pm_may_approve", "gate_rule"):
            batch.drop_column(name)
    op.drop_table("gate_decisions")
    op.drop_table("gate_approvers")
    op.drop_index("uq_gates_one_pending", table_name="gates")
    op.drop_table("gates")
