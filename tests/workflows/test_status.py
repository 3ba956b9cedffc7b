"""Status rules called directly: periods, honesty, supersession and staleness."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import select

from storage.models import Cadence, Rag, StatusUpdate, Workspace
from storage.workspaces import ensure_workspace
from tests.factories import OUTSIDER, PM, TEAM, make_project
from workflows.actor import Actor
from workflows.errors import InvalidInput, NotPermitted
from workflows.periods import period_containing, previous_period
from workflows.projects import set_archived
from workflows.staleness import projects_needing_update
from workflows.status import (
    StatusDraft,
    StatusPost,
    StatusRetired,
    check_draft,
    post_status,
    post_update,
)

LONDON = ZoneInfo("Europe/London")
TOKYO = ZoneInfo("Asia/Tokyo")
LA = ZoneInfo("America/Los_Angeles")


def at(text, tz=UTC):
    return datetime.fromisoformat(text).replace(tzinfo=tz).astimezone(UTC)


# -- periods -------------------------------------------------------------------------
def test_a_week_runs_monday_to_monday_in_local_time_and_is_due_on_friday():
    period = period_containing(at("2026-11-25 12:00"), cadence=Cadence.WEEKLY, tz=LA, due_weekday=4)
    assert period.label == "2026-W48"
    assert period.start == at("2026-11-23 00:00", LA)
    assert period.end == at("2026-11-30 00:00", LA)
    assert period.due_at == at("2026-11-27 00:00", LA)


def test_sunday_night_in_los_angeles_is_already_monday_in_utc_but_still_last_week():
    moment = at("2026-11-29 22:00", LA)  # Monday 06:00 UTC
    assert (
        period_containing(moment, cadence=Cadence.WEEKLY, tz=LA, due_weekday=4).label == "2026-W48"
    )
    assert (
        period_containing(moment, cadence=Cadence.WEEKLY, tz=UTC, due_weekday=4).label == "2026-W49"
    )


def test_fortnights_are_the_same_for_every_day_inside_them():
    first = period_containing(
        at("2026-11-23 09:00"), cadence=Cadence.FORTNIGHTLY, tz=UTC, due_weekday=4
    )
    later = period_containing(
        first.end - timedelta(hours=1), cadence=Cadence.FORTNIGHTLY, tz=UTC, due_weekday=4
    )
    assert first == later
    assert first.end - first.start == timedelta(days=14)
    assert first.due_at == first.start + timedelta(days=11)


def test_a_month_is_due_on_its_last_friday():
    period = period_containing(
        at("2026-11-03 09:00"), cadence=Cadence.MONTHLY, tz=LONDON, due_weekday=4
    )
    assert period.label == "2026-11"
    assert period.due_at == at("2026-11-27 00:00", LONDON)


@given(
    moment=st.datetimes(
        min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)
    ),
    cadence=st.sampled_from(list(Cadence)),
    tz=st.sampled_from([UTC, LONDON, TOKYO, LA, ZoneInfo("Australia/Lord_Howe")]),
    due=st.integers(min_value=0, max_value=6),
)
def test_periods_contain_their_moment_and_follow_each_other_without_gaps(moment, cadence, tz, due):
    period = period_containing(moment, cadence=cadence, tz=tz, due_weekday=due)
    assert period.contains(moment)
    assert period.start <= period.due_at < period.end
    before = previous_period(period, cadence=cadence, tz=tz, due_weekday=due)
    assert before.end == period.start
    assert before.label < period.label


# -- honesty -----------------------------------------------------------------------------
@given(
    overall=st.sampled_from(list(Rag)),
    path=st.text(max_size=20),
    percent=st.one_of(st.none(), st.integers(min_value=-50, max_value=200)),
)
def test_the_draft_rules(overall, path, percent):
    errors = check_draft(
        StatusDraft(overall=overall, summary="s", path_to_green=path, percent_complete=percent)
    )
    assert ("path_to_green" in errors) == (overall in (Rag.AMBER, Rag.RED) and not path.strip())
    assert ("percent_complete" in errors) == (percent is not None and not 0 <= percent <= 100)


# -- supersession ------------------------------------------------------------------------
def test_a_second_update_in_the_period_supersedes_the_first_and_both_are_kept(database):
    project = make_project(database)
    with database.session() as session:
        first = post_update(
            session=session,
            project=project,
            author=PM,
            draft=StatusDraft(Rag.GREEN, "one"),
            now=at("2026-11-23 10:00"),
        )
    with database.session() as session:
        second = post_update(
            session=session,
            project=project,
            author=PM,
            draft=StatusDraft(Rag.GREEN, "two"),
            now=at("2026-11-24 10:00"),
        )
        assert second.replaced.id == first.update.id
        assert second.previous is None
    with database.session() as session:
        rows = session.exec(select(StatusUpdate).order_by(StatusUpdate.id)).all()
    assert [(r.summary, r.superseded_by_id) for r in rows] == [("one", rows[1].id), ("two", None)]


def post_as(database, actor, key, summary, when):
    with database.session() as session:
        draft = StatusDraft(Rag.GREEN, summary)
        return post_status(session=session, actor=actor, key=key, draft=draft, now=at(when))


def test_posting_says_to_post_it_and_to_retire_the_post_it_replaces(database):
    project = make_project(database)
    pm = Actor(team_id=TEAM, user_id=PM, channel_id=project.channel_id)
    first = post_as(database, pm, None, "one", "2026-11-23 10:00")
    [post] = first.messages
    assert (post.key, post.to) == (f"status:{first.update.id}:posted", project.channel_id)
    assert isinstance(post.content, StatusPost) and not post.content.replaced
    second = post_as(database, pm, "APOLLO", "two", "2026-11-24 10:00")
    post, retired = second.messages
    assert post.content.replaced
    old = first.update.id
    assert retired.key == f"status:{old}:retired"
    assert retired.update_key == f"status:{old}:posted"
    assert isinstance(retired.content, StatusRetired)
    assert retired.content.newer.id == second.update.id


def test_posting_checks_the_person_before_the_draft(database):
    make_project(database)
    outsider = Actor(team_id=TEAM, user_id=OUTSIDER)
    pm = Actor(team_id=TEAM, user_id=PM)
    bad = StatusDraft(Rag.RED, "")
    with database.session() as session, pytest.raises(NotPermitted):
        post_status(session=session, actor=outsider, key="APOLLO", draft=bad, now=at("2026-11-23"))
    with database.session() as session, pytest.raises(InvalidInput) as refused:
        post_status(
            session=session,
            actor=pm,
            key="APOLLO",
            draft=bad,
            now=at("2026-11-23"),
            unreadable={"percent_complete": "Not a number."},
        )
    assert set(refused.value.errors) == {"summary", "path_to_green", "percent_complete"}


# -- staleness ---------------------------------------------------------------------------
def set_zone(database, tz_name):
    with database.session() as session:
        workspace = ensure_workspace(session=session, team_id=TEAM)
        workspace.time_zone = tz_name
        session.add(workspace)


def post(database, project, when, rag=Rag.GREEN):
    with database.session() as session:
        post_update(
            session=session,
            project=project,
            author=PM,
            draft=StatusDraft(rag, "s", path_to_green="p"),
            now=when,
        )


def stale(database, now):
    with database.session() as session:
        return {
            s.project.key: s
            for s in projects_needing_update(session=session, team_id=TEAM, now=now)
        }


def test_a_project_is_not_due_before_its_due_day(database):
    make_project(database, now=at("2026-11-02 09:00"))
    post_project = make_project(database, key="HERMES", channel_id=None, now=at("2026-11-02 09:00"))
    post(database, post_project, at("2026-11-18 09:00"))
    assert "HERMES" not in stale(database, at("2026-11-26 12:00"))  # Thursday


def test_a_project_is_due_from_its_due_day_until_it_updates(database):
    project = make_project(database, now=at("2026-11-02 09:00"))
    post(database, project, at("2026-11-18 09:00"))
    found = stale(database, at("2026-11-27 08:00"))["APOLLO"]
    assert not found.overdue
    assert found.pm == PM
    assert found.period.label == "2026-W48"
    post(database, project, at("2026-11-27 09:00"))
    assert stale(database, at("2026-11-27 10:00")) == {}


def test_staleness_among_a_persons_projects_is_the_workspaces_for_those(database):
    early = at("2026-11-02 09:00")
    apollo = make_project(database, now=early)
    hermes = make_project(database, key="HERMES", channel_id=None, pm=OUTSIDER, now=early)
    zeus = make_project(database, key="ZEUS", channel_id=None, now=early)
    post(database, apollo, at("2026-11-18 09:00"))  # due by Friday 27
    post(database, hermes, at("2026-11-18 09:00"))
    post(database, zeus, at("2026-11-27 07:00"))  # posted this week: owes none
    now = at("2026-11-27 10:00")
    everywhere = stale(database, now)
    assert set(everywhere) == {"APOLLO", "HERMES"}
    with database.session() as session:
        among = {
            s.project.key: s
            for s in projects_needing_update(
                session=session, team_id=TEAM, now=now, among=[apollo, zeus]
            )
        }
    assert set(among) == {"APOLLO"}
    found, expected = among["APOLLO"], everywhere["APOLLO"]
    assert (found.pm, found.last_update_at, found.overdue, found.period) == (
        expected.pm,
        expected.last_update_at,
        expected.overdue,
        expected.period,
    )


def test_a_project_that_missed_a_whole_period_is_overdue_at_once(database):
    project = make_project(database, now=at("2026-11-02 09:00"))
    post(database, project, at("2026-11-11 09:00"))
    found = stale(database, at("2026-11-23 09:00"))["APOLLO"]  # Monday: W47 was missed
    assert found.overdue
    assert found.last_update_at == at("2026-11-11 09:00")


def test_a_new_project_is_due_on_its_first_due_day_not_overdue(database):
    make_project(database, now=at("2026-11-24 09:00"))
    assert stale(database, at("2026-11-25 09:00")) == {}
    assert not stale(database, at("2026-11-27 09:00"))["APOLLO"].overdue


def test_the_due_day_starts_at_local_midnight(database):
    set_zone(database, "Asia/Tokyo")
    project = make_project(database, now=at("2026-11-02 09:00"))
    post(database, project, at("2026-11-18 09:00"))
    assert stale(database, at("2026-11-26 14:59")) == {}  # Thursday 23:59 in Tokyo
    assert "APOLLO" in stale(database, at("2026-11-26 15:00"))  # Friday 00:00 in Tokyo


def test_a_project_on_hold_owes_no_update(database):
    project = make_project(database, now=at("2026-11-02 09:00"))
    post(database, project, at("2026-11-04 09:00"), rag=Rag.HOLD)
    assert stale(database, at("2026-11-27 09:00")) == {}


def test_archived_projects_and_other_workspaces_are_left_out(database):
    make_project(database, now=at("2026-11-02 09:00"))
    make_project(database, team_id="T0OTHER01", key="THEIRS", now=at("2026-11-02 09:00"))
    with database.session() as session:
        set_archived(
            session=session,
            team_id=TEAM,
            actor=PM,
            key="APOLLO",
            archived=True,
            now=at("2026-11-20 09:00"),
        )
    assert stale(database, at("2026-11-27 09:00")) == {}


def test_a_monthly_project_is_due_only_in_its_last_week(database):
    project = make_project(database, status_cadence=Cadence.MONTHLY, now=at("2026-10-01 09:00"))
    post(database, project, at("2026-10-20 09:00"))
    assert stale(database, at("2026-11-20 09:00")) == {}
    assert "APOLLO" in stale(database, at("2026-11-27 09:00"))


@pytest.mark.parametrize("weekday", [0, 2, 4])
def test_the_workspace_chooses_the_due_weekday(database, weekday):
    with database.session() as session:
        workspace = session.get(Workspace, TEAM) or ensure_workspace(session=session, team_id=TEAM)
        workspace.status_due_weekday = weekday
        session.add(workspace)
    project = make_project(database, now=at("2026-11-02 09:00"))
    post(database, project, at("2026-11-18 09:00"))
    due_day = date(2026, 11, 23) + timedelta(days=weekday)
    assert "APOLLO" in stale(database, at(f"{due_day} 00:00"))
    if weekday:
        assert stale(database, at(f"{due_day} 00:00") - timedelta(minutes=1)) == {}
