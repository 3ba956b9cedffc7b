"""Project types: PMO leads define lifecycles from Slack, `/pmo new` picks one, and a
project's gates follow its type's phases and checklists."""

from __future__ import annotations

from sqlmodel import select

from storage.models import AuditEvent, Project, ProjectType, StatusUpdate
from storage.project_type_log import STANDARD_CHECKLISTS
from storage.workspaces import ensure_workspace
from tests.factories import OUTSIDER, PM, SPONSOR, TEAM, make_project
from workflows.gates import CRITERIA

LEAD = "ULEAD0001"
ADMIN = "UADMIN001"
SOFTWARE = {
    "Name": "Software",
    "Phases": "Discover\nBuild\nRun",
    "Gate checklists": "Build: Design reviewed (required)\nBuild: Budget signed off",
    "Gate approval": "any",
    "Days to decide a gate": "5",
}


def setup_lead(slack_api, database):
    slack_api.add_user(LEAD, "Lee Lead")
    slack_api.add_user(PM, "Priya PM")
    slack_api.add_user(ADMIN, "Ada Admin", is_admin=True)
    with database.session() as session:
        workspace = ensure_workspace(session=session, team_id=TEAM)
        workspace.pmo_leads = [LEAD]
        session.add(workspace)


def define(slack, values=SOFTWARE, *, user=LEAD, verb="type new"):
    slack.command("/pmo", verb, user=user)
    modal = slack.last_modal()
    return slack.submit(modal.enter(values), user=user)


def software(database):
    with database.session() as session:
        return session.exec(select(ProjectType).where(ProjectType.name == "Software")).one()


def test_a_pmo_lead_defines_a_type_and_it_is_listed_and_audited(slack, slack_api, database):
    setup_lead(slack_api, database)
    assert define(slack).body == ""
    kind = software(database)
    assert kind.phases == ["Discover", "Build", "Run"]
    assert kind.checklists == {
        "Build": [
            {"item": "Design reviewed", "required": True},
            {"item": "Budget signed off", "required": False},
        ]
    }
    assert (kind.gate_rule, kind.gate_sla_days, kind.is_default) == ("any", 5, False)
    assert kind.dimensions == ["schedule", "scope", "budget", "resources"]
    slack.command("/pmo", "types", user=PM)
    text = str(slack_api.last_reply()["blocks"])
    assert "*Standard* (default)" in text
    assert "*Software*" in text and "Discover → Build → Run" in text
    with database.session() as session:
        actions = [e.action for e in session.exec(select(AuditEvent))]
    assert actions.count("project_type.created") == 1


def test_a_project_of_the_type_gets_its_phases_rule_and_checklist_at_its_gate(
    slack, slack_api, database
):
    setup_lead(slack_api, database)
    define(slack)
    slack.command("/pmo", "new", user=PM)
    modal = slack.last_modal()
    assert modal.options("Type")[0] != str(software(database).id)  # the default first
    values = {
        "Key": "ROVER",
        "Name": "Rover app",
        "Type": "Software",
        "Sponsor": SPONSOR,
        "Approvers": [LEAD],
        "Home channel": "CROVER001",
    }
    assert slack.submit(modal.enter(values), user=PM).body == ""
    with database.session() as session:
        project = session.exec(select(Project).where(Project.key == "ROVER")).one()
    assert (project.type_id, project.phase) == (software(database).id, "Discover")
    assert (project.gate_rule, project.gate_sla_days) == ("any", 5)
    slack.command("/gate", "ROVER", user=PM)
    gate_form = slack.last_modal()
    assert "*Gate:* Discover → Build" in str(gate_form.view["blocks"])
    labels = [o["text"]["text"] for o in gate_form.block("Entry criteria")["element"]["options"]]
    assert labels == ["Design reviewed (required)", "Budget signed off"]


def test_the_new_project_form_asks_no_type_while_there_is_one(slack, slack_api, database):
    setup_lead(slack_api, database)
    slack.command("/pmo", "new", user=PM)
    assert "Type" not in slack.last_modal().labels()


def test_removing_a_phase_that_projects_are_in_is_refused_naming_them(slack, slack_api, database):
    setup_lead(slack_api, database)
    define(slack)
    make_project(database, type_id=software(database).id, phase="Build")
    reply = define(
        slack, {"Phases": "Discover\nRun", "Gate checklists": ""}, verb="type edit software"
    )
    errors = reply.json()["errors"]
    assert "APOLLO (Build)" in errors["phases"]
    assert software(database).phases == ["Discover", "Build", "Run"]


def test_a_phase_nobody_is_in_may_be_removed_and_the_change_is_audited(slack, slack_api, database):
    setup_lead(slack_api, database)
    define(slack)
    make_project(database, type_id=software(database).id, phase="Discover")
    values = {"Phases": "Discover\nShip", "Gate checklists": "Ship: Tested (required)"}
    assert define(slack, values, verb="type edit Software").body == ""
    assert software(database).phases == ["Discover", "Ship"]
    with database.session() as session:
        event = session.exec(
            select(AuditEvent).where(AuditEvent.action == "project_type.updated")
        ).one()
    assert event.detail["changes"]["phases"] == [["Discover", "Build", "Run"], ["Discover", "Ship"]]


def test_only_pmo_leads_and_slack_admins_define_types(slack, slack_api, database):
    setup_lead(slack_api, database)
    slack.command("/pmo", "type new", user=OUTSIDER)
    assert "Only the PMO leads" in slack_api.last_reply()["text"]
    assert slack_api.last_view_id is None
    assert define(slack, user=ADMIN).body == ""


def test_every_bad_field_of_the_type_form_is_named(slack, slack_api, database):
    setup_lead(slack_api, database)
    values = {
        "Name": "standard",
        "Phases": "Only one",
        "Gate checklists": "Elsewhere: something",
        "Days to decide a gate": "40",
    }
    errors = define(slack, values).json()["errors"]
    assert set(errors) == {"name", "phases", "checklists", "gate_sla_days"}
    assert "already a type called Standard" in errors["name"]
    assert "Elsewhere" in errors["checklists"]
    with database.session() as session:
        assert "standard" not in [t.name for t in session.exec(select(ProjectType))]


def test_a_checklist_line_without_a_phase_is_named_by_its_number(slack, slack_api, database):
    setup_lead(slack_api, database)
    values = {**SOFTWARE, "Gate checklists": "Build: Reviewed\njust an item"}
    errors = define(slack, values).json()["errors"]
    assert errors["checklists"].startswith("Line 2 should read `Phase: item`")


def test_the_standard_type_keeps_the_checklists_gates_always_had():
    assert {
        phase: [(e["item"], e["required"]) for e in items]
        for phase, items in STANDARD_CHECKLISTS.items()
    } == CRITERIA


def test_the_status_form_asks_only_the_dimensions_of_the_projects_type(slack, slack_api, database):
    setup_lead(slack_api, database)
    define(slack, {**SOFTWARE, "Status dimensions": ["schedule", "budget"]})
    kind = software(database)
    assert kind.dimensions == ["schedule", "budget"]
    make_project(database, type_id=kind.id, phase="Discover")
    slack.command("/status", "", user=PM, channel="CAPOLLO01")
    modal = slack.last_modal()
    labels = modal.labels()
    assert "Schedule" in labels and "Budget" in labels
    assert "Scope" not in labels and "Resources" not in labels
    modal.enter(
        {"Overall": "amber", "Schedule": "red", "Summary": "Late", "Path to green": "Re-plan"}
    )
    assert slack.submit(modal, user=PM).status == 200
    with database.session() as session:
        update = session.exec(select(StatusUpdate)).one()
    # What the type does not ask takes the overall colour.
    assert (update.schedule, update.budget, update.scope, update.resources) == (
        "red",
        "green",
        "amber",
        "amber",
    )
