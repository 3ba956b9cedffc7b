"""Retrospective rules called directly: who may start and contribute, the window, the
limits, the reminder once, the summary's counts, and what an anonymous item keeps."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import SQLModel, select

from storage.models import AuditEvent, RetroItem
from storage.workspaces import ensure_workspace
from tests.factories import MEMBER, OUTSIDER, PM, SPONSOR, TEAM, make_project
from workflows.actor import Actor
from workflows.errors import InvalidInput, NotPermitted, PmoError
from workflows.retro_schedule import RetroSummary, due_retro_messages
from workflows.retros import Contribution, contribute, set_cadence, start_retro

MONDAY = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
LEAD = "ULEAD0001"


def start(database, user=PM, now=MONDAY):
    with database.session() as session:
        return start_retro(session=session, actor=Actor(TEAM, user), key="APOLLO", now=now)


def give(database, retro_id, user, now=MONDAY, **texts):
    with database.session() as session:
        return contribute(
            session=session,
            actor=Actor(TEAM, user),
            retro_id=retro_id,
            contribution=Contribution(**texts),
            now=now,
        )


def test_the_window_is_three_working_days_in_the_workspace_zone(database):
    make_project(database)
    friday = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)
    started = start(database, now=friday)
    assert started.retro.closes_at == datetime(2026, 12, 2, 16, 0, tzinfo=UTC)
    assert sorted(started.invited) == sorted([PM, MEMBER, SPONSOR])


def test_a_pmo_lead_may_start_an_outsider_may_not(database):
    make_project(database)
    with database.session() as session:
        ensure_workspace(session=session, team_id=TEAM).pmo_leads = [LEAD]
    with pytest.raises(NotPermitted):
        start(database, user=OUTSIDER)
    assert start(database, user=LEAD).retro.number == 1
    with pytest.raises(PmoError, match="APOLLO-RETRO1 is open until"):
        start(database)


def test_contributions_are_refused_when_empty_too_long_or_late(database):
    make_project(database)
    retro = start(database).retro
    with pytest.raises(InvalidInput) as empty:
        give(database, retro.id, MEMBER, went_well="  ")
    assert set(empty.value.errors) == {"went_well"}
    with pytest.raises(InvalidInput) as long:
        give(database, retro.id, MEMBER, went_well="ok", ideas="y" * 1001)
    assert long.value.errors == {
        "ideas": "Each answer can be at most 1,000 characters; yours has 1,001."
    }
    with pytest.raises(NotPermitted):
        give(database, retro.id, OUTSIDER, went_well="ok")
    with pytest.raises(PmoError, match="is closed"):
        give(database, retro.id, MEMBER, now=retro.closes_at, went_well="ok")


def test_an_anonymous_contribution_keeps_no_author_no_time_and_no_audit_row(database):
    make_project(database)
    retro = start(database).retro
    with database.engine.connect() as connection:
        before = {
            t.name: connection.execute(t.select()).fetchall()
            for t in SQLModel.metadata.sorted_tables
        }
    give(database, retro.id, MEMBER, went_well="Calm", did_not="Scope", anonymous=True)
    with database.engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            new = [r for r in connection.execute(table.select()) if r not in before[table.name]]
            assert not [r for r in new if any(MEMBER in str(v) for v in r)], table.name
    with database.session() as session:
        items = session.exec(select(RetroItem)).all()
        actions = session.exec(select(AuditEvent.action)).all()
    assert [(i.author, i.given_on) for i in items] == [(None, date(2026, 11, 23))] * 2
    assert "retro.contributed" not in actions


def test_the_reminder_goes_once_to_whoever_named_nothing_and_the_summary_counts(database):
    make_project(database)
    retro = start(database).retro
    give(database, retro.id, PM, went_well="Demos")
    give(database, retro.id, MEMBER, ideas="Pair", anonymous=True)
    with database.session() as session:
        early = due_retro_messages(session=session, team_id=TEAM, now=MONDAY.replace(hour=20))
        reminders = due_retro_messages(
            session=session, team_id=TEAM, now=datetime(2026, 11, 25, 11, tzinfo=UTC)
        )
    assert early == []
    assert sorted(m.to for m in reminders) == sorted([MEMBER, SPONSOR])
    with database.session() as session:
        again = due_retro_messages(
            session=session, team_id=TEAM, now=datetime(2026, 11, 25, 12, tzinfo=UTC)
        )
        [summary] = due_retro_messages(session=session, team_id=TEAM, now=retro.closes_at)
    assert again == []
    content = summary.content
    assert isinstance(content, RetroSummary)
    assert (content.named_contributors, content.anonymous_items) == ([PM], 1)


def test_only_the_pm_or_a_pmo_lead_sets_the_cadence_within_bounds(database):
    make_project(database)
    with database.session() as session:
        with pytest.raises(NotPermitted):
            set_cadence(
                session=session, actor=Actor(TEAM, SPONSOR), key="APOLLO", weeks=4, now=MONDAY
            )
        with pytest.raises(InvalidInput):
            set_cadence(session=session, actor=Actor(TEAM, PM), key="APOLLO", weeks=0, now=MONDAY)
        done = set_cadence(
            session=session, actor=Actor(TEAM, PM), key="APOLLO", weeks=4, now=MONDAY
        )
    assert done.project.retro_every_weeks == 4
