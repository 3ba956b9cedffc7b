"""Indexes for what every form asks in a large workspace: the project of a channel (by
workspace and channel) and the roles one person holds (by workspace and person). Without
them, with 10,000 projects, the status form's picker read every role of the workspace
(10 ms on SQLite, 18 ms on PostgreSQL) and the channel's project every project (2 ms).

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_projects_team_id_channel_id", "projects", ["team_id", "channel_id"])
    op.create_index("ix_project_roles_team_id_user_id", "project_roles", ["team_id", "user_id"])


def downgrade() -> None:
    op.drop_index("ix_project_roles_team_id_user_id", table_name="project_roles")
    op.drop_index("ix_projects_team_id_channel_id", table_name="projects")
