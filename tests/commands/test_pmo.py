"""`/pmo`: help, new, list, show, edit, archive: through signed requests."""

from __future__ import annotations

import contextlib
import json
import threading
from datetime import date

from sqlmodel import select

import workflows.projects
from storage.models import AuditEvent, Project, ProjectRole, Role
from storage.workspaces import ensure_workspace
from tests.factories import APPROVER, APPROVER_2, MEMBER, OUTSIDER, PM, SPONSOR, TEAM, make_project

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
    for usage in (
        "/pmo new",
        "/pmo list",
        "/pmo show [KEY]",
        "/pmo edit [KEY]",
        "/status [KEY] green|amber|red|hold text",
        "/status history [KEY]",
    ):
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
        "Status updates due",
        "Gate approval",
        "Gate rules",
        "Days to decide a gate",
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


def test_a_new_project_is_announced_in_its_home_channel_with_its_card(slack, slack_api):
    slack.submit(open_new_project_form(slack).enter(NEW_PROJECT), user=PM)
    [post] = slack_api.posts("CAPOLLO01")
    assert "APOLLO · Apollo launch" in post.all_text()
    assert f"<@{SPONSOR}>" in post.all_text()


def test_a_project_without_home_channel_is_announced_to_its_creator(slack, slack_api):
    slack.submit(open_new_project_form(slack).enter({**NEW_PROJECT, "Home channel": None}), user=PM)
    [post] = slack_api.dms(PM)
    assert "APOLLO" in post.all_text()


def test_home_channel_defaults_to_the_channel_the_command_was_typed_in(slack, database):
    slack.command("/pmo", "new", user=PM, channel="CHERE0001")
    modal = slack.last_modal()
    fields = {k: v for k, v in NEW_PROJECT.items() if k != "Home channel"}
    slack.submit(modal.enter(fields), user=PM, channel="CHERE0001")
    with database.session() as session:
        assert session.exec(select(Project)).one().channel_id == "CHERE0001"


def submit_new(slack, **changes):
    modal = open_new_project_form(slack).enter({**NEW_PROJECT, **changes})
    return slack.submit(modal, user=PM)


def inline_errors(reply):
    body = reply.json()
    assert body.get("response_action") == "errors", reply.body
    return body["errors"]


def test_a_taken_key_is_an_inline_error(slack, database):
    make_project(database, key="APOLLO", channel_id="COTHER001")
    errors = inline_errors(submit_new(slack, Key="Apollo"))
    assert errors == {"key": "APOLLO is already taken by another project. Pick another key."}


def test_a_key_that_is_not_2_to_10_letters_or_digits_is_an_inline_error(slack, database):
    for bad in ("A", "APOLLO-11", "ÅPOLLO", "TOOLONGKEY1"):
        errors = inline_errors(submit_new(slack, Key=bad))
        assert "2 to 10 letters or digits" in errors["key"]
    with database.session() as session:
        assert session.exec(select(Project)).all() == []


def test_a_target_date_before_the_start_is_an_inline_error(slack):
    errors = inline_errors(
        submit_new(slack, **{"Start date": "2027-01-10", "Target date": "2027-01-09"})
    )
    assert errors == {"target_date": "The target date can't be before the start date."}


def test_a_negative_budget_is_an_inline_error(slack):
    errors = inline_errors(submit_new(slack, Budget="-1"))
    assert errors == {"budget": "A budget can't be negative."}


def test_every_wrong_field_is_reported_at_once(slack):
    errors = inline_errors(
        submit_new(
            slack, Key="x", Budget="-5", **{"Start date": "2027-02-01", "Target date": "2027-01-01"}
        )
    )
    assert set(errors) == {"key", "budget", "target_date"}


def test_a_channel_already_home_to_another_project_is_an_inline_error(slack, database):
    make_project(database, key="HERMES", channel_id="CAPOLLO01")
    errors = inline_errors(submit_new(slack))
    assert "already the home of HERMES" in errors["channel"]


def test_list_shows_key_name_phase_and_pm(slack, slack_api, database):
    make_project(database, key="APOLLO", name="Apollo launch", phase="Execute", pm=PM)
    make_project(
        database, key="HERMES", name="Hermes CRM", phase="Plan", pm=MEMBER, channel_id="CHERMES01"
    )
    slack.command("/pmo", "list", user=OUTSIDER)
    text = str(slack_api.last_reply()["blocks"])
    assert f"*APOLLO* Apollo launch · Execute · PM <@{PM}>" in text
    assert f"*HERMES* Hermes CRM · Plan · PM <@{MEMBER}>" in text
    assert text.index("APOLLO") < text.index("HERMES")


def test_list_says_how_to_start_when_there_are_no_projects(slack, slack_api):
    slack.command("/pmo", "list", user=PM)
    assert "/pmo new" in str(slack_api.last_reply()["blocks"])


def test_list_of_a_large_portfolio_fits_one_message(slack, slack_api, database):
    for number in range(120):
        make_project(
            database, key=f"P{number:03d}", name="A rather long project name " * 3, channel_id=None
        )
    slack.command("/pmo", "list", user=PM)
    blocks = slack_api.last_reply()["blocks"]
    assert len(blocks) <= 50
    assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in blocks)
    assert "P119" in str(blocks)


def test_show_gives_the_project_card_with_roles_and_phase(slack, slack_api, database):
    make_project(database)
    slack.command("/pmo", "show apollo", user=OUTSIDER)
    text = str(slack_api.last_reply()["blocks"])
    assert "APOLLO · Apollo launch" in text
    assert "*Phase*\\nPlan" in text
    for user in (PM, SPONSOR, APPROVER, APPROVER_2, MEMBER):
        assert f"<@{user}>" in text
    assert "250,000" in text


def test_show_in_a_home_channel_needs_no_key(slack, slack_api, database):
    make_project(database, channel_id="CAPOLLO01")
    slack.command("/pmo", "show", user=OUTSIDER, channel="CAPOLLO01")
    assert "APOLLO · Apollo launch" in str(slack_api.last_reply()["blocks"])


def test_show_without_key_outside_a_home_channel_asks_which_project(slack, slack_api):
    slack.command("/pmo", "show", user=OUTSIDER, channel="CRANDOM01")
    assert "Which project?" in slack_api.last_reply()["text"]


def test_an_unknown_key_names_the_key_and_suggests_close_matches(slack, slack_api, database):
    make_project(database, key="APOLLO")
    make_project(database, key="HERMES", channel_id="CHERMES01")
    slack.command("/pmo", "show APOLO", user=PM)
    reply = slack_api.last_reply()
    assert reply["response_type"] == "ephemeral"
    assert "There is no project `APOLO`" in reply["text"]
    assert "Did you mean `APOLLO`?" in reply["text"]
    assert "HERMES" not in reply["text"]


def test_an_unknown_verb_gets_the_help(slack, slack_api):
    slack.command("/pmo", "frobnicate", user=PM)
    reply = slack_api.last_reply()
    assert "I don't know `/pmo frobnicate`" in reply["text"]
    assert "/pmo new" in str(reply["blocks"])


def test_edit_reopens_the_form_prefilled(slack, database):
    make_project(database)
    slack.command("/pmo", "edit APOLLO", user=PM)
    modal = slack.last_modal()
    assert modal.title == "Edit APOLLO"
    assert "Key" not in modal.labels()
    assert modal.initial("Name") == "Apollo launch"
    assert modal.initial("Sponsor") == SPONSOR
    assert modal.initial("Approvers") == [APPROVER, APPROVER_2]
    assert modal.initial("Home channel") == "CAPOLLO01"
    assert modal.initial("Phase") == "Plan"
    assert modal.initial("Target date") == "2027-03-31"
    assert modal.initial("Budget") == "250000.00"


def test_saving_an_edit_changes_the_project_and_audits_what_changed(slack, database):
    make_project(database)
    slack.command("/pmo", "edit APOLLO", user=SPONSOR)
    modal = slack.last_modal().enter({"Phase": "Execute", "Approvers": [APPROVER]})
    assert slack.submit(modal, user=SPONSOR).body == ""
    with database.session() as session:
        project = session.exec(select(Project)).one()
        approvers = session.exec(
            select(ProjectRole.user_id).where(ProjectRole.role == Role.APPROVER)
        ).all()
        edit = session.exec(select(AuditEvent).where(AuditEvent.action == "project.updated")).one()
    assert project.phase == "Execute"
    assert approvers == [APPROVER]
    assert edit.actor == SPONSOR
    assert edit.detail["changes"] == {
        "phase": ["Plan", "Execute"],
        "approvers": [[APPROVER, APPROVER_2], [APPROVER]],
    }


def test_only_the_pm_sponsor_or_creator_may_edit(slack, slack_api, database):
    make_project(database, actor=PM)
    slack.command("/pmo", "edit APOLLO", user=APPROVER)
    reply = slack_api.last_reply()
    assert "Only the PM, the sponsor or the creator of APOLLO" in reply["text"]
    assert f"<@{PM}>" in reply["text"] and f"<@{SPONSOR}>" in reply["text"]
    assert slack_api.calls_to("views.open") == []


def test_the_card_edit_button_opens_the_form(slack, slack_api, database):
    make_project(database)
    slack.command("/pmo", "show APOLLO", user=PM)
    slack.click_in_blocks(slack_api.last_reply()["blocks"], "project.edit", user=PM)
    assert slack.last_modal().title == "Edit APOLLO"


def test_archive_hides_a_project_from_the_list_and_unarchive_brings_it_back(
    slack, slack_api, database
):
    make_project(database)
    slack.command("/pmo", "archive APOLLO", user=PM)
    assert slack_api.last_reply()["text"] == "APOLLO is archived."
    slack.command("/pmo", "list", user=PM)
    assert "APOLLO" not in str(slack_api.last_reply()["blocks"])
    slack.command("/pmo", "unarchive apollo", user=PM)
    slack.command("/pmo", "list", user=PM)
    assert "APOLLO" in str(slack_api.last_reply()["blocks"])
    with database.session() as session:
        actions = session.exec(select(AuditEvent.action)).all()
    # Archiving closes the project, which opens its closing retrospective.
    assert actions == [
        "project.created",
        "project.archived",
        "retro.started",
        "project.unarchived",
    ]


def test_two_people_creating_one_key_at_once_one_wins_the_other_is_told_inline(
    slack, database, monkeypatch
):
    # Both submissions pass the "is the key free?" check before either is stored: the
    # database's unique key decides, and the loser sees the same inline error as ever.
    # The workspace is stored first: were it not, PostgreSQL would hold the second
    # submission at the workspace's own insert until the first committed, and no race
    # on the key would happen.
    with database.session() as session:
        ensure_workspace(session=session, team_id=TEAM)
        session.commit()
    both_checked = threading.Barrier(2)
    checks = []
    met = []
    check = workflows.projects.find_project

    def find_project_in_step(**kwargs):
        found = check(**kwargs)
        checks.append(kwargs["key"])
        if len(checks) <= 2:  # each submission's check; the loser asks once more
            with contextlib.suppress(threading.BrokenBarrierError):
                # SQLite lets one writer in at a time, so there the other never arrives.
                both_checked.wait(timeout=1)
                met.append(True)
        return found

    monkeypatch.setattr(workflows.projects, "find_project", find_project_in_step)
    modals = [
        (user, open_new_project_form(slack, user=user).enter({**NEW_PROJECT, "Home channel": ch}))
        for user, ch in ((PM, "CAPOLLO01"), (SPONSOR, "CAPOLLO02"))
    ]
    replies = {}

    def submit(user, modal):
        replies[user] = slack.submit(modal, user=user, settle=False)

    threads = [threading.Thread(target=submit, args=pair) for pair in modals]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    slack.settle()
    outcomes = sorted(reply.body for reply in replies.values())
    assert outcomes[0] == ""
    assert json.loads(outcomes[1]) == {
        "response_action": "errors",
        "errors": {"key": "APOLLO is already taken by another project. Pick another key."},
    }
    if database.engine.dialect.name == "postgresql":
        assert met == [True, True]  # both checked before either stored: a real race
    with database.session() as session:
        assert len(session.exec(select(Project)).all()) == 1
        assert session.exec(select(AuditEvent.action)).all() == ["project.created"]
