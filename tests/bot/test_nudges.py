"""Nudges at a humane hour: time zones, weekends, quiet hours, leave, once per period."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

import bot.jobs
from bot.jobs import nudge_job
from storage.models import AuditEvent, NudgeStyle, Person, Rag
from storage.workspaces import ensure_workspace, update_profile
from tests.factories import (
    APPROVER,
    APPROVER_2,
    MEMBER,
    OUTSIDER,
    PM,
    SPONSOR,
    TEAM,
    make_project,
)
from workflows.risks import RiskDraft, store_risk
from workflows.status import StatusDraft, post_update


def utc(text):
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


FRIDAY_DUE = utc("2026-11-27 00:00")


@pytest.fixture
def team(database, slack_api, clock):
    clock.set(utc("2026-11-16 09:00"))
    with database.session() as session:
        workspace = ensure_workspace(session=session, team_id=TEAM)
        workspace.time_zone = "Europe/London"
        session.add(workspace)
    for user, name, tz in (
        (PM, "Priya PM", "America/Los_Angeles"),
        (MEMBER, "Mo Member", "Europe/London"),
        (SPONSOR, "Sam Sponsor", "Europe/London"),
        (APPROVER, "Ada Approver", "Asia/Tokyo"),
        (APPROVER_2, "Abe Approver", "Europe/London"),
    ):
        slack_api.add_user(user, name, tz)
    project = make_project(database, now=utc("2026-11-02 09:00"))
    with database.session() as session:
        post_update(
            session=session,
            project=project,
            author=PM,
            now=utc("2026-11-18 12:00"),
            draft=StatusDraft(Rag.GREEN, "fine"),
        )
    return project


def nudge(runtime, when):
    runtime.clock.set(when)
    planned = nudge_job(
        database=runtime.database, sender=runtime.sender, now=when, clients=runtime.clients
    )
    runtime.deliverer.deliver()
    return [(item.content.kind.value, item.to) for item in planned]


def set_workspace(database, **values):
    with database.session() as session:
        workspace = ensure_workspace(session=session, team_id=TEAM)
        for name, value in values.items():
            setattr(workspace, name, value)
        session.add(workspace)


def test_a_pm_is_nudged_at_10_in_their_own_time_zone_on_the_due_day(
    runtime, database, slack_api, team
):
    assert nudge(runtime, utc("2026-11-27 17:59")) == []  # 09:59 in Los Angeles
    assert nudge(runtime, utc("2026-11-27 18:00")) == [("status", PM)]
    [dm] = slack_api.dms(PM)
    assert "Your status update for *APOLLO* (Apollo launch) is due today" in dm.text
    assert [
        e["text"]["text"] for b in dm.blocks if b["type"] == "actions" for e in b["elements"]
    ] == ["Post update"]
    with database.session() as session:
        person = session.exec(select(Person).where(Person.user_id == PM)).one()
    assert person.time_zone == "America/Los_Angeles"  # read from Slack's users.info


def test_a_nudge_is_sent_once_per_period(runtime, slack_api, team):
    nudge(runtime, utc("2026-11-27 18:00"))
    assert nudge(runtime, utc("2026-11-27 21:00")) == []
    assert len(slack_api.dms(PM)) == 1
    assert nudge(runtime, utc("2026-12-04 18:00")) == [("status", PM)]  # the next week's


def test_no_nudges_at_weekends_an_overdue_project_hears_on_monday(
    runtime, database, slack_api, team
):
    slack_api.add_user(PM, "Priya PM", "Europe/London")
    assert nudge(runtime, utc("2026-11-28 11:00")) == []  # Saturday
    assert nudge(runtime, utc("2026-11-29 11:00")) == []  # Sunday
    assert nudge(runtime, utc("2026-11-30 10:00")) == [("status", PM)]  # Monday: it missed W48
    assert "missed its status update last period" in slack_api.dms(PM)[0].text


def test_quiet_hours_hold_a_nudge_back_until_they_end(runtime, slack_api, database, team):
    slack_api.add_user(PM, "Priya PM", "Europe/London")
    set_workspace(database, quiet_start="09:00", quiet_end="11:00")
    assert nudge(runtime, utc("2026-11-27 10:30")) == []
    assert nudge(runtime, utc("2026-11-27 11:00")) == [("status", PM)]


def test_a_paused_person_is_not_nudged_until_after_the_pause(runtime, database, slack_api, team):
    slack_api.add_user(PM, "Priya PM", "Europe/London")
    with database.session() as session:
        update_profile(
            session=session,
            team_id=TEAM,
            user_id=PM,
            name="Priya PM",
            time_zone="Europe/London",
            now=utc("2026-11-27 09:00"),
        )
        person = session.exec(select(Person).where(Person.user_id == PM)).one()
        person.paused_until = date(2026, 11, 30)
        session.add(person)
    assert nudge(runtime, utc("2026-11-27 10:00")) == []
    assert nudge(runtime, utc("2026-11-30 10:00")) == []
    assert nudge(runtime, utc("2026-12-01 10:00")) == [("status", PM)]


def test_post_update_in_a_nudge_opens_the_prefilled_form(runtime, slack, slack_api, team):
    nudge(runtime, utc("2026-11-27 18:00"))
    slack.click(slack_api.dms(PM)[0], "nudge.post_status", user=PM)
    modal = slack.last_modal()
    assert modal.initial("Project") == "APOLLO"
    assert modal.initial("Summary") == "fine"


def test_an_update_before_the_due_day_means_no_nudge(runtime, database, team):
    with database.session() as session:
        post_update(
            session=session,
            project=team,
            author=PM,
            now=utc("2026-11-24 12:00"),
            draft=StatusDraft(Rag.GREEN, "early"),
        )
    assert nudge(runtime, utc("2026-11-27 18:00")) == []


def test_firm_style_tells_the_sponsor_two_working_days_after_the_reminder(
    runtime, database, slack_api, team
):
    set_workspace(database, nudge_style=NudgeStyle.FIRM)
    nudge(runtime, utc("2026-11-27 18:00"))  # Friday
    # Monday: one working day on; the PM hears again, now that the week was missed.
    assert nudge(runtime, utc("2026-11-30 18:30")) == [("status", PM)]
    assert nudge(runtime, utc("2026-12-01 18:00")) == [("status_escalation", SPONSOR)]  # Tuesday
    text = slack_api.dms(SPONSOR)[0].text
    assert "*APOLLO* (Apollo launch) has had no status update since Wed 18 Nov 2026" in text
    assert f"its PM <@{PM}> was reminded <!date^{int(utc('2026-11-27 18:00').timestamp())}" in text


def test_gentle_style_never_escalates(runtime, slack_api, team):
    nudge(runtime, utc("2026-11-27 18:00"))
    for day in ("2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03"):
        assert ("status_escalation", SPONSOR) not in nudge(runtime, utc(f"{day} 18:00"))
    assert slack_api.dms(SPONSOR) == []


def looked_up(slack_api):
    return [call["user"] for call in slack_api.calls_to("users.info")]


def test_past_one_batch_of_profiles_those_who_may_be_nudged_now_are_read_first(
    runtime, slack_api, team, monkeypatch
):
    monkeypatch.setattr(bot.jobs, "PROFILE_BATCH", 2)
    # Friday: APOLLO owes its update, so its PM and its sponsor may be nudged today; the
    # approvers' ids come first in the alphabet, and they are read after.
    nudge(runtime, utc("2026-11-27 09:00"))
    assert looked_up(slack_api) == [PM, SPONSOR]
    nudge(runtime, utc("2026-11-27 09:05"))
    assert looked_up(slack_api)[2:] == [APPROVER, APPROVER_2]
    nudge(runtime, utc("2026-11-27 09:10"))
    assert looked_up(slack_api)[4:] == [MEMBER]
    nudge(runtime, utc("2026-11-27 09:15"))
    assert len(looked_up(slack_api)) == 5  # everyone read today


def test_a_risk_owner_on_no_project_is_known_by_zone_before_being_reminded(
    runtime, slack, slack_api, database, team
):
    slack_api.add_user(OUTSIDER, "Olu Outsider", "Asia/Tokyo")
    slack.command("/risk", "", user=MEMBER, channel="CAPOLLO01")
    modal = slack.last_modal().enter(
        {
            "Title": "Vendor slip",
            "Probability": "2",
            "Impact": "2",
            "Owner": OUTSIDER,
            "Review date": "2026-11-20",
        }
    )
    slack.submit(modal, user=MEMBER)
    # 10:00 in London is 19:00 in Tokyo: too late to remind them there.
    assert ("risk_review", OUTSIDER) not in nudge(runtime, utc("2026-11-23 10:00"))
    assert OUTSIDER in looked_up(slack_api)
    assert ("risk_review", OUTSIDER) in nudge(runtime, utc("2026-11-24 01:00"))  # 10:00 there


def test_a_risk_owner_is_reminded_once_its_review_date_passes(
    runtime, slack, slack_api, database, team
):
    slack.command("/risk", "", user=MEMBER, channel="CAPOLLO01")
    modal = slack.last_modal().enter(
        {"Title": "Vendor slip", "Probability": "2", "Impact": "2", "Review date": "2026-11-20"}
    )
    slack.submit(modal, user=MEMBER)
    card = slack_api.posts("CAPOLLO01")[-1]
    assert ("risk_review", MEMBER) in nudge(runtime, utc("2026-11-23 10:00"))
    [dm] = slack_api.dms(MEMBER)
    assert "Time to review *APOLLO-R1*" in dm.text
    assert card.ts.replace(".", "") in dm.text  # links to the risk's card
    assert ("risk_review", MEMBER) not in nudge(runtime, utc("2026-11-24 10:00"))


def request_gate(slack, slack_api):
    slack.command("/gate", "", user=PM, channel="CAPOLLO01")
    modal = slack.last_modal()
    required = [
        o["value"]
        for o in modal.block("Entry criteria")["element"]["options"]
        if "(required)" in o["text"]["text"]
    ]
    slack.submit(modal.enter({"Evidence": "ready", "Entry criteria": required}), user=PM)


def test_approvers_past_the_gate_sla_are_reminded_and_it_is_audited(
    runtime, slack, slack_api, database, clock, team
):
    clock.set(utc("2026-11-23 12:00"))  # Monday
    request_gate(slack, slack_api)
    request_ts = next(m for m in slack_api.posts("CAPOLLO01") if "APOLLO-G1" in m.text).ts
    assert nudge(runtime, utc("2026-11-25 11:00")) == []  # inside its 2 working days
    sent = nudge(runtime, utc("2026-11-25 13:00"))
    assert sorted(sent) == [("gate_reminder", APPROVER_2)]  # 22:00 in Tokyo: not now
    assert nudge(runtime, utc("2026-11-26 01:00")) == [("gate_reminder", APPROVER)]  # 10:00 Tokyo
    assert request_ts.replace(".", "") in slack_api.dms(APPROVER_2)[-1].text
    with database.session() as session:
        reminded = session.exec(
            select(AuditEvent).where(AuditEvent.action == "gate.reminded")
        ).all()
    assert len(reminded) == 1
    slack.command("/gate", "history APOLLO", user=PM)
    assert "reminded the approvers of APOLLO-G1" in str(slack_api.last_reply()["blocks"])


def test_firm_style_escalates_a_stuck_gate_to_the_sponsor(
    runtime, slack, slack_api, database, clock, team
):
    set_workspace(database, nudge_style=NudgeStyle.FIRM)
    clock.set(utc("2026-11-23 12:00"))
    request_gate(slack, slack_api)
    nudge(runtime, utc("2026-11-25 13:00"))  # reminders (Wednesday)
    assert ("gate_escalation", SPONSOR) not in nudge(runtime, utc("2026-11-26 13:00"))
    assert ("gate_escalation", SPONSOR) in nudge(runtime, utc("2026-11-27 13:00"))  # Friday
    assert "still waiting for" in slack_api.dms(SPONSOR)[-1].text


def test_a_nudge_about_a_risk_whose_card_was_never_posted_points_to_the_channel(
    runtime, database, slack_api, team
):
    with database.session() as session:
        store_risk(  # stored without its card, as an import would
            session=session,
            project=team,
            raised_by=PM,
            now=utc("2026-11-16 09:00"),
            draft=RiskDraft(
                title="Vendor slip",
                probability=2,
                impact=2,
                owner=MEMBER,
                review_date=date(2026, 11, 20),
            ),
        )
    assert ("risk_review", MEMBER) in nudge(runtime, utc("2026-11-23 10:00"))
    [dm] = slack_api.dms(MEMBER)
    assert "{link}" not in dm.text
    assert dm.text.endswith("set a new review date: <#CAPOLLO01>")


def test_everyone_on_a_project_is_known_by_name_and_zone_read_at_most_daily(
    runtime, database, slack_api, team
):
    nudge(runtime, utc("2026-11-23 09:00"))  # nobody owes anything on Monday
    with database.session() as session:
        people = {p.user_id: p for p in session.exec(select(Person))}
    assert people[APPROVER].name == "Ada Approver"  # on the project, never nudged
    assert people[APPROVER].time_zone == "Asia/Tokyo"
    asked = len(slack_api.calls_to("users.info"))
    assert asked == 5
    nudge(runtime, utc("2026-11-23 18:00"))  # the same day: nobody is asked again
    assert len(slack_api.calls_to("users.info")) == asked
    slack_api.add_user(APPROVER, "Ada Approver", "Europe/Paris")
    nudge(runtime, utc("2026-11-24 09:05"))  # a day later: read again
    assert len(slack_api.calls_to("users.info")) == 2 * asked
    with database.session() as session:
        approver = session.exec(select(Person).where(Person.user_id == APPROVER)).one()
    assert approver.time_zone == "Europe/Paris"
