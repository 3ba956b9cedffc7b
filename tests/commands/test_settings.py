"""`/pmo settings` and `/pmo pause until DATE` / `/pmo resume`: through signed requests."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlmodel import select

from storage.models import AuditEvent, Cadence, NudgeStyle, Person, Workspace
from storage.workspaces import ensure_workspace
from tests.factories import OUTSIDER, PM, SPONSOR, TEAM

ADMIN = "UADMIN001"
OWNER = "UOWNER001"
LEAD = "ULEAD0001"
PAUSE_FORM = "`/pmo pause until YYYY-MM-DD`"


@pytest.fixture(autouse=True)
def people(slack_api):
    slack_api.add_user(ADMIN, "Ada Admin", is_admin=True)
    slack_api.add_user(OWNER, "Olu Owner", is_owner=True)
    slack_api.add_user(LEAD, "Lee Lead")
    slack_api.add_user(OUTSIDER, "Oz Outsider")


def configure(database, **values: Any) -> None:
    """Settings as a workspace already has them."""
    with database.session() as session:
        workspace = ensure_workspace(session=session, team_id=TEAM)
        for name, value in values.items():
            setattr(workspace, name, value)
        session.add(workspace)


def open_settings(slack, user=ADMIN):
    slack.command("/pmo", "settings", user=user)
    return slack.last_modal()


def workspace(database) -> Workspace:
    with database.session() as session:
        return session.exec(select(Workspace)).one()


def audit_rows(database) -> list[AuditEvent]:
    with database.session() as session:
        return list(session.exec(select(AuditEvent).order_by(AuditEvent.id)))


def inline_errors(reply):
    body = reply.json()
    assert body.get("response_action") == "errors", reply.body
    return body["errors"]


# -- the form ----------------------------------------------------------------------------
def test_settings_opens_a_modal_whose_labels_name_what_they_ask(slack):
    modal = open_settings(slack)
    assert modal.title == "pmo-bot settings"
    assert modal.callback_id == "settings.save"
    assert modal.labels() == [
        "Digest channel",
        "Leaders who get the digest by DM",
        "Digest day",
        "Digest time",
        "Workspace time zone",
        "Status updates due on",
        "New projects report",
        "Quiet hours start",
        "Quiet hours end",
        "Nudge style",
        "Medium risk from score",
        "High risk from score",
        "Critical risk from score",
        "Over-allocated above capacity plus (%)",
        "Channel for requests for people",
        "Goal alignment weight",
        "Health weight",
        "Remaining budget weight",
        "Low open risk weight",
        "PMO leads",
    ]
    assert modal.options("Digest day")[0] == "0"
    assert modal.options("Nudge style") == ["gentle", "firm"]
    assert modal.block("PMO leads")["hint"]["text"] == (
        "Who besides Slack admins may change these settings."
    )


def test_a_new_workspace_sees_the_defaults(slack):
    modal = open_settings(slack)
    assert modal.initial("Workspace time zone") == "UTC"
    assert modal.initial("Digest day") == "0"
    assert modal.initial("Digest time") == "09:00"
    assert modal.initial("Status updates due on") == "4"
    assert modal.initial("Quiet hours start") == "19:00"
    assert modal.initial("Quiet hours end") == "08:00"
    assert modal.initial("Nudge style") == "gentle"
    assert modal.initial("Medium risk from score") == "6"


def test_the_form_is_prefilled_with_the_workspace_settings(slack, database):
    configure(
        database,
        time_zone="Asia/Tokyo",
        digest_channel="CLEADERS1",
        digest_leaders=[SPONSOR],
        digest_weekday=2,
        digest_time="07:45",
        status_due_weekday=3,
        default_cadence=Cadence.MONTHLY,
        quiet_start="21:00",
        quiet_end="06:30",
        nudge_style=NudgeStyle.FIRM,
        risk_medium_from=5,
        risk_high_from=10,
        risk_critical_from=16,
        pmo_leads=[LEAD],
    )
    modal = open_settings(slack)
    assert modal.initial("Workspace time zone") == "Asia/Tokyo"
    assert modal.initial("Digest channel") == "CLEADERS1"
    assert modal.initial("Leaders who get the digest by DM") == [SPONSOR]
    assert modal.initial("Digest day") == "2"
    assert modal.initial("Digest time") == "07:45"
    assert modal.initial("Status updates due on") == "3"
    assert modal.initial("New projects report") == "monthly"
    assert modal.initial("Quiet hours start") == "21:00"
    assert modal.initial("Quiet hours end") == "06:30"
    assert modal.initial("Nudge style") == "firm"
    assert modal.initial("Medium risk from score") == "5"
    assert modal.initial("High risk from score") == "10"
    assert modal.initial("Critical risk from score") == "16"
    assert modal.initial("PMO leads") == [LEAD]


def test_the_time_zone_search_offers_the_zones_matching_what_was_typed(slack):
    modal = open_settings(slack)
    reply = slack.suggest(modal, "Workspace time zone", "new york", user=ADMIN)
    assert [o["value"] for o in reply.json()["options"]] == ["America/New_York"]
    reply = slack.suggest(modal, "Workspace time zone", "London", user=ADMIN)
    assert "Europe/London" in [o["value"] for o in reply.json()["options"]]


def test_a_broad_time_zone_search_gives_at_most_100_options(slack):
    reply = slack.suggest(open_settings(slack), "Workspace time zone", "a", user=ADMIN)
    assert len(reply.json()["options"]) == 100


# -- saving ------------------------------------------------------------------------------
CHANGES = {
    "Digest channel": "CLEADERS1",
    "Leaders who get the digest by DM": [SPONSOR],
    "Digest day": "Tuesday",
    "Digest time": "08:30",
    "Workspace time zone": "Europe/Berlin",
    "Status updates due on": "Thursday",
    "New projects report": "fortnightly",
    "Quiet hours start": "20:00",
    "Quiet hours end": "07:30",
    "Nudge style": "firm",
    "High risk from score": "10",
    "PMO leads": [LEAD],
    "Over-allocated above capacity plus (%)": "15",
    "Channel for requests for people": "CPEOPLE01",
}


def test_saving_stores_the_settings_and_closes_the_form(slack, database):
    reply = slack.submit(open_settings(slack).enter(CHANGES), user=ADMIN)
    assert reply.status == 200 and reply.body == ""
    stored = workspace(database)
    assert stored.digest_channel == "CLEADERS1"
    assert stored.digest_leaders == [SPONSOR]
    assert (stored.digest_weekday, stored.digest_time) == (1, "08:30")
    assert stored.time_zone == "Europe/Berlin"
    assert stored.status_due_weekday == 3
    assert stored.default_cadence == Cadence.FORTNIGHTLY
    assert (stored.quiet_start, stored.quiet_end) == ("20:00", "07:30")
    assert stored.nudge_style == NudgeStyle.FIRM
    assert (stored.risk_medium_from, stored.risk_high_from, stored.risk_critical_from) == (
        6,
        10,
        20,
    )
    assert stored.pmo_leads == [LEAD]
    assert (stored.overallocation_threshold, stored.resource_channel) == (15, "CPEOPLE01")


def test_an_over_allocation_threshold_past_100_is_an_inline_error(slack, database):
    modal = open_settings(slack).enter({"Over-allocated above capacity plus (%)": "150"})
    errors = slack.submit(modal, user=ADMIN).json()["errors"]
    assert errors == {"overallocation_threshold": "Give a share from 0 to 100 %."}
    assert workspace(database).overallocation_threshold == 10


def test_saving_writes_one_audit_row_with_each_change_before_and_after(slack, database):
    slack.submit(
        open_settings(slack).enter({"Workspace time zone": "Europe/Berlin", "Nudge style": "firm"}),
        user=ADMIN,
    )
    [row] = audit_rows(database)
    assert (row.action, row.actor, row.entity, row.entity_id) == (
        "workspace.settings_changed",
        ADMIN,
        "workspace",
        TEAM,
    )
    assert row.detail == {
        "changes": {"time_zone": ["UTC", "Europe/Berlin"], "nudge_style": ["gentle", "firm"]}
    }


def test_saving_the_form_unchanged_audits_nothing(slack, database):
    assert slack.submit(open_settings(slack), user=ADMIN).body == ""
    assert audit_rows(database) == []


def test_new_projects_start_with_the_workspace_cadence(slack, database):
    configure(database, default_cadence=Cadence.MONTHLY)
    slack.command("/pmo", "new", user=PM)
    assert slack.last_modal().initial("Status updates due") == "monthly"


# -- inline errors -----------------------------------------------------------------------
def submit_settings(slack, **labelled: Any):
    return slack.submit(open_settings(slack).enter(labelled), user=ADMIN)


def test_an_unknown_time_zone_is_an_inline_error(slack, database):
    errors = inline_errors(submit_settings(slack, **{"Workspace time zone": "Mars/Olympus"}))
    assert errors == {
        "time_zone": "Mars/Olympus is not a time zone. Pick one such as Europe/London."
    }
    assert workspace(database).time_zone == "UTC"


def test_a_time_that_is_not_hh_mm_is_an_inline_error(slack):
    errors = inline_errors(submit_settings(slack, **{"Digest time": "7pm"}))
    assert errors == {
        "digest_time": "Give a time as HH:MM on a 24-hour clock, such as 09:00 or 19:30."
    }


def test_quiet_hours_that_start_when_they_end_are_an_inline_error(slack, database):
    errors = inline_errors(
        submit_settings(slack, **{"Quiet hours start": "22:00", "Quiet hours end": "22:00"})
    )
    assert errors == {"quiet_end": "Quiet hours must end at a different time than they start."}
    assert workspace(database).quiet_start == "19:00"


def test_risk_bands_that_do_not_rise_are_an_inline_error(slack):
    errors = inline_errors(
        submit_settings(slack, **{"High risk from score": "6", "Critical risk from score": "5"})
    )
    assert errors == {
        "risk_high_from": "The high band must start above medium (6).",
        "risk_critical_from": "The critical band must start above high (6).",
    }


def test_a_risk_band_beyond_the_highest_score_is_an_inline_error(slack):
    errors = inline_errors(submit_settings(slack, **{"Critical risk from score": "26"}))
    assert errors == {"risk_critical_from": "A score is from 1 to 25."}


def test_every_wrong_field_is_reported_at_once_and_nothing_is_saved(slack, database):
    errors = inline_errors(
        submit_settings(
            slack,
            **{
                "Workspace time zone": "Nowhere",
                "Quiet hours start": "25:00",
                "Medium risk from score": "0",
            },
        )
    )
    assert set(errors) == {"time_zone", "quiet_start", "risk_medium_from"}
    assert audit_rows(database) == []


# -- who may change the settings ---------------------------------------------------------
def test_someone_who_is_not_an_admin_is_told_only_an_admin_may(slack, slack_api):
    slack.command("/pmo", "settings", user=OUTSIDER)
    reply = slack_api.last_reply()
    assert reply["response_type"] == "ephemeral"
    assert reply["text"] == "Only a Slack workspace admin can change pmo-bot's settings."
    assert slack_api.calls_to("views.open") == []


def test_a_refusal_names_the_pmo_leads(slack, slack_api, database):
    configure(database, pmo_leads=[LEAD, SPONSOR])
    slack.command("/pmo", "settings", user=OUTSIDER)
    assert slack_api.last_reply()["text"] == (
        f"Only the PMO leads (<@{LEAD}>, <@{SPONSOR}>) or a Slack workspace admin "
        "can change pmo-bot's settings."
    )


def test_someone_slack_does_not_know_is_not_an_admin(slack, slack_api):
    slack.command("/pmo", "settings", user="UNOBODY01")
    assert "Only a Slack workspace admin" in slack_api.last_reply()["text"]


def test_the_admin_check_asks_slack_about_the_person(slack, slack_api):
    open_settings(slack, user=ADMIN)
    assert slack_api.last("users.info")["user"] == ADMIN


def test_a_workspace_owner_may_change_the_settings(slack, database):
    modal = open_settings(slack, user=OWNER)
    assert slack.submit(modal.enter({"Digest time": "10:00"}), user=OWNER).body == ""
    assert workspace(database).digest_time == "10:00"


def test_a_pmo_lead_may_change_the_settings_without_being_an_admin(slack, database):
    configure(database, pmo_leads=[LEAD])
    modal = open_settings(slack, user=LEAD)
    assert slack.submit(modal.enter({"Digest time": "10:00"}), user=LEAD).body == ""
    assert workspace(database).digest_time == "10:00"


def test_an_admin_who_lost_the_right_while_the_form_was_open_cannot_save(
    slack, slack_api, database
):
    modal = open_settings(slack, user=ADMIN).enter({"Digest time": "10:00"})
    slack_api.add_user(ADMIN, "Ada Admin", is_admin=False)
    errors = inline_errors(slack.submit(modal, user=ADMIN))
    assert errors == {
        "digest_channel": "Only a Slack workspace admin can change pmo-bot's settings."
    }
    assert workspace(database).digest_time == "09:00"


def test_a_lead_removed_while_the_form_was_open_cannot_save(slack, database):
    configure(database, pmo_leads=[LEAD])
    modal = open_settings(slack, user=LEAD).enter({"Digest time": "10:00"})
    configure(database, pmo_leads=[SPONSOR])
    errors = inline_errors(slack.submit(modal, user=LEAD))
    assert f"<@{SPONSOR}>" in errors["digest_channel"]
    assert workspace(database).digest_time == "09:00"


# -- pausing one's nudges ----------------------------------------------------------------
def paused_until(database, user_id=PM) -> date | None:
    with database.session() as session:
        person = session.exec(select(Person).where(Person.user_id == user_id)).first()
    return person.paused_until if person else None


def test_pause_until_a_date_stores_it_and_says_until_when(slack, slack_api, database):
    slack.command("/pmo", "pause until 2026-12-24", user=PM)
    reply = slack_api.last_reply()
    assert reply["text"] == (
        "No nudges for you until the end of Thu 24 Dec 2026. `/pmo resume` turns them back on."
    )
    assert paused_until(database) == date(2026, 12, 24)
    [row] = audit_rows(database)
    assert (row.action, row.actor, row.entity_id) == ("person.paused", PM, PM)


def test_pausing_until_today_is_allowed(slack, database):
    slack.command("/pmo", "pause until 2026-11-23", user=PM)
    assert paused_until(database) == date(2026, 11, 23)


def test_resume_turns_nudges_back_on(slack, slack_api, database):
    slack.command("/pmo", "pause until 2026-12-24", user=PM)
    slack.command("/pmo", "resume", user=PM)
    assert slack_api.last_reply()["text"] == "Nudges are back on for you."
    assert paused_until(database) is None
    assert [row.action for row in audit_rows(database)] == ["person.paused", "person.resumed"]


def test_a_date_that_has_passed_is_refused_naming_the_form(slack, slack_api, database):
    slack.command("/pmo", "pause until 2026-11-22", user=PM)
    reply = slack_api.last_reply()
    assert reply["response_type"] == "ephemeral"
    assert "Sun 22 Nov 2026 has passed" in reply["text"]
    assert PAUSE_FORM in reply["text"]
    assert paused_until(database) is None


def test_today_is_the_workspace_time_zone_s_today(slack, slack_api, database):
    # 14:00 UTC on 23 November is already 24 November on Kiritimati (UTC+14).
    configure(database, time_zone="Pacific/Kiritimati")
    slack.command("/pmo", "pause until 2026-11-23", user=PM)
    assert "Mon 23 Nov 2026 has passed" in slack_api.last_reply()["text"]
    assert paused_until(database) is None


@pytest.mark.parametrize(
    "text",
    [
        "pause",
        "pause tomorrow",
        "pause until tomorrow",
        "pause until 24/12/2026",
        "pause 2026-12-24",
    ],
)
def test_a_pause_without_a_date_in_the_expected_form_is_refused(slack, slack_api, database, text):
    slack.command("/pmo", text, user=PM)
    assert PAUSE_FORM in slack_api.last_reply()["text"]
    assert paused_until(database) is None


def test_a_date_that_does_not_exist_is_refused(slack, slack_api, database):
    slack.command("/pmo", "pause until 2027-02-30", user=PM)
    assert PAUSE_FORM in slack_api.last_reply()["text"]
    assert paused_until(database) is None


def test_help_lists_settings_pause_and_resume(slack, slack_api):
    slack.command("/pmo", "help", user=PM)
    text = str(slack_api.last_reply()["blocks"])
    for usage in ("/pmo settings", "/pmo pause until YYYY-MM-DD", "/pmo resume"):
        assert usage in text
