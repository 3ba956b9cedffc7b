"""Finding lessons learned: full-text search, ranked, on either database; the newest; and
those whose tags match some words.

The search indexes are made by migration 0013, not by the models: on SQLite an FTS5 table
`lessons_fts` kept in step with `lessons` by triggers (ranked by bm25), on PostgreSQL a
GIN index on the lesson's English text vector (ranked by ts_rank). What a person types is
never search syntax: it is cut into words, and on SQLite each word is quoted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import text
from sqlmodel import Session, col, select

from storage.models import Lesson, Project

# The same expression as the index of migration 0013, so PostgreSQL can use it.
POSTGRES_DOCUMENT = (
    "to_tsvector('english', title || ' ' || what_happened || ' ' || recommendation"
    " || ' ' || tags::text)"
)
WORD = re.compile(r"\w+")
# Words of a search kept at most (a longer query finds nothing more useful).
WORDS_MAX = 20

Found = tuple[Lesson, Project | None]


def search_words(query: str) -> list[str]:
    """The words of what was typed, lower case, without punctuation or search syntax."""
    return list(dict.fromkeys(w.lower() for w in WORD.findall(query)))[:WORDS_MAX]


def search(*, session: Session, team_id: str, query: str, limit: int = 10) -> list[Found]:
    """The workspace's lessons that contain every word of `query`, best match first (with
    their projects); none when the query has no words."""
    words = search_words(query)
    if not words:
        return []
    if session.get_bind().dialect.name == "sqlite":
        statement = text(
            "SELECT lessons.id FROM lessons_fts JOIN lessons ON lessons.id = lessons_fts.rowid "
            "WHERE lessons_fts MATCH :match AND lessons.team_id = :team "
            "ORDER BY bm25(lessons_fts), lessons.id DESC LIMIT :limit"
        )
        # Each word a quoted string: FTS5 reads no operator, prefix or column filter in it.
        match = " ".join('"' + word.replace('"', '""') + '"' for word in words)
        params: dict[str, object] = {"match": match, "team": team_id, "limit": limit}
    else:
        statement = text(
            f"SELECT id FROM lessons WHERE team_id = :team AND {POSTGRES_DOCUMENT} "
            "@@ plainto_tsquery('english', :query) ORDER BY ts_rank("
            f"{POSTGRES_DOCUMENT}, plainto_tsquery('english', :query)) DESC, id DESC LIMIT :limit"
        )
        params = {"query": " ".join(words), "team": team_id, "limit": limit}
    ids = [row[0] for row in session.connection().execute(statement, params)]
    return _with_projects(session, team_id, ids)


def newest(*, session: Session, team_id: str, limit: int = 10) -> list[Found]:
    """The workspace's most recent lessons, newest first."""
    statement = (
        select(Lesson.id)
        .where(Lesson.team_id == team_id)
        .order_by(col(Lesson.created_at).desc(), col(Lesson.id).desc())
        .limit(limit)
    )
    return _with_projects(session, team_id, [i for i in session.exec(statement) if i])


def tagged(*, session: Session, team_id: str, words: Iterable[str], limit: int = 3) -> list[Found]:
    """Up to `limit` lessons with a tag among `words`, those sharing most tags first, then
    the newest. (Tags are a JSON list: compared here, the same on both databases.)"""
    wanted = {w.lower() for w in words}
    if not wanted:
        return []
    statement = (
        select(Lesson)
        .where(Lesson.team_id == team_id)
        .order_by(col(Lesson.created_at).desc(), col(Lesson.id).desc())
    )
    scored = [(len(wanted & set(lesson.tags)), lesson) for lesson in session.exec(statement)]
    best = sorted((s for s in scored if s[0]), key=lambda s: -s[0])[:limit]
    return _with_projects(session, team_id, [lesson.id for _, lesson in best if lesson.id])


def _with_projects(session: Session, team_id: str, ids: list[int]) -> list[Found]:
    # One statement for the lessons and their projects, handed back in the order of `ids`.
    if not ids:
        return []
    statement = (
        select(Lesson, Project)
        .join(Project, col(Project.id) == col(Lesson.project_id), isouter=True)
        .where(Lesson.team_id == team_id, col(Lesson.id).in_(ids))
    )
    found = {lesson.id: (lesson, project) for lesson, project in session.exec(statement)}
    return [found[i] for i in ids if i in found]
