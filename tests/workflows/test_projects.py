"""The project rules, called directly: keys, dates, budgets, channels, who may edit."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage.projects import roles_of
from storage.workspaces import ensure_workspace
from tests.factories import APPROVER, MEMBER, OUTSIDER, PM, SPONSOR, TEAM, draft, make_project
from workflows import message_keys
from workflows.actor import Actor
from workflows.errors import InvalidInput, NoProjectHere, NotPermitted, UnknownProject
from workflows.money import NotMoney, format_money, parse_money
from workflows.projects import (
    ProjectAnnouncement,
    check_draft,
    create_project,
    edit_project,
    get_project,
    may_edit,
    new_project,
    resolve_project,
    set_archived,
    update_project,
)

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@given(key=st.one_of(st.text(max_size=14), st.from_regex(r"[A-Za-z0-9]{1,11}", fullmatch=True)))
@settings(
    max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)
def test_a_key_is_accepted_exactly_when_it_is_2_to_10_ascii_letters_or_digits(database, key):
    with database.session() as session:
        ensure_workspace(session=session, team_id=TEAM)
        errors = check_draft(session=session, team_id=TEAM, draft=draft(key=key, channel_id=None))
    expected = re.fullmatch(r"[A-Za-z0-9]{2,10}", key.strip()) is not None
    assert ("key" not in errors) == expected


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False))
def test_money_written_with_separators_parses_back_to_the_amount(amount):
    assert parse_money(f"{amount:,}") == amount


@pytest.mark.parametrize("text", ["", "abc", "12abc", "1.2.3", "--5", "$", "5 apples"])
def test_text_that_is_not_money_is_refused(text):
    with pytest.raises(NotMoney):
        parse_money(text)


def test_money_is_shown_with_separators_and_cents_only_when_needed():
    assert format_money(Decimal("1250000.00")) == "1,250,000"
    assert format_money(Decimal("99.50")) == "99.50"


def test_a_check_lists_every_problem_at_once(database):
    with database.session() as session:
        ensure_workspace(session=session, team_id=TEAM)
        errors = check_draft(
            session=session,
            team_id=TEAM,
            draft=draft(
                key="!",
                name=" ",
                phase="Dreaming",
                start_date=date(2027, 1, 2),
                target_date=date(2027, 1, 1),
                budget=Decimal(-1),
            ),
        )
    assert set(errors) == {"key", "name", "phase", "target_date", "budget"}


def test_keys_are_unique_per_workspace_not_across_workspaces(database):
    make_project(database, key="APOLLO")
    make_project(database, key="APOLLO", team_id="T0OTHER01")
    with database.session() as session, pytest.raises(InvalidInput) as raised:
        create_project(
            session=session,
            team_id=TEAM,
            actor=PM,
            draft=draft(key="apollo", channel_id=None),
            now=NOW,
        )
    assert "already taken" in raised.value.errors["key"]


def test_a_person_may_hold_several_roles(database):
    project = make_project(database, pm=PM, approvers=[PM, APPROVER], members=[PM])
    with database.session() as session:
        assert roles_of(session=session, team_id=TEAM, project_id=project.id, user_id=PM) == {
            "pm",
            "approver",
            "member",
        }


def test_lookups_ignore_case_and_suggest_close_keys(database):
    make_project(database, key="APOLLO")
    with database.session() as session:
        assert get_project(session=session, team_id=TEAM, key="apollo").key == "APOLLO"
        with pytest.raises(UnknownProject) as raised:
            get_project(session=session, team_id=TEAM, key="APPOLO")
    assert raised.value.suggestions == ["APOLLO"]


def test_the_home_channel_resolves_to_its_project_and_archived_ones_do_not_count(database):
    project = make_project(database, channel_id="CAPOLLO01")
    with database.session() as session:
        found = resolve_project(
            session=session, team_id=TEAM, key=None, channel_id="CAPOLLO01", usage="x"
        )
        assert found.id == project.id
        set_archived(session=session, team_id=TEAM, actor=PM, key="APOLLO", archived=True, now=NOW)
    with database.session() as session, pytest.raises(NoProjectHere):
        resolve_project(session=session, team_id=TEAM, key=None, channel_id="CAPOLLO01", usage="x")


@pytest.mark.parametrize(
    ("user", "allowed"),
    [(PM, True), (SPONSOR, True), (MEMBER, False), (APPROVER, False), (OUTSIDER, False)],
)
def test_who_may_edit(database, user, allowed):
    project = make_project(database, actor=PM)
    with database.session() as session:
        assert may_edit(session=session, project=project, user_id=user) is allowed


def test_an_edit_by_someone_else_is_refused_and_changes_nothing(database):
    make_project(database)
    with database.session() as session, pytest.raises(NotPermitted):
        update_project(
            session=session,
            team_id=TEAM,
            actor=OUTSIDER,
            key="APOLLO",
            draft=draft(name="Hijacked"),
            now=NOW,
        )
    with database.session() as session:
        assert get_project(session=session, team_id=TEAM, key="APOLLO").name == "Apollo launch"


@given(name=st.text(min_size=1, max_size=250))
@settings(
    max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)
def test_any_name_up_to_200_characters_is_stored_as_typed(database, name):
    with database.session() as session:
        ensure_workspace(session=session, team_id=TEAM)
        errors = check_draft(session=session, team_id=TEAM, draft=draft(name=name, channel_id=None))
    if not name.strip():
        assert "name" in errors
    elif len(name.strip()) > 200:
        assert "at most 200" in errors["name"]
    else:
        assert "name" not in errors


def test_a_new_project_announces_its_card_in_its_home_channel(database):
    with database.session() as session:
        saved = new_project(session=session, actor=Actor(TEAM, PM), draft=draft(), now=NOW)
        [message] = saved.messages
        assert message.key == message_keys.project_announced(saved.project.id, "created", NOW)
        assert (message.team_id, message.to) == (TEAM, "CAPOLLO01")
        assert isinstance(message.content, ProjectAnnouncement)
        assert (message.content.by, message.content.verb) == (PM, "created")
        assert message.content.card.roles["sponsor"] == [SPONSOR]


def test_a_project_without_home_channel_is_announced_to_whoever_saved_it(database):
    make_project(database, channel_id=None)
    with database.session() as session:
        saved = edit_project(
            session=session,
            actor=Actor(TEAM, SPONSOR),
            key="apollo",
            draft=draft(channel_id=None, phase="Execute"),
            now=NOW,
        )
    [message] = saved.messages
    assert message.to == SPONSOR
    assert message.key == message_keys.project_announced(saved.project.id, "updated", NOW)
