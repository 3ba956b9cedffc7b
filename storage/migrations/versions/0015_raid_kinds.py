"""The RAID log's longer kinds: "assumption" and "decision" need more than 8 characters.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("risks") as batch:
        batch.alter_column("kind", type_=sa.String(16), existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("risks") as batch:
        batch.alter_column("kind", type_=sa.String(8), existing_nullable=False)
