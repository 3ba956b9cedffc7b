"""`/goal` for goals: the form, the list and one goal with their health, check-ins,
archiving, linking projects (by command and in the project form), and Home: through
signed requests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlmodel import select

from commands.goal_message import checked_on
from commands.home import home_view, leader_view
from storage.models import AuditEvent, Gate, Goal, GoalCheckin, Project, ProjectGoal, Rag
from storage.workspaces import ensure_workspace
from tests.conftest import START
from tests.factories import APPROVER, MEMBER, PM, SPONSOR, TEAM, make_project
from workflows.actor import Actor
from workflows.attention import Attention, AttentionItem, Colour, Concern
from workflows.gates import GateDraft, store_request
from workflows.goal_health import GoalHealth, GoalProject
from workflows.goals import GoalDraft, check_in, create_goal
from workflows.home import Home, LeaderHome
from workflows.risks import RiskDraft, store_risk
from workflows.status import StatusDraft, post_update

LEAD = "ULEAD0001"
OWNER = "UOWNER001"
EARLIER = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
CHURN_FORM = {
    "Key": "churn",
    "Title": "Keep our customers",
    "Owner": OWNER,
    "Target date": "2027-06-30",
    "Measure": "Monthly churn",
    "Baseline": "8 %",
    "Target": "5 %",
}


def setup_leads(database, *users):
    with database.session() as session:
        workspace = ensure_workspace(session=session, team_id=TEAM)
        workspace.pmo_leads = list(users)
        session.add(workspace)


def make_goal(database, key="CHURN", *, measure=True, owner=OWNER, **fields):
    """A goal created by a PMO lead, with churn's measure unless `measure` is False."""
    setup_leads(database, LEAD)
    values = {"key": key, "title": "Keep our customers", "owner": owner, **fields}
    if measure:
        values = {"measure": "Monthly churn", "baseline": "8 %", "target": "5 %", **values}
    with database.session() as session:
        return create_goal(
            session=session, actor=Actor(TEAM, LEAD), draft=GoalDraft(**values), now=EARLIER
        ).goal


def new_goal(slack, values, *, user=LEAD):
    slack.command("/goal", "new", user=user)
    return slack.submit(slack.last_modal().enter(values), user=user)


def inline_errors(reply):
    body = reply.json()
    assert body.get("response_action") == "errors", reply.body
    return body["errors"]


def stored(database, model=Goal):
    with database.session() as session:
        return session.exec(select(model)).all()


def audited(database, prefix):
    with database.session() as session:
        rows = session.exec(
            select(AuditEvent).where(AuditEvent.action.like(f"{prefix}%")).order_by(AuditEvent.id)
        )
        return [(event.action, event.actor) for event in rows]


def reply_text(slack_api):
    return slack_api.last_reply()["text"]


# -- creating goals ---------------------------------------------------------------------------


def test_a_pmo_lead_creates_a_goal_in_the_form_and_its_owner_is_told(slack, slack_api, database):
    setup_leads(database, LEAD)
    slack.command("/goal", "new", user=LEAD)
    modal = slack.last_modal()
    assert modal.title == "New goal"
    assert modal.labels() == [
        "Key",
        "Title",
        "Owner",
        "Target date",
        "Measure",
        "Unit",
        "Baseline",
        "Target",
    ]
    assert modal.initial("Owner") == LEAD
    reply = slack.submit(modal.enter(CHURN_FORM), user=LEAD)
    assert reply.json()["response_action"] == "update"
    assert "*CHURN* Keep our customers is created" in str(reply.json()["view"]["blocks"])
    [goal] = stored(database)
    assert (goal.key, goal.owner, goal.target_date, goal.measure, goal.unit) == (
        "CHURN",
        OWNER,
        date(2027, 6, 30),
        "Monthly churn",
        "%",
    )
    assert (goal.baseline, goal.target) == (Decimal("8"), Decimal("5"))
    assert audited(database, "goal.") == [("goal.created", LEAD)]
    [told] = slack_api.dms(OWNER)
    assert "<@ULEAD0001> made you the owner of the goal *CHURN* Keep our customers." in told.text
    assert "`/goal update CHURN value [note]`" in told.text


def test_only_pmo_leads_open_the_goal_form(slack, slack_api, database):
    slack.command("/goal", "new", user=PM)
    assert reply_text(slack_api) == (
        "Only a PMO lead can create goals, and this workspace names none yet: a Slack admin "
        "names them in `/pmo settings`."
    )
    setup_leads(database, LEAD)
    slack.command("/goal", "new", user=PM)
    assert reply_text(slack_api) == "Only a PMO lead (<@ULEAD0001>) can create goals."
    assert slack_api.calls_to("views.open") == []


def test_a_lead_who_stops_being_one_while_the_form_is_open_is_refused(slack, database):
    setup_leads(database, LEAD)
    slack.command("/goal", "new", user=LEAD)
    modal = slack.last_modal().enter(CHURN_FORM)
    setup_leads(database, OWNER)
    errors = inline_errors(slack.submit(modal, user=LEAD))
    assert "Only a PMO lead (<@UOWNER001>) can create goals." in errors["key"]
    assert stored(database) == []


def test_every_bad_field_of_the_goal_form_is_named_inline_and_nothing_is_stored(slack, database):
    make_goal(database)
    for changes, field, said in (
        ({"Key": "Churn"}, "key", "CHURN is already taken by another goal."),
        ({"Key": "c!"}, "key", "A key is 2 to 10 letters or digits"),
        ({"Target date": "2026-11-01"}, "target_date", "The target date is in the past."),
        ({"Baseline": "lots"}, "baseline", "The baseline: “lots” is not a number"),
        ({"Target": "five"}, "target", "The target: “five” is not a number"),
        ({"Target": None}, "target", "Give the value to reach"),
        ({"Measure": None}, "measure", "Name what is measured"),
        ({"Target": "8"}, "target", "The target is the baseline: a measure must move."),
    ):
        values = {**CHURN_FORM, "Key": "NPS", **changes}
        errors = inline_errors(new_goal(slack, values))
        assert said in errors[field], (changes, errors)
    assert [goal.key for goal in stored(database)] == ["CHURN"]


def test_a_goal_may_have_no_measure(slack, database):
    setup_leads(database, LEAD)
    values = {"Key": "REACH", "Title": "Enter two new markets", "Owner": OWNER}
    assert new_goal(slack, values).json()["response_action"] == "update"
    [goal] = stored(database)
    assert (goal.measure, goal.baseline, goal.target, goal.target_date) == ("", None, None, None)


def test_the_owner_edits_a_goal_in_the_form_prefilled(slack, slack_api, database):
    make_goal(database)
    slack.command("/goal", "edit CHURN", user=PM)
    assert "Only the owner of CHURN or a PMO lead" in reply_text(slack_api)
    slack.command("/goal", "edit churn", user=OWNER)
    modal = slack.last_modal()
    assert modal.title == "Edit CHURN" and "Key" not in modal.labels()
    assert (modal.initial("Baseline"), modal.initial("Target"), modal.initial("Unit")) == (
        "8",
        "5",
        "%",
    )
    reply = slack.submit(modal.enter({"Target": "4.5", "Owner": SPONSOR}), user=OWNER)
    assert reply.json()["response_action"] == "update"
    [goal] = stored(database)
    assert (goal.target, goal.owner) == (Decimal("4.5"), SPONSOR)
    assert audited(database, "goal.") == [("goal.created", LEAD), ("goal.updated", OWNER)]
    assert "made you the owner of the goal *CHURN*" in slack_api.dms(SPONSOR)[0].text


# -- reading goals ----------------------------------------------------------------------------


def plant_churn(database):
    """CHURN served by APOLLO (60, amber, a high risk), HERMES (100, green) and ZEUS (20,
    no update yet, a pending gate); its measure checked in at 7.25 %."""
    make_goal(database, target_date=date(2027, 6, 30))
    apollo = make_project(database)
    hermes = make_project(database, key="HERMES", channel_id=None)
    zeus = make_project(database, key="ZEUS", channel_id=None)
    with database.session() as session:
        for project, weight in ((apollo, 60), (hermes, 100), (zeus, 20)):
            session.add(ProjectGoal(team_id=TEAM, project_id=project.id, goal_id=1, weight=weight))
        for project, rag in ((apollo, Rag.AMBER), (hermes, Rag.GREEN)):
            post_update(
                session=session,
                project=project,
                author=PM,
                now=EARLIER,
                draft=StatusDraft(rag, "s", path_to_green="p"),
            )
        store_risk(
            session=session,
            project=apollo,
            raised_by=PM,
            now=EARLIER,
            draft=RiskDraft(title="Vendor may slip", probability=4, impact=4),
        )
        store_request(
            session=session,
            project=zeus,
            requester=PM,
            draft=GateDraft("e", [0, 1, 2]),
            now=EARLIER,
        )
        check_in(
            session=session,
            actor=Actor(TEAM, OWNER),
            key="CHURN",
            value="7.25",
            note="Q3 in",
            now=EARLIER,
        )


def test_list_gives_each_goal_its_health_and_measure(slack, slack_api, database):
    plant_churn(database)
    make_goal(database, key="REACH", measure=False, title="Enter two new markets")
    slack.command("/goal", "", user=MEMBER)
    sections = [
        b["text"]["text"] for b in slack_api.last_reply()["blocks"] if b["type"] == "section"
    ]
    churn, reach = sections
    assert churn.split("\n") == [
        ":large_yellow_circle: *CHURN* Keep our customers · owner <@UOWNER001> · "
        "by Wed 30 Jun 2027",
        "1 of 3 projects on track (33 %) · next gate *ZEUS-G1* Plan → Execute · 1 open high risk",
        f"Monthly churn *7.25 %* on {checked_on(EARLIER)} · 8 % → 5 % · 25 % of the way",
    ]
    assert reach.split("\n") == [
        ":black_circle: *REACH* Enter two new markets · owner <@UOWNER001>",
        "No project serves it yet: `/goal link KEY REACH 60` links one.",
    ]
    slack.command("/goal", "list", user=MEMBER)
    assert slack_api.last_reply()["text"] == "2 goals"


def test_with_no_goal_the_list_says_who_creates_one(slack, slack_api):
    slack.command("/goal", "", user=MEMBER)
    assert "A PMO lead creates one with `/goal new`." in str(slack_api.last_reply()["blocks"])


def test_show_gives_projects_by_weight_and_the_latest_check_ins(slack, slack_api, database):
    plant_churn(database)
    slack.command("/goal", "churn", user=MEMBER)
    text = str(slack_api.last_reply()["blocks"])
    assert "1 open high risk (score 12+)" in text
    assert f"• {checked_on(EARLIER)} *7.25 %* by <@UOWNER001>: “Q3 in”" in text
    projects = text[text.index("*Projects serving it* (3)") :]
    assert projects.index("*HERMES*") < projects.index("*APOLLO*") < projects.index("*ZEUS*")
    assert ":large_yellow_circle: *APOLLO* Apollo launch · weight 60" in projects
    slack.command("/goal", "show CHURN", user=MEMBER)
    assert slack_api.last_reply()["text"] == "CHURN · Keep our customers"


def test_an_unknown_goal_is_named_with_close_matches(slack, slack_api, database):
    make_goal(database)
    slack.command("/goal", "CHURM", user=MEMBER)
    assert reply_text(slack_api) == (
        "There is no goal `CHURM` in this workspace. Did you mean `CHURN`?"
    )
    slack.command("/goal", "xyzzy <!channel>", user=MEMBER)
    assert reply_text(slack_api) == (
        "There is no goal `XYZZY` in this workspace. `/goal list` shows the goals there are."
    )
    slack.command("/goal", "show", user=MEMBER)
    assert reply_text(slack_api) == "Which goal? `/goal show GOAL`."


# -- check-ins -------------------------------------------------------------------------------


def test_the_owner_checks_in_the_measure_in_one_line(slack, slack_api, database):
    make_goal(database)
    slack.command("/goal", "update CHURN 7.5 fewer cancellations", user=OWNER)
    assert reply_text(slack_api) == (
        f":white_check_mark: Checked in *CHURN*: Monthly churn *7.5 %* on {checked_on(START)} "
        "· 8 % → 5 % · 17 % of the way."
    )
    slack.command("/goal", "update churn 7 %", user=LEAD)
    assert reply_text(slack_api).endswith("33 % of the way (was 7.5 %).")
    assert [(c.value, c.note, c.author) for c in stored(database, GoalCheckin)] == [
        (Decimal("7.5"), "fewer cancellations", OWNER),
        (Decimal("7"), "", LEAD),
    ]
    assert audited(database, "goal.checked_in") == [
        ("goal.checked_in", OWNER),
        ("goal.checked_in", LEAD),
    ]


def test_a_check_in_that_is_wrong_says_why_and_stores_nothing(slack, slack_api, database):
    make_goal(database)
    make_goal(database, key="REACH", measure=False)
    for user, text, said in (
        (OWNER, "update CHURN lots", "The value: “lots” is not a number"),
        (OWNER, f"update CHURN 7 {'n' * 1001}", "The note can be at most 1,000 characters"),
        (
            PM,
            "update CHURN 7",
            "Only the owner of CHURN or a PMO lead (<@UOWNER001>, <@ULEAD0001>)",
        ),
        (OWNER, "update REACH 7", "REACH has no measure to check in: `/goal edit REACH`"),
        (OWNER, "update CHRUN 7", "There is no goal `CHRUN` in this workspace. Did you mean"),
        (OWNER, "update", "Which goal? `/goal update GOAL value [note]`."),
    ):
        slack.command("/goal", text, user=user)
        assert said in reply_text(slack_api), (text, reply_text(slack_api))
    assert "`/goal update GOAL value [note]`" in slack_api.ephemeral_replies()[0]["text"]
    assert stored(database, GoalCheckin) == []


def test_update_without_a_value_opens_the_check_in_form(slack, database):
    make_goal(database)
    slack.command("/goal", "update CHURN", user=OWNER)
    modal = slack.last_modal()
    assert modal.title == "Check in CHURN"
    assert modal.block("Latest value")["hint"]["text"] == "Monthly churn · 8 % → 5 %"
    errors = inline_errors(slack.submit(modal.enter({"Latest value": "a lot"}), user=OWNER))
    assert errors == {
        "value": "The value: “a lot” is not a number; write it like 5, 12.5 %, 80k or 1.2m."
    }
    reply = slack.submit(modal.enter({"Latest value": "6.5", "Note": "win-back"}), user=OWNER)
    assert "Checked in *CHURN*" in str(reply.json()["view"]["blocks"])
    [checkin] = stored(database, GoalCheckin)
    assert (checkin.value, checkin.note) == (Decimal("6.5"), "win-back")


# -- archiving -------------------------------------------------------------------------------


def test_the_owner_archives_a_goal_and_it_leaves_the_list(slack, slack_api, database):
    make_goal(database)
    slack.command("/goal", "archive CHURN", user=PM)
    assert "Only the owner of CHURN or a PMO lead" in reply_text(slack_api)
    slack.command("/goal", "archive CHURN", user=OWNER)
    assert reply_text(slack_api) == "CHURN is archived."
    slack.command("/goal", "", user=MEMBER)
    assert "*CHURN*" not in str(slack_api.last_reply()["blocks"])
    slack.command("/goal", "update CHURN 7", user=OWNER)
    assert "CHURN is archived: `/goal unarchive CHURN` brings it back." in reply_text(slack_api)
    slack.command("/goal", "unarchive CHURN", user=LEAD)
    assert reply_text(slack_api) == "CHURN is active again."
    assert audited(database, "goal.") == [
        ("goal.created", LEAD),
        ("goal.archived", OWNER),
        ("goal.unarchived", LEAD),
    ]


# -- linking projects ------------------------------------------------------------------------


def links(database):
    with database.session() as session:
        rows = session.exec(
            select(Project.key, Goal.key, ProjectGoal.weight)
            .join(Project, Project.id == ProjectGoal.project_id)
            .join(Goal, Goal.id == ProjectGoal.goal_id)
            .order_by(Project.key, Goal.key)
        )
        return [tuple(row) for row in rows]


def test_a_pm_links_their_project_to_a_goal_with_a_weight(slack, slack_api, database):
    make_goal(database)
    make_project(database)
    slack.command("/goal", "link APOLLO CHURN 60", user=PM)
    assert reply_text(slack_api) == "APOLLO now serves *CHURN* Keep our customers with weight 60."
    slack.command("/goal", "link apollo churn 40%", user=LEAD)
    assert reply_text(slack_api).endswith("with weight 40 (was 60).")
    assert links(database) == [("APOLLO", "CHURN", 40)]


def test_a_wrong_link_says_why_and_stores_nothing(slack, slack_api, database):
    make_goal(database)
    make_project(database)
    for user, text, said in (
        (PM, "link APOLLO CHURN 150", "The weight of CHURN must be from 0 to 100; yours is 150."),
        (PM, "link APOLLO CHURN lots", "The weight is a whole number from 0 to 100"),
        (PM, "link APOLLO CHRUN 60", "There is no goal `CHRUN` in this workspace. Did you mean"),
        (PM, "link APOLO CHURN 60", "There is no project `APOLO` in this workspace. Did you mean"),
        (APPROVER, "link APOLLO CHURN 60", "or a PMO lead can link it to goals."),
        (PM, "link APOLLO", "Name the project and the goal: `/goal link KEY GOAL [weight]`."),
    ):
        slack.command("/goal", text, user=user)
        assert said in reply_text(slack_api), (text, reply_text(slack_api))
    assert links(database) == []


# -- the project form's Goals field ------------------------------------------------------------

NEW_PROJECT = {
    "Key": "apollo",
    "Name": "Apollo launch",
    "Project manager (PM)": PM,
    "Phase": "Plan",
}


def open_project_form(slack, text="new", user=PM):
    slack.command("/pmo", text, user=user)
    return slack.last_modal()


def test_the_project_form_asks_for_goals_only_once_the_workspace_has_some(slack, database):
    assert "Goals" not in open_project_form(slack).labels()
    make_goal(database)
    labels = open_project_form(slack).labels()
    assert labels[labels.index("Goals") - 1 : labels.index("Goals") + 2] == [
        "Status updates due",
        "Goals",
        "Gate approval",
    ]


def test_a_new_project_serves_the_goals_named_with_their_weights_audited(slack, database):
    make_goal(database)
    make_goal(database, key="NPS", measure=False)
    modal = open_project_form(slack).enter({**NEW_PROJECT, "Goals": "churn 60, NPS 40"})
    assert slack.submit(modal, user=PM).body == ""
    assert links(database) == [("APOLLO", "CHURN", 60), ("APOLLO", "NPS", 40)]
    with database.session() as session:
        created = session.exec(
            select(AuditEvent).where(AuditEvent.action == "project.created")
        ).one()
    assert created.detail["goals"] == {"CHURN": 60, "NPS": 40}


def test_wrong_goals_in_the_project_form_are_inline_and_nothing_is_half_stored(slack, database):
    make_goal(database)
    make_goal(database, key="OLD", measure=False)
    with database.session() as session:
        session.exec(select(Goal).where(Goal.key == "OLD")).one().archived = True
    for typed, said in (
        ("CHURM 60", "There is no goal `CHURM` in this workspace. Did you mean `CHURN`?"),
        ("CHURN 150", "The weight of CHURN must be from 0 to 100; yours is 150."),
        ("CHURN 60, churn 40", "CHURN is named twice: give each goal once, with one weight."),
        ("CHURN sixty", "`CHURN sixty` is not a goal and a weight"),
        ("OLD 50", "OLD is archived: `/goal unarchive OLD` brings it back first."),
    ):
        modal = open_project_form(slack).enter({**NEW_PROJECT, "Goals": typed})
        errors = inline_errors(slack.submit(modal, user=PM))
        assert said in errors["goals"], (typed, errors)
    assert stored(database, Project) == [] and links(database) == []


def test_the_edit_form_shows_the_goals_served_and_changes_them_with_the_project(slack, database):
    make_goal(database)
    make_goal(database, key="NPS", measure=False)
    make_goal(database, key="OLD", measure=False)
    make_project(database)
    for goal, weight in (("CHURN", 60), ("OLD", 10)):
        slack.command("/goal", f"link APOLLO {goal} {weight}", user=PM)
    slack.command("/goal", "archive OLD", user=LEAD)
    modal = open_project_form(slack, "edit APOLLO")
    assert modal.initial("Goals") == "CHURN 60"  # the archived goal is not offered
    errors = inline_errors(
        slack.submit(modal.enter({"Goals": "CHURN 70, NSP 30", "Phase": "Execute"}), user=PM)
    )
    assert "Did you mean `NPS`?" in errors["goals"]
    with database.session() as session:
        assert session.exec(select(Project.phase)).one() == "Plan"  # nothing half-stored
    assert slack.submit(modal.enter({"Goals": "NPS 30"}), user=PM).body == ""
    assert links(database) == [("APOLLO", "NPS", 30), ("APOLLO", "OLD", 10)]
    with database.session() as session:
        edit = session.exec(
            select(AuditEvent)
            .where(AuditEvent.action == "project.updated")
            .order_by(AuditEvent.id.desc())
        ).first()
    assert edit.detail["changes"]["goals"] == [{"CHURN": 60}, {"NPS": 30}]


# -- Home ------------------------------------------------------------------------------------


def home_sections(slack, slack_api, user):
    slack.event({"type": "app_home_opened", "user": user, "channel": "D0HOME001", "tab": "home"})
    blocks = slack_api.last("views.publish")["view"]["blocks"]
    return [b["text"]["text"] for b in blocks if b["type"] == "section"]


def test_a_goal_owner_sees_the_goals_they_own_with_their_health(slack, slack_api, database):
    plant_churn(database)
    sections = home_sections(slack, slack_api, OWNER)
    at = sections.index("*Goals you own* (1)")
    assert sections[at + 1].startswith(":large_yellow_circle: *CHURN* Keep our customers")
    assert "1 of 3 projects on track (33 %)" in sections[at + 1]
    assert "*Goals you own*" not in str(home_sections(slack, slack_api, MEMBER))


def test_a_leader_sees_the_goals_they_own_above_what_waits_for_them(slack, slack_api, database):
    plant_churn(database)
    make_goal(database, key="REACH", measure=False, owner=LEAD)
    with database.session() as session:  # set up, so no setup checklist comes first
        workspace = ensure_workspace(session=session, team_id=TEAM)
        workspace.digest_channel, workspace.time_zone = "CDIGEST01", "Europe/London"
        session.add(workspace)
    sections = home_sections(slack, slack_api, LEAD)
    assert sections[0].startswith("*3 active projects*")
    at = sections.index("*Goals you own* (1)")
    assert sections[at + 1].startswith(":black_circle: *REACH*")
    assert at < sections.index("*Waiting for your acknowledgement* (1)")


def many_goals(count):
    """`count` goals, each served by a red project with a gate waiting and a check-in."""
    project = Project(id=1, team_id=TEAM, key="APOLLO", name="a", phase="Plan", created_by=PM)
    gate = Gate(
        id=1,
        team_id=TEAM,
        project_id=1,
        number=1,
        from_phase="Plan",
        to_phase="Execute",
        requested_by=PM,
        requested_at=EARLIER,
        evidence="e",
        rule="all",
        required=1,
    )
    healths = []
    for n in range(count):
        goal = Goal(
            id=n + 1,
            team_id=TEAM,
            key=f"G{n:02d}",
            title="t",
            owner=SPONSOR,
            measure="m",
            unit="%",
            baseline=Decimal(8),
            target=Decimal(5),
            created_by=LEAD,
            created_at=EARLIER,
            updated_at=EARLIER,
        )
        checkin = GoalCheckin(
            team_id=TEAM, goal_id=n + 1, value=Decimal(7), author=SPONSOR, created_at=EARLIER
        )
        healths.append(
            GoalHealth(goal, [GoalProject(project, 60, Rag.RED)], (gate, project), 3, checkin)
        )
    return healths


def test_a_leader_owning_many_goals_still_gets_100_blocks_with_the_portfolio_first():
    projects = [
        Project(id=n, team_id=TEAM, key=f"P{n:04d}", name="p", phase="Plan", created_by=PM)
        for n in range(150)
    ]
    today = date(2026, 11, 30)
    red = Colour(Concern.OFF_TRACK, today, 0, Rag.RED, "plan")
    home = LeaderHome(
        attention=Attention(today, [AttentionItem(p, PM, [red]) for p in projects], projects),
        counts={"green": 0, "amber": 0, "red": 150, "hold": 0, "none": 0},
        acknowledgements=[],
        own=Home(projects=[], awaiting=[], risks=[], goals=many_goals(15)),
    )
    blocks = leader_view(home)["blocks"]
    assert len(blocks) == 100
    texts = [
        b["text"]["text"] if b["type"] == "section" else b["elements"][0]["text"]
        for b in blocks
        if b["type"] in ("section", "context")
    ]
    at = texts.index("*Goals you own* (15)")
    assert texts[at + 1].startswith(":red_circle: *G00* t · owner <@USPONSOR1>")
    assert texts[at + 11] == "…and 5 more."
    assert sum(1 for t in texts if t.startswith(":red_circle: *P")) >= 25


def test_a_person_owning_many_goals_gets_a_home_within_100_blocks():
    home = Home(projects=[], awaiting=[], risks=[], goals=many_goals(30))
    blocks = home_view(home)["blocks"]
    assert len(blocks) <= 100
    assert "…and 20 more." in str(blocks)


def test_help_lists_the_goal_commands(slack, slack_api):
    slack.command("/pmo", "help", user=PM)
    text = str(slack_api.last_reply()["blocks"])
    for usage in (
        "*Goals: /goal*",
        "/goal new",
        "/goal GOAL",
        "/goal update GOAL [value] [note]",
        "/goal link KEY GOAL [weight]",
        "/goal archive GOAL",
    ):
        assert usage in text
