"""The portfolio's health week by week, as the digest's chart shows it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import event

from storage.models import Rag
from tests.factories import TEAM, make_project
from tests.workflows.test_digest import post
from workflows.digest import build_digest, digest_trend

MONDAY = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)  # just after the digest time (09:00 UTC)


def trend(database, now=MONDAY):
    with database.session() as session:
        return digest_trend(session=session, team_id=TEAM, now=now)


def week(result, label):
    [found] = [w for w in result.weeks if w.label == label]
    return found


def seeded(database):
    apollo = make_project(database, now=datetime(2026, 10, 1, tzinfo=UTC))
    make_project(database, key="HERMES", channel_id=None, now=datetime(2026, 11, 10, tzinfo=UTC))
    post(database, apollo, datetime(2026, 11, 5, 12, tzinfo=UTC), Rag.AMBER)
    post(database, apollo, datetime(2026, 11, 26, 12, tzinfo=UTC), Rag.GREEN)


def test_thirteen_weeks_oldest_first_each_named_by_the_day_it_starts(database):
    result = trend(database)
    assert [w.label for w in result.weeks][:2] == ["31 Aug", "7 Sep"]
    assert result.weeks[-1].label == "23 Nov"
    assert len(result.weeks) == 13
    assert result.weeks[-1].end == datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    assert all(b.start == a.end for a, b in zip(result.weeks, result.weeks[1:], strict=False))


def test_each_week_counts_projects_by_where_they_stood_at_its_end(database):
    seeded(database)
    result = trend(database)
    assert week(result, "21 Sep").projects == 0  # before any project existed
    assert week(result, "28 Sep").counts == {
        "green": 0,
        "amber": 0,
        "red": 0,
        "hold": 0,
        "none": 1,
    }
    assert week(result, "2 Nov").counts["amber"] == 1
    assert week(result, "2 Nov").projects == 1  # HERMES came later
    assert (week(result, "9 Nov").counts["amber"], week(result, "9 Nov").counts["none"]) == (1, 1)
    assert (week(result, "23 Nov").counts["green"], week(result, "23 Nov").counts["none"]) == (1, 1)
    assert not result.empty


def test_each_week_has_its_share_of_due_updates_posted_on_time(database):
    seeded(database)
    result = trend(database)
    counted = {w.label: (w.participation.on_time, w.participation.due) for w in result.weeks}
    assert (counted["2 Nov"], counted["9 Nov"]) == ((1, 1), (0, 2))
    assert week(result, "23 Nov").participation.percent == 50
    assert week(result, "21 Sep").participation.percent is None  # nothing was due


def test_the_last_weeks_agree_with_the_digests_participation(database):
    seeded(database)
    with database.session() as session:
        digest = build_digest(session=session, team_id=TEAM, now=MONDAY)
    assert [w.participation for w in trend(database).weeks[-4:]] == digest.participation


def test_an_empty_workspace_has_nothing_to_draw(database):
    assert trend(database).empty


def test_the_statement_count_does_not_grow_with_projects(database):
    def statements():
        count = 0

        def counted(*_):
            nonlocal count
            count += 1

        event.listen(database.engine, "before_cursor_execute", counted)
        trend(database)
        event.remove(database.engine, "before_cursor_execute", counted)
        return count

    created = MONDAY - timedelta(days=120)
    first = make_project(database, key="P0", channel_id=None, now=created)
    post(database, first, MONDAY - timedelta(days=10), Rag.RED)
    few = statements()
    for number in range(1, 12):
        project = make_project(database, key=f"P{number}", channel_id=None, now=created)
        post(database, project, MONDAY - timedelta(days=number * 7), Rag.GREEN)
    assert statements() == few
