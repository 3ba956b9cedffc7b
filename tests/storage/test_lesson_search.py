"""Lesson search on both databases: ranked matches, the workspace's own lessons only, an
index kept in step with changes, and typed text that is never search syntax."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from storage import lesson_search
from storage.models import Lesson
from storage.workspaces import ensure_workspace
from tests.factories import OTHER_TEAM, TEAM, make_project

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
KEYS = itertools.count(1)


def add_lesson(database, title, what, recommendation="Plan ahead.", tags=(), team=TEAM, age=0):
    project = make_project(database, team_id=team, key=f"P{next(KEYS)}", channel_id=None)
    with database.session() as session:
        lesson = Lesson(
            team_id=team,
            project_id=project.id,
            title=title,
            what_happened=what,
            recommendation=recommendation,
            tags=list(tags),
            created_by="UPM000001",
            created_at=NOW - timedelta(days=age),
        )
        session.add(lesson)
        session.flush()
        return lesson.id


def titles(found):
    return [lesson.title for lesson, _ in found]


def search(database, query, team=TEAM):
    with database.session() as session:
        return titles(lesson_search.search(session=session, team_id=team, query=query))


def test_the_best_match_comes_first_with_its_project(database):
    add_lesson(database, "Staffing gaps", "The vendor sent one person late; we waited.")
    add_lesson(database, "Vendor lock-in", "The vendor contract tied us to the vendor's vendor.")
    add_lesson(database, "Release nights", "Releases on Friday nights went badly.")
    assert search(database, "vendor") == ["Vendor lock-in", "Staffing gaps"]
    with database.session() as session:
        [(lesson, project)] = lesson_search.search(session=session, team_id=TEAM, query="friday")
    assert project is not None and project.id == lesson.project_id


def test_every_word_must_match_and_words_are_stemmed(database):
    add_lesson(database, "Vendor lock-in", "Contracts with a single vendor.")
    add_lesson(database, "Vendor speed", "The vendor was fast.")
    assert search(database, "vendor contract") == ["Vendor lock-in"]
    assert sorted(search(database, "VENDORS")) == ["Vendor lock-in", "Vendor speed"]


def test_tags_are_searched_too(database):
    add_lesson(database, "Late sign-off", "Legal took weeks.", tags=["procurement"])
    assert search(database, "procurement") == ["Late sign-off"]


@pytest.mark.parametrize(
    "query",
    ['"', "AND OR", "*", "NOT", "NEAR(", "title:vendor", "'; DROP TABLE lessons; --", 'a"b*c', ""],
)
def test_typed_text_is_never_search_syntax(database, query):
    add_lesson(database, "Vendor lock-in", "Contracts with a single vendor.")
    search(database, query)  # no error, whatever was typed
    assert search(database, f"{query} vendor") in (["Vendor lock-in"], [])
    assert search(database, "vendor") == ["Vendor lock-in"]


def test_only_the_workspace_s_own_lessons_are_found(database):
    with database.session() as session:
        ensure_workspace(session=session, team_id=OTHER_TEAM)
    add_lesson(database, "Theirs", "vendor trouble", team=OTHER_TEAM)
    add_lesson(database, "Ours", "vendor trouble")
    assert search(database, "vendor") == ["Ours"]
    assert search(database, "vendor", team=OTHER_TEAM) == ["Theirs"]


def test_the_index_follows_changes_and_removals(database):
    lesson_id = add_lesson(database, "Vendor lock-in", "Contracts with a single vendor.")
    with database.session() as session:
        lesson = session.get(Lesson, lesson_id)
        lesson.what_happened = "Estimates were optimistic."
        session.add(lesson)
    assert search(database, "contracts") == []
    assert search(database, "optimistic") == ["Vendor lock-in"]
    with database.session() as session:
        session.delete(session.get(Lesson, lesson_id))
    assert search(database, "optimistic") == []


def test_the_newest_come_first_with_no_words(database):
    add_lesson(database, "Old", "x", age=5)
    add_lesson(database, "New", "y", age=1)
    with database.session() as session:
        assert titles(lesson_search.newest(session=session, team_id=TEAM)) == ["New", "Old"]


def test_lessons_sharing_most_tags_come_first_three_at_most(database):
    add_lesson(database, "One tag", "x", tags=["launch"], age=1)
    add_lesson(database, "Two tags", "x", tags=["launch", "plan"], age=3)
    add_lesson(database, "Unrelated", "x", tags=["hiring"])
    add_lesson(database, "Also one", "x", tags=["plan"], age=2)
    add_lesson(database, "Oldest one", "x", tags=["plan"], age=9)
    with database.session() as session:
        found = lesson_search.tagged(session=session, team_id=TEAM, words={"launch", "plan"})
    assert titles(found) == ["Two tags", "One tag", "Also one"]
