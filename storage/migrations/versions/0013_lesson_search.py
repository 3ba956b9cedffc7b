"""Lessons learned become searchable: an FTS5 index on SQLite, a full-text GIN index on
PostgreSQL. Neither is a model: storage/lesson_search.py queries them by name.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

COLUMNS = "title, what_happened, recommendation, tags"
NEW = "new.id, new.title, new.what_happened, new.recommendation, new.tags"
OLD = "old.id, old.title, old.what_happened, old.recommendation, old.tags"
# Kept in step with storage/lesson_search.py, whose query must repeat it to use the index.
POSTGRES_DOCUMENT = (
    "to_tsvector('english', title || ' ' || what_happened || ' ' || recommendation"
    " || ' ' || tags::text)"
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_upgrade()
    else:
        op.execute(f"CREATE INDEX ix_lessons_search ON lessons USING GIN ({POSTGRES_DOCUMENT})")


def _sqlite_upgrade() -> None:
    # External content: the text stays in `lessons`; the triggers keep the index in step.
    op.execute(
        f"CREATE VIRTUAL TABLE lessons_fts USING fts5({COLUMNS}, content='lessons', "
        "content_rowid='id', tokenize='porter unicode61')"
    )
    op.execute(
        "CREATE TRIGGER lessons_fts_insert AFTER INSERT ON lessons BEGIN "
        f"INSERT INTO lessons_fts(rowid, {COLUMNS}) VALUES ({NEW}); END"
    )
    op.execute(
        "CREATE TRIGGER lessons_fts_delete AFTER DELETE ON lessons BEGIN "
        f"INSERT INTO lessons_fts(lessons_fts, rowid, {COLUMNS}) VALUES ('delete', {OLD}); END"
    )
    op.execute(
        "CREATE TRIGGER lessons_fts_update AFTER UPDATE ON lessons BEGIN "
        f"INSERT INTO lessons_fts(lessons_fts, rowid, {COLUMNS}) VALUES ('delete', {OLD}); "
        f"INSERT INTO lessons_fts(rowid, {COLUMNS}) VALUES ({NEW}); END"
    )
    op.execute("INSERT INTO lessons_fts(lessons_fts) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS lessons_fts_{trigger}")
        op.execute("DROP TABLE IF EXISTS lessons_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_lessons_search")
