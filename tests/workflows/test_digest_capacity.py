"""The digest's Capacity section, computed directly: who is asked for too much, requests
waiting past their start, skills short of hours, projects saying their team is short."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import event

from storage.models import Project, Rag, RequestStatus, ResourceRequest, TeamCapacity
from tests.factories import MEMBER, PM, TEAM, make_project
from tests.workflows.test_digest import LAST_WEEK, MONDAY, digest
from workflows.actor import Actor
from workflows.capacity import AllocationDraft, Amount, CapacityDraft, allocate, set_capacity
from workflows.status import StatusDraft, post_update

# The digest of Monday 30 Nov looks at the weeks of 30 Nov, 7, 14 and 21 Dec.
WEEK_2 = date(2026, 12, 7)
WEEK_3 = date(2026, 12, 14)


def capacity(database, user_id, hours="40", skills=("backend",)):
    with database.session() as session:
        set_capacity(
            session=session,
            actor=Actor(TEAM, user_id),
            user_id=user_id,
            draft=CapacityDraft(capacity_hours=Decimal(hours), skills=list(skills)),
            now=LAST_WEEK,
        )


def allocation(database, project, user_id, hours, start, end):
    with database.session() as session:
        allocate(
            session=session,
            actor=Actor(TEAM, PM),
            project=project,
            draft=AllocationDraft(user_id, start, end, Amount(hours=Decimal(hours))),
            now=LAST_WEEK,
        )


def request(database, project, skill, hours, start, status=RequestStatus.OPEN, number=1):
    with database.session() as session:
        session.add(
            ResourceRequest(
                team_id=project.team_id,
                project_id=project.id,
                number=number,
                skill=skill,
                hours_per_week=Decimal(hours),
                start_date=start,
                end_date=date(2026, 12, 31),
                requested_by=PM,
                requested_at=LAST_WEEK,
                status=status,
            )
        )


def say(database, project, team_capacity, when=MONDAY - timedelta(days=3)):
    with database.session() as session:
        post_update(
            session=session,
            project=project,
            author=PM,
            now=when,
            draft=StatusDraft(Rag.GREEN, "s", team_capacity=team_capacity),
        )


def over_allocate(database) -> tuple[Project, Project]:
    """MEMBER (40 h, backend) asked for 32 h by APOLLO and 20 h by HERMES in the week of
    7 Dec, then 32 h by APOLLO alone the week after."""
    apollo = make_project(database)
    hermes = make_project(database, key="HERMES", channel_id=None)
    capacity(database, MEMBER)
    allocation(database, apollo, MEMBER, "32", WEEK_2, date(2026, 12, 18))
    allocation(database, hermes, MEMBER, "20", WEEK_2, date(2026, 12, 11))
    return apollo, hermes


def test_someone_asked_for_more_than_they_have_is_named_with_the_weeks_and_projects(database):
    apollo, hermes = over_allocate(database)
    outlook = digest(database).capacity
    [over] = outlook.over_allocated
    assert over.user_id == MEMBER
    [week] = over.weeks  # 32 h the week after is within capacity
    assert (week.week, week.allocated, week.capacity) == (WEEK_2, 52, 40)
    assert week.by_project == {apollo.id: 32, hermes.id: 20}
    assert outlook.projects[apollo.id].key == "APOLLO"


def test_a_week_within_the_threshold_is_not_over_though_the_skill_is_short(database):
    apollo = make_project(database)
    capacity(database, MEMBER)
    allocation(database, apollo, MEMBER, "44", WEEK_2, WEEK_3)  # 10 % over: the threshold
    outlook = digest(database).capacity
    assert outlook.over_allocated == []
    assert [(g.skill, g.short_by) for g in outlook.gaps] == [("backend", 4)]


def test_when_nothing_is_short_the_outlook_is_clear(database):
    apollo = make_project(database)
    capacity(database, MEMBER)
    allocation(database, apollo, MEMBER, "30", WEEK_2, WEEK_3)
    say(database, apollo, TeamCapacity.ENOUGH)
    outlook = digest(database).capacity
    assert outlook.tracked and outlook.clear


def test_open_requests_past_their_start_are_listed_oldest_first(database):
    apollo = make_project(database)
    request(database, apollo, "design", "20", date(2026, 11, 23), number=1)
    request(database, apollo, "qa", "10", WEEK_3, number=2)  # not started yet
    request(database, apollo, "data", "8", date(2026, 11, 2), RequestStatus.ASSIGNED, number=3)
    request(database, apollo, "ops", "8", date(2026, 11, 30), number=4)  # starts today
    late = digest(database).capacity.late_requests
    assert [(r.request.number, r.project.key) for r in late] == [(1, "APOLLO"), (4, "APOLLO")]


def test_skills_short_of_hours_are_listed_with_their_short_weeks_most_missing_first(database):
    apollo = make_project(database)
    capacity(database, MEMBER)
    allocation(database, apollo, MEMBER, "52", WEEK_2, date(2026, 12, 11))
    request(database, apollo, "design", "20", date(2026, 11, 23))
    gaps = digest(database).capacity.gaps
    assert [(g.skill, g.short_by) for g in gaps] == [("design", 80), ("backend", 12)]
    [backend_week] = gaps[1].weeks
    assert (backend_week.week, backend_week.gap) == (WEEK_2, -12)


def test_projects_whose_latest_update_says_short_are_listed(database):
    apollo = make_project(database)
    hermes = make_project(database, key="HERMES", channel_id=None)
    zeus = make_project(database, key="ZEUS", channel_id=None)
    say(database, apollo, TeamCapacity.SHORT)
    say(database, hermes, TeamCapacity.SHORT, when=LAST_WEEK - timedelta(days=3))
    say(database, hermes, TeamCapacity.STRETCHED)  # better now
    say(database, zeus, None)
    outlook = digest(database).capacity
    assert [(t.project.key, t.said_on) for t in outlook.short_teams] == [
        ("APOLLO", date(2026, 11, 27))
    ]
    assert outlook.tracked and not outlook.clear


def test_archived_projects_and_other_workspaces_stay_out(database):
    apollo = make_project(database)
    say(database, apollo, TeamCapacity.SHORT)
    request(database, apollo, "design", "20", date(2026, 11, 23))
    with database.session() as session:
        project = session.get(Project, apollo.id)
        project.archived = True
        session.add(project)
    elsewhere = make_project(database, team_id="T0OTHER01", key="ELSE")
    say(database, elsewhere, TeamCapacity.SHORT)
    outlook = digest(database).capacity
    assert outlook.short_teams == [] and outlook.late_requests == []


def test_a_workspace_that_plans_no_capacity_is_not_tracked(database):
    apollo = make_project(database)
    capacity(database, MEMBER)  # a capacity alone asks nothing of anyone
    say(database, apollo, None)
    outlook = digest(database).capacity
    assert not outlook.tracked and outlook.clear


def test_the_statements_do_not_grow_with_the_projects_or_people(database):
    def statements():
        issued = 0

        def tally(*_):
            nonlocal issued
            issued += 1

        event.listen(database.engine, "before_cursor_execute", tally)
        try:
            digest(database)
        finally:
            event.remove(database.engine, "before_cursor_execute", tally)
        return issued

    over_allocate(database)
    few = statements()
    for number in range(5):
        project = make_project(database, key=f"MORE{number}", channel_id=None)
        person = f"UMORE{number:04d}"
        capacity(database, person, skills=("design",))
        allocation(database, project, person, "50", WEEK_2, WEEK_3)
        request(database, project, "qa", "10", date(2026, 11, 23))
        say(database, project, TeamCapacity.SHORT)
    assert len(digest(database).capacity.short_teams) == 5
    assert statements() == few > 0
