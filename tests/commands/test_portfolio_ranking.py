"""`/goal portfolio`: the ranking by a transparent score, its parts and formula shown, and
its weights as workspace settings (which must add up to 100)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from storage.models import Goal, ProjectGoal, Rag
from storage.workspaces import ensure_workspace
from tests.factories import PM, TEAM, make_project
from workflows.risks import RiskDraft, store_risk
from workflows.status import StatusDraft, post_update

ADMIN = "UADMIN001"
WHEN = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
WEIGHT_LABELS = (
    "Goal alignment weight",
    "Health weight",
    "Remaining budget weight",
    "Low open risk weight",
)


def goal(database, key, *, archived=False):
    with database.session() as session:
        row = Goal(
            team_id=TEAM,
            key=key,
            title=f"{key} goal",
            owner=PM,
            archived=archived,
            created_by=PM,
            created_at=WHEN,
            updated_at=WHEN,
        )
        session.add(row)
        session.flush()
        return row.id


def link(database, project, goal_id, weight):
    with database.session() as session:
        session.add(
            ProjectGoal(team_id=TEAM, project_id=project.id, goal_id=goal_id, weight=weight)
        )


def report(database, project, rag, spent=None):
    with database.session() as session:
        post_update(
            session=session,
            project=project,
            author=PM,
            now=WHEN,
            draft=StatusDraft(rag, "s", path_to_green="p", spent_to_date=spent),
        )


def high_risk(database, project):
    with database.session() as session:
        store_risk(
            session=session,
            project=project,
            raised_by=PM,
            now=WHEN,
            draft=RiskDraft("Vendor may slip", 4, 4, owner=PM),
        )


@pytest.fixture
def portfolio(database):
    """APOLLO: wholly for a goal, green, 80 % of its budget left, no high risk.
    HERMES: half for goals, amber, its budget spent, two high risks.
    ZEUS: only an archived goal, never reported, no budget, no risk."""
    apollo = make_project(database)
    hermes = make_project(
        database, key="HERMES", name="Hermes", channel_id="CHERMES01", budget=Decimal(100000)
    )
    zeus = make_project(database, key="ZEUS", name="Zeus", channel_id="CZEUS0001", budget=None)
    churn, growth, old = (
        goal(database, "CHURN"),
        goal(database, "GROW"),
        goal(database, "OLD", archived=True),
    )
    link(database, apollo, churn, 60)
    link(database, apollo, growth, 60)
    link(database, hermes, churn, 50)
    link(database, zeus, old, 100)
    report(database, apollo, Rag.GREEN, spent=Decimal(50000))
    report(database, hermes, Rag.AMBER, spent=Decimal(120000))
    high_risk(database, hermes)
    high_risk(database, hermes)


def ranking(slack, slack_api):
    slack.command("/goal", "portfolio", user=PM)
    blocks = slack_api.last_reply()["blocks"]
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    context = [e["text"] for b in blocks if b["type"] == "context" for e in b["elements"]]
    return blocks, sections, context


def test_the_ranking_shows_each_score_with_its_parts(slack, slack_api, portfolio):
    blocks, sections, _ = ranking(slack, slack_api)
    assert blocks[0]["text"]["text"] == "Portfolio ranking · 3 active projects"
    assert sections[1:] == [
        "*1. APOLLO* Apollo launch · *97.0*\ngoal alignment 40.0 (100 of 100 for goals) · "
        "health 30.0 (green) · remaining budget 12.0 (80 % left) · low open risk 15.0 (none high)",
        "*2. HERMES* Hermes · *42.5*\ngoal alignment 20.0 (50 of 100 for goals) · "
        "health 15.0 (amber) · remaining budget 0.0 (0 % left) · low open risk 7.5 (2 high)",
        "*3. ZEUS* Zeus · *37.5*\ngoal alignment 0.0 (no goal) · health 15.0 (not "
        "reported) · remaining budget 7.5 (unknown) · low open risk 15.0 (none high)",
    ]


def test_the_formula_and_its_weights_are_shown_in_words(slack, slack_api, portfolio):
    _, sections, context = ranking(slack, slack_api)
    assert sections[0] == (
        "*Score* = goal alignment × 40 + health × 30 + remaining budget × 15 + low open "
        "risk × 15, each part from 0 to 1 (the weights add up to 100)."
    )
    assert "¼ for each open risk or issue scored 12 or more" in context[0]
    assert "green 1, amber ½, red 0, on hold or never reported ½" in context[0]
    assert "`/pmo settings`" in context[0]


def open_settings(slack):
    slack.command("/pmo", "settings", user=ADMIN)
    return slack.last_modal()


def weights(database):
    with database.session() as session:
        return dict(ensure_workspace(session=session, team_id=TEAM).priority_weights)


def test_new_weights_in_the_settings_change_the_ranking(slack, slack_api, database, portfolio):
    slack_api.add_user(ADMIN, "Ada Admin", is_admin=True)
    modal = open_settings(slack)
    assert [modal.initial(label) for label in WEIGHT_LABELS] == ["40", "30", "15", "15"]
    new = dict(zip(WEIGHT_LABELS, ("10", "10", "10", "70"), strict=True))
    assert slack.submit(modal.enter(new), user=ADMIN).body == ""
    assert weights(database) == {"goal": 10, "health": 10, "budget": 10, "risk": 70}
    _, sections, _ = ranking(slack, slack_api)
    assert (
        "goal alignment × 10 + health × 10 + remaining budget × 10 + low open risk × 70"
        in (sections[0])
    )
    assert [s.split("*")[1] for s in sections[1:]] == ["1. APOLLO", "2. ZEUS", "3. HERMES"]


@pytest.mark.parametrize(
    ("entered", "errors"),
    [
        (
            {"Goal alignment weight": "50"},
            {"priority_risk": "The four weights must add up to 100; these add up to 110."},
        ),
        (
            {"Health weight": "150", "Low open risk weight": "0"},
            {"priority_health": "Give a whole number from 0 to 100."},
        ),
    ],
)
def test_weights_that_do_not_add_up_to_100_are_refused_inline(
    slack, slack_api, database, entered, errors
):
    slack_api.add_user(ADMIN, "Ada Admin", is_admin=True)
    reply = slack.submit(open_settings(slack).enter(entered), user=ADMIN)
    assert reply.json() == {"response_action": "errors", "errors": errors}
    assert weights(database) == {"goal": 40, "health": 30, "budget": 15, "risk": 15}


def test_a_large_portfolio_shows_the_first_30_and_how_many_more(slack, slack_api, database):
    for number in range(32):
        make_project(database, key=f"P{number:02d}", channel_id=None)
    blocks, sections, context = ranking(slack, slack_api)
    assert len(sections) == 31 and len(blocks) < 50
    assert context[-1] == "…and 2 more, scoring 37.5 or less."


def test_an_empty_portfolio_says_so(slack, slack_api, database):
    _, sections, _ = ranking(slack, slack_api)
    assert sections[-1] == "No active projects to rank. `/pmo new` creates one."


def test_help_lists_the_portfolio_ranking(slack, slack_api):
    slack.command("/pmo", "help", user=PM)
    assert "/goal portfolio" in str(slack_api.last_reply()["blocks"])
