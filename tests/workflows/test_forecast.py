"""The capacity forecast, computed directly: capacity less leave against allocations plus
open requests, week by week, by skill, in the workspace's time zone; the bench and the
heat map's data from the same forecast."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event
from sqlmodel import select

from storage.models import Project, RequestStatus, ResourceRequest
from storage.workspaces import ensure_people, ensure_workspace
from tests.factories import APPROVER, APPROVER_2, MEMBER, PM, SPONSOR, TEAM, make_project
from workflows.actor import Actor
from workflows.capacity import AllocationDraft, Amount, CapacityDraft, allocate, set_capacity
from workflows.errors import NotPermitted
from workflows.forecast import ALL, forecast
from workflows.forecast_view import UnknownSkill, bench, forecast_view, share_heat_map
from workflows.load_heatmap import Band, heat_map, workspace_heat_map

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # a Monday
MONDAY = date(2026, 11, 23)
LEAD = "ULEAD0001"
DANA = "UDANA0001"


def week(n):
    return MONDAY + timedelta(weeks=n)


def give(database, user, start, end, *, hours=None, percent=None, project=None):
    """An allocation made by the project's PM, through the workflow."""
    with database.session() as session:
        project = session.get(Project, project.id) if project else _apollo(session)
        amount = Amount(hours=Decimal(hours), percent=None) if hours else Amount(percent=percent)
        allocate(
            session=session,
            actor=Actor(TEAM, PM),
            project=project,
            draft=AllocationDraft(user, start, end, amount),
            now=NOW,
        )


def skills(database, user, *tags, hours=None, rate=None):
    """The person's skills (and weekly hours, cost rate), set by themselves."""
    with database.session() as session:
        set_capacity(
            session=session,
            actor=Actor(TEAM, user),
            user_id=user,
            draft=CapacityDraft(
                capacity_hours=None if hours is None else Decimal(hours),
                skills=list(tags),
                cost_rate=None if rate is None else Decimal(rate),
            ),
            now=NOW,
        )


def away_until(database, user, day):
    with database.session() as session:
        person = ensure_people(session=session, team_id=TEAM, user_ids=[user])[user]
        person.paused_until = day
        session.add(person)


def request(database, skill, hours, start, end, status=RequestStatus.OPEN, number=1):
    with database.session() as session:
        session.add(
            ResourceRequest(
                team_id=TEAM,
                project_id=_apollo(session).id,
                number=number,
                skill=skill,
                hours_per_week=Decimal(hours),
                start_date=start,
                end_date=end,
                requested_by=PM,
                requested_at=NOW,
                status=status,
            )
        )


def workspace_settings(database, **values):
    with database.session() as session:
        workspace = ensure_workspace(session=session, team_id=TEAM)
        for name, value in values.items():
            setattr(workspace, name, value)
        session.add(workspace)


def planned(database, now=NOW, weeks=12):
    with database.session() as session:
        workspace = ensure_workspace(session=session, team_id=TEAM)
        return forecast(session=session, workspace=workspace, now=now, weeks=weeks)


def numbers(weeks, count=3):
    return [(w.week, w.capacity, w.allocated, w.requested, w.gap) for w in weeks[:count]]


def _apollo(session):
    return session.exec(select(Project).where(Project.key == "APOLLO")).one()


@pytest.fixture
def apollo(database):
    return make_project(database)


# -- the arithmetic ------------------------------------------------------------------------


def test_twelve_weeks_from_this_monday_with_allocated_hours_against_capacity(database, apollo):
    skills(database, MEMBER, "backend")
    give(database, MEMBER, week(0), week(1) + timedelta(days=4), hours="30")
    result = planned(database)
    assert result.weeks == [week(n) for n in range(12)]
    assert numbers(result.by_skill["backend"]) == [
        (week(0), 40, 30, 0, 10),
        (week(1), 40, 30, 0, 10),
        (week(2), 40, 0, 0, 40),
    ]


def test_a_partial_week_counts_a_fifth_of_the_hours_for_each_working_day(database, apollo):
    skills(database, MEMBER, "backend")
    # Wednesday to the next Tuesday: three days in the first week, two in the second.
    give(database, MEMBER, week(0) + timedelta(days=2), week(1) + timedelta(days=1), hours="20")
    [first, second, third] = planned(database).by_skill["backend"][:3]
    assert (first.allocated, second.allocated, third.allocated) == (12, 8, 0)


def test_a_weekend_alone_takes_no_hours(database, apollo):
    skills(database, MEMBER, "backend")
    give(database, MEMBER, week(0) + timedelta(days=5), week(0) + timedelta(days=6), hours="40")
    assert planned(database).by_skill["backend"][0].allocated == 0


def test_a_percent_allocation_is_a_share_of_the_persons_own_capacity(database, apollo):
    skills(database, MEMBER, "backend", hours="32")
    give(database, MEMBER, week(0), week(11), percent=50)
    first = planned(database).by_skill["backend"][0]
    assert (first.capacity, first.allocated, first.gap) == (32, 16, 16)


def test_leave_from_a_pause_counts_as_no_capacity_for_its_working_days(database, apollo):
    skills(database, MEMBER, "backend")
    away_until(database, MEMBER, week(1) + timedelta(days=2))  # until Wednesday next week
    result = planned(database)
    assert [w.capacity for w in result.by_skill["backend"][:3]] == [0, 16, 40]
    [load] = [load for load in result.loads if load.person.user_id == MEMBER]
    assert load.weeks[0].percent is None  # nothing to measure against


def test_a_pause_that_ended_takes_nothing_off(database, apollo):
    skills(database, MEMBER, "backend")
    away_until(database, MEMBER, MONDAY - timedelta(days=1))
    assert planned(database).by_skill["backend"][0].capacity == 40


def test_open_requests_add_to_demand_and_decided_ones_do_not(database, apollo):
    skills(database, MEMBER, "backend")
    give(database, MEMBER, week(0), week(11), hours="30")
    request(database, "backend", "20", week(1), week(2) + timedelta(days=4))
    request(database, "backend", "40", week(0), week(11), RequestStatus.DECLINED, number=2)
    backend = planned(database).by_skill["backend"]
    assert numbers(backend) == [
        (week(0), 40, 30, 0, 10),
        (week(1), 40, 30, 20, -10),
        (week(2), 40, 30, 20, -10),
    ]
    assert backend[1].demand == 50


def test_a_person_counts_under_each_of_their_skills_and_all_under_all(database, apollo):
    skills(database, MEMBER, "backend", "design")
    skills(database, DANA, "design", hours="20")
    give(database, DANA, week(0), week(11), hours="10")
    request(database, "qa", "8", week(0), week(11))
    result = planned(database)
    assert list(result.by_skill) == [ALL, "backend", "design", "qa"]
    assert result.by_skill["design"][0].capacity == 60
    assert result.by_skill["backend"][0].capacity == 40
    assert (result.by_skill["qa"][0].capacity, result.by_skill["qa"][0].requested) == (0, 8)
    # Everyone on the project (PM, sponsor, two approvers, the member) and Dana, allocated.
    everyone = result.by_skill[ALL][0]
    assert (everyone.capacity, everyone.allocated, everyone.requested) == (220, 10, 8)


def test_the_first_weeks_of_a_forecast_are_the_forecast_of_those_weeks(database, apollo):
    # The digest cuts its heat map's twelve weeks to its Capacity section's four.
    skills(database, MEMBER, "backend")
    skills(database, DANA, "design", hours="20")
    away_until(database, DANA, week(1) + timedelta(days=2))
    give(database, MEMBER, week(0), week(2) + timedelta(days=2), hours="45")
    give(database, DANA, week(3) + timedelta(days=3), week(9), percent=50)
    request(database, "qa", "8", week(2), week(6))
    assert planned(database).first(4) == planned(database, weeks=4)


def test_weeks_start_on_the_workspaces_own_monday(database, apollo):
    sunday_noon = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    assert planned(database, now=sunday_noon).weeks[0] == week(0)
    workspace_settings(database, time_zone="Pacific/Auckland")  # already Monday 01:00 there
    assert planned(database, now=sunday_noon).weeks[0] == week(1)


def test_leave_starts_on_the_workspaces_today(database, apollo):
    skills(database, MEMBER, "backend")
    workspace_settings(database, time_zone="Pacific/Auckland")
    # Friday 20:00 UTC is Saturday in Auckland: the pause until Friday is over there.
    away_until(database, MEMBER, week(0) + timedelta(days=4))
    friday_evening = datetime(2026, 11, 27, 20, 0, tzinfo=UTC)
    assert planned(database, now=friday_evening).by_skill["backend"][0].capacity == 40
    workspace_settings(database, time_zone="UTC")  # still Friday: a day away
    assert planned(database, now=friday_evening).by_skill["backend"][0].capacity == 32


def test_the_forecast_reads_the_same_number_of_statements_for_more_people(database):
    def statements_for(people):
        for n in range(people):
            give(database, f"UPERSON{n:03d}", week(0), week(3), hours="10")
        count = 0

        def counted(*_):
            nonlocal count
            count += 1

        event.listen(database.engine, "before_cursor_execute", counted)
        try:
            planned(database)
        finally:
            event.remove(database.engine, "before_cursor_execute", counted)
        return count

    make_project(database)
    few = statements_for(2)
    assert statements_for(30) == few


# -- what people ask for -------------------------------------------------------------------


def test_without_a_skill_each_skills_worst_week_comes_shortest_first(database, apollo):
    skills(database, MEMBER, "backend")
    skills(database, DANA, "design")
    give(database, MEMBER, week(0), week(11), hours="30")
    give(database, DANA, week(11), week(11) + timedelta(days=4), hours="40")
    request(database, "backend", "25", week(3), week(3) + timedelta(days=4))
    with database.session() as session:
        view = forecast_view(session=session, actor=Actor(TEAM, PM), skill=None, now=NOW)
    assert [(line.skill, line.week.week, line.week.gap) for line in view.worst_weeks] == [
        ("backend", week(3), -15),
        ("design", week(11), 0),
    ]
    assert view.people == 6
    assert view.weeks[0].capacity == 240


def test_a_skill_shows_its_own_weeks_and_counts_its_people(database, apollo):
    skills(database, MEMBER, "backend")
    with database.session() as session:
        view = forecast_view(session=session, actor=Actor(TEAM, PM), skill="backend", now=NOW)
    assert (view.skill, view.people, view.weeks[0].capacity, view.worst_weeks) == (
        "backend",
        1,
        40,
        [],
    )


def test_an_unknown_skill_is_refused_naming_the_known_ones(database, apollo):
    skills(database, MEMBER, "backend", "design")
    with database.session() as session, pytest.raises(UnknownSkill) as refused:
        forecast_view(session=session, actor=Actor(TEAM, PM), skill="cobol", now=NOW)
    assert str(refused.value) == (
        "Nobody has the skill `cobol` and no open request asks for it. "
        "Skills known: `backend`, `design`."
    )


def test_the_bench_is_for_pmo_leads_and_names_them(database, apollo):
    workspace_settings(database, pmo_leads=[LEAD])
    with database.session() as session, pytest.raises(NotPermitted) as refused:
        bench(session=session, actor=Actor(TEAM, PM), now=NOW)
    assert str(refused.value) == f"Only the PMO leads (<@{LEAD}>) can see the bench."


def test_the_bench_lists_people_with_under_half_allocated_most_free_first(database, apollo):
    workspace_settings(database, pmo_leads=[LEAD])
    give(database, MEMBER, week(0), week(3) + timedelta(days=4), hours="30")  # 75 %: busy
    give(database, APPROVER, week(0), week(3) + timedelta(days=4), hours="10")  # 25 %
    give(database, SPONSOR, week(4), week(11), hours="40")  # busy only after four weeks
    with database.session() as session:
        found = bench(session=session, actor=Actor(TEAM, LEAD), now=NOW)
    assert found.weeks == [week(n) for n in range(4)]
    assert [(line.person.user_id, line.free, line.percent) for line in found.lines] == [
        (APPROVER_2, 160, 0),
        (PM, 160, 0),
        (SPONSOR, 160, 0),
        (APPROVER, 120, 25),
    ]


# -- the heat map's data -------------------------------------------------------------------


def test_the_heat_map_bands_each_week_and_puts_the_most_loaded_first(database, apollo):
    workspace_settings(database, overallocation_threshold=10)
    give(database, MEMBER, week(0), week(0) + timedelta(days=4), hours="46")  # 115 %: over
    give(database, MEMBER, week(1), week(1) + timedelta(days=4), hours="44")  # 110 %: full
    give(database, PM, week(0), week(11), hours="30")  # 75 %
    away_until(database, APPROVER, week(0) + timedelta(days=4))
    result = heat_map(planned(database), rows_max=3)
    assert [row.user_id for row in result.rows] == [MEMBER, PM, APPROVER]
    assert result.more == 2 and result.people == 5
    member, pm, approver = result.rows
    assert [(c.percent, c.band) for c in member.cells[:3]] == [
        (115, Band.OVER),
        (110, Band.FULL),
        (0, Band.FREE),
    ]
    assert pm.cells[0].band == Band.OK
    assert (approver.cells[0].percent, approver.cells[0].band) == (None, Band.LEAVE)
    assert result.weeks == tuple(week(n) for n in range(12))


def test_work_asked_of_someone_on_leave_is_over(database, apollo):
    away_until(database, MEMBER, week(0) + timedelta(days=4))
    give(database, MEMBER, week(0), week(0) + timedelta(days=4), hours="5")
    [row] = [r for r in heat_map(planned(database)).rows if r.user_id == MEMBER]
    assert row.cells[0].band == Band.OVER


def test_a_skills_heat_map_has_only_its_people(database, apollo):
    skills(database, MEMBER, "backend")
    result = heat_map(planned(database), skill="backend")
    assert ([row.user_id for row in result.rows], result.skill) == ([MEMBER], "backend")


def test_the_workspace_heat_map_waits_for_someone_to_be_allocated(database, apollo):
    with database.session() as session:
        workspace = ensure_workspace(session=session, team_id=TEAM)
        assert workspace_heat_map(session=session, workspace=workspace, now=NOW) is None
    give(database, MEMBER, week(0), week(3), hours="20")
    with database.session() as session:
        workspace = ensure_workspace(session=session, team_id=TEAM)
        heat = workspace_heat_map(session=session, workspace=workspace, now=NOW)
    assert heat is not None and heat.rows[0].user_id == MEMBER


def test_sharing_the_heat_map_sends_it_to_the_lead_who_asked(database, apollo):
    workspace_settings(database, pmo_leads=[LEAD])
    with database.session() as session:
        shared = share_heat_map(session=session, actor=Actor(TEAM, LEAD), skill=None, now=NOW)
        with pytest.raises(NotPermitted):
            share_heat_map(session=session, actor=Actor(TEAM, PM), skill=None, now=NOW)
    [message] = shared.messages
    assert (message.to, message.key, message.content) == (
        LEAD,
        f"capacity:heatmap:{LEAD}:2026-11-23T14:00:00+00:00",
        shared.heat_map,
    )
