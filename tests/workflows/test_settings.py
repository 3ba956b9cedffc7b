"""The settings rules, called directly: times, zones, bands, who may change them, pausing."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import select

from storage.models import AuditEvent, Cadence, Person
from storage.workspaces import ensure_workspace
from tests.factories import OTHER_TEAM, OUTSIDER, PM, SPONSOR, TEAM
from workflows.errors import InvalidInput, NotPermitted
from workflows.workspace_policy import (
    WorkspaceSettings,
    check_settings,
    may_change_settings,
    parse_clock_time,
    pause_nudges,
    require_may_change_settings,
    save_settings,
    settings_of,
    time_zones,
)

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
DEFAULTS = WorkspaceSettings()
LEAD = "ULEAD0001"


# -- times -------------------------------------------------------------------------------
@given(st.times())
def test_every_time_of_day_written_hh_mm_reads_back(moment):
    assert parse_clock_time(moment.strftime("%H:%M")) == time(moment.hour, moment.minute)


@given(st.one_of(st.text(max_size=8), st.from_regex(r"[0-9]{1,3}:[0-9]{1,3}", fullmatch=True)))
def test_only_hh_mm_on_a_24_hour_clock_is_a_time(text):
    shaped = re.fullmatch(r"([0-9]{2}):([0-9]{2})", text)
    expected = bool(shaped) and int(shaped[1]) < 24 and int(shaped[2]) < 60
    try:
        parse_clock_time(text)
        accepted = True
    except ValueError:
        accepted = False
    assert accepted == expected


@pytest.mark.parametrize("text", ["9:00", "09:00 ", "0900", "24:00", "12:60", "7pm", "", "١٢:٠٠"])
def test_times_people_might_type_are_refused(text):
    assert "digest_time" in check_settings(replace(DEFAULTS, digest_time=text))


# -- the rest of the check ---------------------------------------------------------------
def test_the_defaults_may_be_saved():
    assert check_settings(DEFAULTS) == {}


@pytest.mark.parametrize("name", ["UTC", "Europe/London", "America/Argentina/Buenos_Aires"])
def test_iana_zones_are_accepted(name):
    assert check_settings(replace(DEFAULTS, time_zone=name)) == {}


@pytest.mark.parametrize(
    "name", ["", "Mars/Olympus", "europe/london", "localtime", "../etc/passwd"]
)
def test_anything_else_is_not_a_time_zone(name):
    assert set(check_settings(replace(DEFAULTS, time_zone=name))) == {"time_zone"}


def test_every_zone_offered_is_accepted():
    assert all(check_settings(replace(DEFAULTS, time_zone=z)) == {} for z in time_zones())


def test_quiet_hours_may_wrap_past_midnight_but_not_start_when_they_end():
    assert check_settings(replace(DEFAULTS, quiet_start="22:00", quiet_end="06:00")) == {}
    assert check_settings(replace(DEFAULTS, quiet_start="06:00", quiet_end="22:00")) == {}
    errors = check_settings(replace(DEFAULTS, quiet_start="07:00", quiet_end="07:00"))
    assert set(errors) == {"quiet_end"}


@pytest.mark.parametrize("weekday", [-1, 7])
def test_a_weekday_is_0_to_6(weekday):
    errors = check_settings(replace(DEFAULTS, digest_weekday=weekday, status_due_weekday=weekday))
    assert set(errors) == {"digest_weekday", "status_due_weekday"}


@given(st.tuples(*[st.integers(min_value=-3, max_value=30)] * 3))
def test_bands_are_accepted_exactly_when_they_rise_within_1_to_25(bands):
    medium, high, critical = bands
    draft = replace(
        DEFAULTS, risk_medium_from=medium, risk_high_from=high, risk_critical_from=critical
    )
    assert (check_settings(draft) == {}) == (1 <= medium < high < critical <= 25)


# -- storing -----------------------------------------------------------------------------
def test_a_new_workspace_has_the_default_settings(database):
    with database.session() as session:
        assert settings_of(session=session, team_id=TEAM) == DEFAULTS


def test_saved_settings_read_back_and_stay_in_their_workspace(database):
    wanted = replace(
        DEFAULTS,
        time_zone="Asia/Tokyo",
        digest_leaders=[SPONSOR, SPONSOR],
        default_cadence=Cadence.MONTHLY,
        pmo_leads=[LEAD],
    )
    with database.session() as session:
        save_settings(session=session, team_id=TEAM, actor=PM, draft=wanted, now=NOW)
    with database.session() as session:
        mine = settings_of(session=session, team_id=TEAM)
        theirs = settings_of(session=session, team_id=OTHER_TEAM)
    assert mine == replace(wanted, digest_leaders=[SPONSOR])
    assert theirs == DEFAULTS


def test_saving_audits_what_changed_in_the_same_transaction(database):
    with database.session() as session:
        save_settings(
            session=session,
            team_id=TEAM,
            actor=PM,
            draft=replace(DEFAULTS, digest_time="08:00", default_cadence=Cadence.FORTNIGHTLY),
            now=NOW,
        )
        [row] = session.exec(select(AuditEvent)).all()
    assert row.action == "workspace.settings_changed"
    assert row.at == NOW
    assert row.detail == {
        "changes": {
            "digest_time": ["09:00", "08:00"],
            "default_cadence": ["weekly", "fortnightly"],
        }
    }


def test_wrong_settings_raise_invalid_input_and_store_nothing(database):
    with database.session() as session, pytest.raises(InvalidInput) as refused:
        save_settings(
            session=session,
            team_id=TEAM,
            actor=PM,
            draft=replace(DEFAULTS, time_zone="Nowhere", risk_high_from=3),
            now=NOW,
        )
    assert set(refused.value.errors) == {"time_zone", "risk_high_from"}
    with database.session() as session:
        assert settings_of(session=session, team_id=TEAM) == DEFAULTS
        assert session.exec(select(AuditEvent)).all() == []


# -- who may change them -----------------------------------------------------------------
def set_leads(database, leads):
    with database.session() as session:
        ensure_workspace(session=session, team_id=TEAM).pmo_leads = leads


def may(database, user_id, *, admin=False):
    with database.session() as session:
        return may_change_settings(
            session=session, team_id=TEAM, user_id=user_id, is_slack_admin=admin
        )


def test_without_pmo_leads_only_slack_admins_may_change_settings(database):
    assert may(database, PM, admin=True)
    assert not may(database, PM)


def test_pmo_leads_may_change_settings_and_admins_still_may(database):
    set_leads(database, [LEAD])
    assert may(database, LEAD)
    assert may(database, OUTSIDER, admin=True)
    assert not may(database, OUTSIDER)


def test_leads_of_another_workspace_may_not(database):
    with database.session() as session:
        ensure_workspace(session=session, team_id=OTHER_TEAM).pmo_leads = [LEAD]
    assert not may(database, LEAD)


def test_a_refusal_names_who_may(database):
    with database.session() as session, pytest.raises(NotPermitted) as refused:
        require_may_change_settings(
            session=session, team_id=TEAM, user_id=OUTSIDER, is_slack_admin=False
        )
    assert str(refused.value) == "Only a Slack workspace admin can change pmo-bot's settings."
    set_leads(database, [LEAD])
    with database.session() as session, pytest.raises(NotPermitted) as refused:
        require_may_change_settings(
            session=session, team_id=TEAM, user_id=OUTSIDER, is_slack_admin=False
        )
    assert f"the PMO leads (<@{LEAD}>)" in str(refused.value)


# -- pausing -----------------------------------------------------------------------------
def pause(database, until, *, user_id=PM, team_id=TEAM, now=NOW):
    with database.session() as session:
        person = pause_nudges(
            session=session, team_id=team_id, user_id=user_id, until=until, now=now
        )
        return person.paused_until


def test_a_pause_runs_to_the_end_of_its_day_and_is_audited(database):
    assert pause(database, date(2026, 12, 24)) == date(2026, 12, 24)
    with database.session() as session:
        [row] = session.exec(select(AuditEvent)).all()
    assert (row.action, row.entity, row.entity_id) == ("person.paused", "person", PM)
    assert row.detail == {"paused_until": [None, "2026-12-24"]}


def test_resuming_clears_the_pause_and_is_audited(database):
    pause(database, date(2026, 12, 24))
    assert pause(database, None) is None
    with database.session() as session:
        actions = session.exec(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["person.paused", "person.resumed"]


def test_resuming_when_not_paused_changes_nothing(database):
    assert pause(database, None) is None
    with database.session() as session:
        assert session.exec(select(AuditEvent)).all() == []


def test_a_day_that_has_passed_in_the_workspace_time_zone_is_refused(database):
    with database.session() as session:
        ensure_workspace(session=session, team_id=TEAM).time_zone = "America/Los_Angeles"
    # 02:00 UTC on 24 November is still 23 November in Los Angeles.
    early = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
    assert pause(database, date(2026, 11, 23), now=early) == date(2026, 11, 23)
    with pytest.raises(InvalidInput) as refused:
        pause(database, date(2026, 11, 22), now=early)
    assert str(refused.value) == (
        "Sun 22 Nov 2026 has passed: pick today (Mon 23 Nov 2026) or a later day."
    )


def test_a_pause_is_one_person_s_in_one_workspace(database):
    pause(database, date(2026, 12, 24))
    with database.session() as session:
        people = session.exec(select(Person.team_id, Person.user_id, Person.paused_until)).all()
    assert people == [(TEAM, PM, date(2026, 12, 24))]
    pause(database, None, team_id=OTHER_TEAM)
    with database.session() as session:
        person = session.exec(select(Person).where(Person.team_id == TEAM)).one()
    assert person.paused_until == date(2026, 12, 24)
