"""A project's planned labour cost, computed directly: allocated hours over each
allocation's whole range at each person's rate, against the budget; people without a
rate listed, not costed."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from storage.models import Project
from tests.factories import APPROVER, MEMBER, PM, make_project
from tests.workflows.test_forecast import DANA, MONDAY, give, skills
from workflows.labour_cost import planned_labour_cost, working_days_between


def cost_of(database, project):
    with database.session() as session:
        return planned_labour_cost(session=session, project=session.get(Project, project.id))


def rate(database, user, value, hours=None):
    skills(database, user, hours=hours, rate=value)


def test_working_days_count_mondays_to_fridays():
    assert working_days_between(MONDAY, MONDAY + timedelta(days=4)) == 5
    assert working_days_between(MONDAY, MONDAY + timedelta(days=6)) == 5
    assert working_days_between(MONDAY + timedelta(days=3), MONDAY + timedelta(days=7)) == 3
    assert working_days_between(MONDAY + timedelta(days=5), MONDAY + timedelta(days=6)) == 0
    assert working_days_between(date(2026, 1, 1), date(2026, 12, 31)) == 261
    assert working_days_between(MONDAY, MONDAY - timedelta(days=1)) == 0


def test_hours_times_rate_over_each_allocations_whole_range(database):
    apollo = make_project(database, budget=Decimal("10000"))
    rate(database, MEMBER, "85")
    # Two full weeks at 20 h, then Wednesday to Friday at 10 h: 40 + 6 hours.
    give(database, MEMBER, MONDAY, MONDAY + timedelta(days=11), hours="20", project=apollo)
    start = MONDAY + timedelta(weeks=2, days=2)
    give(database, MEMBER, start, start + timedelta(days=2), hours="10", project=apollo)
    cost = cost_of(database, apollo)
    [line] = cost.costed
    assert (line.user_id, line.hours, line.rate, line.cost) == (MEMBER, 46, 85, Decimal("3910"))
    assert (cost.total, cost.budget, cost.remaining) == (3910, 10000, 6090)
    assert (cost.percent_of_budget, cost.over_budget) == (39, False)


def test_allocations_in_the_past_count_too(database):
    apollo = make_project(database)
    rate(database, MEMBER, "100")
    earlier = MONDAY - timedelta(weeks=10)
    give(database, MEMBER, earlier, earlier + timedelta(days=4), hours="40", project=apollo)
    assert cost_of(database, apollo).total == 4000


def test_a_percent_allocation_costs_its_share_of_the_persons_week(database):
    apollo = make_project(database)
    rate(database, MEMBER, "50", hours="30")
    give(database, MEMBER, MONDAY, MONDAY + timedelta(days=4), percent=50, project=apollo)
    [line] = cost_of(database, apollo).costed
    assert (line.hours, line.cost) == (15, 750)


def test_people_without_a_rate_are_listed_not_costed(database):
    apollo = make_project(database, budget=Decimal("5000"))
    rate(database, MEMBER, "100")
    rate(database, APPROVER, "150")
    week = MONDAY + timedelta(days=4)
    give(database, MEMBER, MONDAY, week, hours="30", project=apollo)
    give(database, APPROVER, MONDAY, week, hours="10", project=apollo)
    give(database, DANA, MONDAY, week, hours="16", project=apollo)
    give(database, PM, MONDAY, week, hours="8", project=apollo)
    cost = cost_of(database, apollo)
    assert [(line.user_id, line.cost) for line in cost.costed] == [(MEMBER, 3000), (APPROVER, 1500)]
    assert [(line.user_id, line.hours, line.cost) for line in cost.not_costed] == [
        (DANA, 16, None),
        (PM, 8, None),
    ]
    assert (cost.total, cost.hours) == (4500, 64)


def test_a_plan_that_costs_more_than_the_budget_says_so(database):
    apollo = make_project(database, budget=Decimal("1000"))
    rate(database, MEMBER, "100")
    give(database, MEMBER, MONDAY, MONDAY + timedelta(days=4), hours="20", project=apollo)
    cost = cost_of(database, apollo)
    assert (cost.over_budget, cost.remaining, cost.percent_of_budget) == (True, -1000, 200)


def test_without_a_budget_there_is_nothing_to_compare(database):
    apollo = make_project(database, budget=None)
    rate(database, MEMBER, "100")
    give(database, MEMBER, MONDAY, MONDAY + timedelta(days=4), hours="20", project=apollo)
    cost = cost_of(database, apollo)
    assert (cost.total, cost.budget, cost.remaining, cost.percent_of_budget) == (
        2000,
        None,
        None,
        None,
    )
    assert cost.over_budget is False


def test_only_the_projects_own_allocations_count(database):
    apollo = make_project(database)
    gemini = make_project(database, key="GEMINI", name="Gemini", channel_id="CGEMINI01")
    rate(database, MEMBER, "100")
    give(database, MEMBER, MONDAY, MONDAY + timedelta(days=4), hours="10", project=apollo)
    give(database, MEMBER, MONDAY, MONDAY + timedelta(days=4), hours="30", project=gemini)
    assert (cost_of(database, apollo).total, cost_of(database, gemini).total) == (1000, 3000)


def test_a_project_with_nobody_allocated_costs_nothing(database):
    apollo = make_project(database)
    cost = cost_of(database, apollo)
    assert (cost.costed, cost.not_costed, cost.total, cost.hours) == ([], [], 0, 0)
