"""The goal rules, called directly: drafts and measures, who may do what, the goals a
project serves, the roll-up of a goal's health, and the digest's Goals section."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event
from sqlmodel import select

from commands.digest_message import digest_messages
from commands.goal_message import checked_on, digest_context
from commands.templates import Templates
from storage.models import AuditEvent, Goal, GoalCheckin, Project, ProjectGoal, Rag
from storage.workspaces import ensure_workspace
from tests.factories import MEMBER, PM, SPONSOR, TEAM, make_project
from workflows.actor import Actor
from workflows.digest import build_digest
from workflows.digest_goals import ColourChange, GoalWeek
from workflows.errors import InvalidInput, NotPermitted, PmoError, UnknownGoal
from workflows.gates import GateDraft, store_request
from workflows.goal_health import GoalHealth, GoalProject, goal_health, worst_colour
from workflows.goals import GoalDraft, check_in, create_goal, edit_goal, link_project, parse_number
from workflows.project_goals import GoalLink, parse_links, weights_for
from workflows.projects import set_archived
from workflows.risks import RiskDraft, store_risk
from workflows.status import StatusDraft, post_update

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
MONDAY = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)  # just after the digest time
LEAD = "ULEAD0001"
OWNER = "UOWNER001"
CHURN = GoalDraft(
    key="churn",
    title="Keep our customers",
    owner=OWNER,
    target_date=date(2027, 6, 30),
    measure="Monthly churn",
    baseline="8 %",
    target="5 %",
)


def leads(database, *users):
    with database.session() as session:
        workspace = ensure_workspace(session=session, team_id=TEAM)
        workspace.pmo_leads = list(users)
        session.add(workspace)


def new_goal(database, draft=CHURN, *, actor=LEAD, now=NOW):
    with database.session() as session:
        return create_goal(session=session, actor=Actor(TEAM, actor), draft=draft, now=now)


def goals_stored(database):
    with database.session() as session:
        return session.exec(select(Goal.key)).all()


def refused(database, draft, *, now=NOW):
    with pytest.raises(InvalidInput) as caught:
        new_goal(database, draft, now=now)
    return caught.value.errors


# -- numbers, links -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "number", "percent"),
    [
        ("8", Decimal("8"), False),
        ("8 %", Decimal("8"), True),
        ("8%", Decimal("8"), True),
        ("-2.5", Decimal("-2.5"), False),
        ("1,200", Decimal("1200"), False),
        ("0.1234", Decimal("0.1234"), False),
    ],
)
def test_a_measure_value_is_a_number_with_an_optional_percent(typed, number, percent):
    assert parse_number(typed, what="The baseline") == (number, percent)


@pytest.mark.parametrize("typed", ["lots", "8 apples", "%", "", "1e5", "9" * 20])
def test_text_that_is_not_a_number_is_refused_naming_the_field(typed):
    with pytest.raises(ValueError, match=r"^The baseline: "):
        parse_number(typed, what="The baseline")


def test_goals_are_written_with_weights_or_without_for_a_whole_project():
    assert parse_links("churn 60, NPS 40") == [GoalLink("CHURN", 60), GoalLink("NPS", 40)]
    assert parse_links("CHURN: 60 %; NPS\nREACH=5") == [
        GoalLink("CHURN", 60),
        GoalLink("NPS", 100),
        GoalLink("REACH", 5),
    ]
    assert parse_links("  ") == []


@pytest.mark.parametrize("typed", ["CHURN sixty", "CHURN 60 NPS 40", "CHURN 6.5"])
def test_a_goal_and_weight_that_cannot_be_read_say_how_to_write_them(typed):
    with pytest.raises(ValueError, match="is not a goal and a weight"):
        parse_links(typed)


def test_links_name_known_active_goals_once_with_weights_from_0_to_100(database):
    leads(database, LEAD)
    new_goal(database)
    new_goal(database, GoalDraft(key="NPS", title="Promoters", owner=OWNER))
    with database.session() as session:

        def problem(*links):
            with pytest.raises(PmoError) as caught:
                weights_for(session=session, team_id=TEAM, links=list(links))
            return caught.value

        assert "must be from 0 to 100; yours is 150" in str(problem(GoalLink("CHURN", 150)))
        assert "must be from 0 to 100; yours is -1" in str(problem(GoalLink("CHURN", -1)))
        assert "CHURN is named twice" in str(problem(GoalLink("CHURN", 1), GoalLink("CHURN", 2)))
        unknown = problem(GoalLink("CHURM", 60))
        assert isinstance(unknown, UnknownGoal)
        assert unknown.suggestions == ["CHURN"]
        assert str(unknown) == ("There is no goal `CHURM` in this workspace. Did you mean `CHURN`?")
        weights = weights_for(
            session=session, team_id=TEAM, links=[GoalLink("CHURN", 0), GoalLink("NPS", 100)]
        )
    assert sorted(weights.values()) == [0, 100]


# -- creating and changing goals -----------------------------------------------------------


def test_a_pmo_lead_creates_a_goal_with_its_measure_audited(database):
    leads(database, LEAD)
    saved = new_goal(database)
    goal = saved.goal
    assert (goal.key, goal.unit, goal.baseline, goal.target) == (
        "CHURN",
        "%",
        Decimal("8"),
        Decimal("5"),
    )
    [told] = saved.messages
    assert (told.to, told.content.by) == (OWNER, LEAD)
    with database.session() as session:
        audit = session.exec(select(AuditEvent)).one()
    assert (audit.action, audit.actor, audit.detail["baseline"], audit.detail["target"]) == (
        "goal.created",
        LEAD,
        "8",
        "5",
    )


def test_only_pmo_leads_create_goals_and_a_workspace_without_any_is_told_how(database):
    with pytest.raises(NotPermitted, match="names none yet: a Slack admin names them"):
        new_goal(database)
    leads(database, LEAD)
    with pytest.raises(NotPermitted, match=r"Only a PMO lead \(<@ULEAD0001>\) can create goals"):
        new_goal(database, actor=PM)
    assert goals_stored(database) == []


def test_every_wrong_field_of_a_goal_is_named_and_nothing_is_stored(database):
    leads(database, LEAD)
    new_goal(database)
    errors = refused(
        database,
        GoalDraft(
            key="CHURN",
            title="",
            owner=None,
            target_date=date(2026, 11, 1),
            baseline="lots",
            target="5",
        ),
    )
    assert errors == {
        "key": "CHURN is already taken by another goal. Pick another key.",
        "title": "Give the goal a title.",
        "owner": "Name the goal's owner: the leader who answers for it.",
        "target_date": "The target date is in the past.",
        "baseline": "The baseline: “lots” is not a number; write it like 5, 12.5 %, 80k or 1.2m.",
        "measure": "Name what is measured, such as `Monthly churn`.",
    }
    assert goals_stored(database) == ["CHURN"]


@pytest.mark.parametrize(
    ("measure", "field", "said"),
    [
        ({"baseline": "8"}, "target", "Give the value to reach"),
        ({"measure": "Churn", "target": "5"}, "baseline", "Give where the measure starts"),
        ({"unit": "%"}, "measure", "Name what is measured"),
        ({"measure": "Churn", "baseline": "5 %", "target": "5"}, "target", "a measure must move"),
        ({"key": "c", "measure": ""}, "key", "2 to 10 letters or digits"),
        ({"key": "CHÜRN"}, "key", "2 to 10 letters or digits"),
        ({"title": "t" * 201}, "title", "at most 200 characters"),
    ],
)
def test_a_measure_is_all_or_nothing_and_must_move(database, measure, field, said):
    leads(database, LEAD)
    draft = GoalDraft(**{"key": "NPS", "title": "Promoters", "owner": OWNER, **measure})
    assert said in refused(database, draft)[field]
    assert goals_stored(database) == []


def test_the_owner_changes_a_goal_and_a_new_owner_is_told(database):
    leads(database, LEAD)
    new_goal(database)
    with database.session() as session:
        with pytest.raises(NotPermitted, match="Only the owner of CHURN or a PMO lead"):
            edit_goal(session=session, actor=Actor(TEAM, PM), key="CHURN", draft=CHURN, now=NOW)
        changed = GoalDraft(**{**CHURN.__dict__, "owner": SPONSOR, "target": "4.5"})
        saved = edit_goal(
            session=session, actor=Actor(TEAM, OWNER), key="churn", draft=changed, now=NOW
        )
    assert [m.to for m in saved.messages] == [SPONSOR]
    with database.session() as session:
        audit = session.exec(select(AuditEvent).where(AuditEvent.action == "goal.updated")).one()
    assert audit.detail["changes"] == {"owner": [OWNER, SPONSOR], "target": ["5", "4.5"]}


def test_a_goal_past_its_target_date_can_still_be_changed(database):
    leads(database, LEAD)
    new_goal(database)
    later = datetime(2027, 8, 1, tzinfo=UTC)
    changed = GoalDraft(**{**CHURN.__dict__, "title": "Keep customers longer"})
    with database.session() as session:
        saved = edit_goal(
            session=session, actor=Actor(TEAM, LEAD), key="CHURN", draft=changed, now=later
        )
    assert saved.goal.title == "Keep customers longer"


def test_a_check_in_is_a_number_by_the_owner_or_a_pmo_lead(database):
    leads(database, LEAD)
    new_goal(database)
    with database.session() as session:
        first = check_in(
            session=session, actor=Actor(TEAM, OWNER), key="CHURN", value="7.5 %", note="", now=NOW
        )
        second = check_in(
            session=session, actor=Actor(TEAM, LEAD), key="CHURN", value="7", note="ok", now=NOW
        )
        with pytest.raises(NotPermitted):
            check_in(
                session=session, actor=Actor(TEAM, PM), key="CHURN", value="6", note="", now=NOW
            )
        with pytest.raises(InvalidInput) as caught:
            check_in(
                session=session,
                actor=Actor(TEAM, OWNER),
                key="CHURN",
                value="many",
                note="n" * 1001,
                now=NOW,
            )
    assert (first.previous, second.previous.value) == (None, Decimal("7.5"))
    assert set(caught.value.errors) == {"value", "note"}
    with database.session() as session:
        assert session.exec(select(GoalCheckin.value)).all() == [Decimal("7.5"), Decimal("7")]


# -- linking and the roll-up -----------------------------------------------------------------


def post(database, project, rag, when=NOW):
    with database.session() as session:
        post_update(
            session=session,
            project=project,
            author=PM,
            now=when,
            draft=StatusDraft(rag, "s", path_to_green="p"),
        )


def link(database, project, goal="CHURN", weight=60, actor=PM):
    with database.session() as session:
        return link_project(
            session=session,
            actor=Actor(TEAM, actor),
            key=project.key,
            goal_key=goal,
            weight=weight,
            now=NOW,
        )


def health(database):
    with database.session() as session:
        workspace = ensure_workspace(session=session, team_id=TEAM)
        goals = session.exec(select(Goal).order_by(Goal.key)).all()
        return goal_health(session=session, workspace=workspace, goals=list(goals))


def test_the_worst_colour_counts_and_hold_only_when_all_are_on_hold():
    assert worst_colour([Rag.GREEN, Rag.RED, Rag.AMBER, None]) == Rag.RED
    assert worst_colour([Rag.GREEN, Rag.HOLD]) == Rag.GREEN
    assert worst_colour([Rag.HOLD, None]) == Rag.HOLD
    assert worst_colour([None]) is None


def test_a_goal_rolls_up_colours_gates_risks_and_its_measure(database):
    leads(database, LEAD)
    new_goal(database)
    apollo = make_project(database)
    hermes = make_project(database, key="HERMES", channel_id=None)
    zeus = make_project(database, key="ZEUS", channel_id=None)
    archived = make_project(database, key="OLD", channel_id=None)
    for project, weight in ((apollo, 60), (hermes, 100), (zeus, 20), (archived, 50)):
        link(database, project, weight=weight)
    post(database, apollo, Rag.AMBER)
    post(database, hermes, Rag.GREEN)
    post(database, archived, Rag.RED)
    with database.session() as session:
        set_archived(session=session, team_id=TEAM, actor=PM, key="OLD", archived=True, now=NOW)
        for project, p, i in ((apollo, 4, 4), (apollo, 2, 2), (zeus, 5, 5), (archived, 5, 5)):
            store_risk(
                session=session,
                project=project,
                raised_by=PM,
                now=NOW,
                draft=RiskDraft(title="r", probability=p, impact=i),
            )
        store_request(
            session=session, project=zeus, requester=PM, draft=GateDraft("e", [0, 1, 2]), now=NOW
        )
        check_in(
            session=session, actor=Actor(TEAM, OWNER), key="CHURN", value="7.25", note="", now=NOW
        )
    [churn] = health(database)
    assert [(p.project.key, p.weight, p.rag) for p in churn.projects] == [
        ("HERMES", 100, Rag.GREEN),
        ("APOLLO", 60, Rag.AMBER),
        ("ZEUS", 20, None),
    ]
    assert (churn.worst, churn.on_track, churn.share_on_track) == (Rag.AMBER, 1, 33)
    assert churn.next_gate[1].key == "ZEUS"
    assert churn.high_risks == 2  # APOLLO's 16 and ZEUS's 25; not 4, not the archived OLD's
    assert (churn.latest.value, churn.progress) == (Decimal("7.25"), 25)


def test_progress_the_wrong_way_is_negative_and_past_the_target_over_100(database):
    leads(database, LEAD)
    new_goal(database)
    with database.session() as session:
        for value in ("9", "4"):
            check_in(
                session=session,
                actor=Actor(TEAM, OWNER),
                key="CHURN",
                value=value,
                note="",
                now=NOW,
            )
            [churn] = goal_health(
                session=session,
                workspace=ensure_workspace(session=session, team_id=TEAM),
                goals=[session.exec(select(Goal)).one()],
            )
            assert churn.progress == {"9": -33, "4": 133}[value]


def test_linking_is_for_the_projects_editors_and_pmo_leads_and_audited(database):
    leads(database, LEAD)
    new_goal(database)
    apollo = make_project(database)
    with pytest.raises(NotPermitted, match="or a PMO lead can link it to goals"):
        link(database, apollo, actor=MEMBER)
    assert link(database, apollo, weight=60).before is None
    again = link(database, apollo, weight=40, actor=LEAD)
    assert (again.before, again.weight) == (60, 40)
    with pytest.raises(PmoError, match="must be from 0 to 100"):
        link(database, apollo, weight=101)
    with pytest.raises(UnknownGoal, match="Did you mean `CHURN`"):
        link(database, apollo, goal="CHUNR")
    with database.session() as session:
        assert session.exec(select(ProjectGoal.weight)).all() == [40]
        audits = session.exec(select(AuditEvent).where(AuditEvent.entity == "project")).all()
    assert [a.detail.get("changes") for a in audits if a.action == "project.updated"] == [
        {"goals": {"CHURN": [None, 60]}},
        {"goals": {"CHURN": [60, 40]}},
    ]


# -- the digest ------------------------------------------------------------------------------


def digest_text(database, now=MONDAY):
    with database.session() as session:
        built = build_digest(session=session, team_id=TEAM, now=now)
    sections = [
        block["text"]["text"]
        for message in digest_messages(built, Templates())
        for block in message.blocks
        if block["type"] == "section"
    ]
    return built, next((text for text in sections if text.startswith("*Goals*")), "")


def test_the_digest_has_no_goals_section_without_goals(database):
    make_project(database)
    built, section = digest_text(database)
    assert built.goals == [] and section == ""


def test_the_digest_says_each_goals_health_and_what_moved_it_this_week(database):
    leads(database, LEAD)
    new_goal(database)
    new_goal(database, GoalDraft(key="NPS", title="Promoters <!channel>", owner=OWNER))
    apollo = make_project(database, now=NOW - timedelta(days=30))
    hermes = make_project(database, key="HERMES", channel_id=None, now=NOW - timedelta(days=30))
    link(database, apollo)
    link(database, hermes, weight=30)
    post(database, apollo, Rag.GREEN, NOW - timedelta(days=7))
    post(database, hermes, Rag.GREEN, NOW - timedelta(days=7))
    post(database, apollo, Rag.RED, MONDAY - timedelta(days=3))
    with database.session() as session:
        for value, when in (("7.5", NOW - timedelta(days=10)), ("7", MONDAY - timedelta(days=2))):
            check_in(
                session=session,
                actor=Actor(TEAM, OWNER),
                key="CHURN",
                value=value,
                note="fewer cancellations",
                now=when,
            )
    built, section = digest_text(database)
    assert [week.health.goal.key for week in built.goals] == ["CHURN", "NPS"]
    assert section.startswith("*Goals* (2)\n")
    assert (
        ":red_circle: *CHURN* Keep our customers · 1 of 2 projects on track · Monthly churn "
        f"*7 %* on {checked_on(MONDAY - timedelta(days=2))} · 8 % → 5 % · 33 % of the way"
        in section
    )
    assert "↳ :large_green_circle: → :red_circle: *APOLLO* Apollo launch" in section
    assert "↳ checked in 7 % (was 7.5 %): “fewer cancellations”" in section
    assert ":black_circle: *NPS* Promoters &lt;!channel&gt; · no project serves it yet" in section
    assert "HERMES" not in section  # it did not move


def count_statements(database, now=MONDAY):
    statements = 0

    def count(*_):
        nonlocal statements
        statements += 1

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        with database.session() as session:
            build_digest(session=session, team_id=TEAM, now=now)
    finally:
        event.remove(database.engine, "before_cursor_execute", count)
    return statements


def test_the_digests_statements_do_not_grow_with_goals_or_projects(database):
    leads(database, LEAD)
    new_goal(database)
    few = [make_project(database, key=f"P{n}", channel_id=None) for n in range(2)]
    for project in few:
        link(database, project)
        post(database, project, Rag.GREEN, MONDAY - timedelta(days=3))
    small = count_statements(database)
    new_goal(database, GoalDraft(key="NPS", title="Promoters", owner=OWNER))
    for n in range(2, 12):
        project = make_project(database, key=f"P{n}", channel_id=None)
        link(database, project, goal="NPS" if n % 2 else "CHURN")
        post(database, project, Rag.AMBER, MONDAY - timedelta(days=3))
    assert count_statements(database) == small


def test_the_digest_names_five_colour_changes_a_goal_and_counts_the_rest():
    goal = Goal(id=1, team_id=TEAM, key="CHURN", title="t", owner=OWNER, created_by=LEAD)
    projects = [
        Project(id=n, team_id=TEAM, key=f"P{n}", name="p", phase="Plan", created_by=PM)
        for n in range(7)
    ]
    week = GoalWeek(
        GoalHealth(goal, [GoalProject(p, 50, Rag.RED) for p in projects]),
        moved=[ColourChange(p, Rag.GREEN, Rag.RED) for p in projects],
    )
    text = Templates().render("digest_goals.j2", team_id=TEAM, **digest_context([week]))
    assert [line.split("*")[1] for line in text.split("\n") if "→" in line] == [
        "P0",
        "P1",
        "P2",
        "P3",
        "P4",
    ]
    assert text.endswith("↳ …and 2 more changed colour")
