"""`/pmo`: help, new, list, show, edit, archive: through signed requests."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from storage.models import AuditEvent, Project, ProjectRole, Role
from tests.factories import APPROVER, APPROVER_2, MEMBER, OUTSIDER, PM, SPONSOR, make_project

NEW_PROJECT = {
    "Key": "apollo",
    "Name": "Apollo launch",
    "Project manager (PM)": PM,
    "Sponsor": SPONSOR,
    "Approvers": [APPROVER, APPROVER_2],
    "Members": [MEMBER],
    "Home channel": "CAPOLLO01",
    "Phase": "Plan",
    "Start date": "2026-09-01",
    "Target date": "2027-03-31",
    "Budget": "250000",
}


def open_new_project_form(slack, user=PM):
    reply = slack.command("/pmo", "new", user=user)
    assert reply.status == 200
    return slack.last_modal()


def test_help_lists_every_command_with_its_short_form(slack, slack_api):
    slack.command("/pmo", "help", user=PM)
    text = str(slack_api.last_reply()["blocks"])
    for usage in ("/pmo new", "/pmo list", "/pmo show [KEY]", "/pmo edit [KEY]"):
        assert usage in text


def test_pmo_alone_shows_the_help(slack, slack_api):
    slack.command("/pmo", "", user=PM)
    assert "/pmo new" in str(slack_api.last_reply()["blocks"])


def test_new_opens_a_modal_whose_labels_name_what_they_ask(slack):
    modal = open_new_project_form(slack)
    assert modal.title == "New project"
    assert modal.labels() == [
        "Key",
        "Name",
        "Project manager (PM)",
        "Sponsor",
        "Approvers",
        "Members",
        "Home channel",
        "Phase",
        "Start date",
        "Target date",
        "Budget",
    ]
    assert modal.options("Phase") == ["Initiate", "Plan", "Execute", "Close"]
    assert modal.initial("Project manager (PM)") == PM


def test_submitting_the_form_creates_the_project_with_its_roles(slack, database):
    modal = open_new_project_form(slack).enter(NEW_PROJECT)
    reply = slack.submit(modal, user=PM)
    assert reply.status == 200
    assert reply.body == ""
    with database.session() as session:
        project = session.exec(select(Project)).one()
        roles = {(r.user_id, r.role) for r in session.exec(select(ProjectRole))}
        audit = session.exec(select(AuditEvent)).all()
    assert project.key == "APOLLO"
    assert project.start_date == date(2026, 9, 1)
    assert project.budget == 250000
    assert roles == {
        (PM, Role.PM),
        (SPONSOR, Role.SPONSOR),
        (APPROVER, Role.APPROVER),
        (APPROVER_2, Role.APPROVER),
        (MEMBER, Role.MEMBER),
    }
    assert [(a.action, a.actor) for a in audit] == [("project.created", PM)]
