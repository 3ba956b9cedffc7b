"""Risk rules called directly: bands, review dates, numbering, conversions."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commands.risk_text import BadRiskText, RiskAsk, parse_risk_text
from storage.models import Project, Risk, RiskKind, RiskStatus, Workspace
from storage.workspaces import ensure_workspace
from tests.factories import APPROVER, MEMBER, PM, SPONSOR, TEAM, make_project
from workflows.risk_views import RiskFilter
from workflows.risks import (
    RiskDraft,
    Severity,
    owners_past_review,
    risk_label,
    risks_past_review,
    severity,
    store_risk,
)

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@given(p=st.integers(1, 5), i=st.integers(1, 5))
def test_default_bands(p, i):
    score = p * i
    band = severity(score, Workspace(team_id="T"))
    expected = (
        Severity.LOW
        if score < 6
        else Severity.MEDIUM
        if score < 12
        else Severity.HIGH
        if score < 20
        else Severity.CRITICAL
    )
    assert band == expected
    assert band.escalates == (score >= 12)


def draft(**fields):
    return RiskDraft(**{"title": "t", "probability": 3, "impact": 3, **fields})


def test_numbers_count_up_per_project(database):
    apollo = make_project(database)
    hermes = make_project(database, key="HERMES", channel_id=None)
    with database.session() as session:
        numbers = [
            store_risk(session=session, project=p, raised_by=PM, draft=draft(), now=NOW).risk.number
            for p in (apollo, apollo, hermes, apollo)
        ]
    assert numbers == [1, 2, 1, 3]


def test_review_dates_pass_at_midnight_in_the_workspace_zone(database):
    project = make_project(database)
    with database.session() as session:
        workspace = ensure_workspace(session=session, team_id=TEAM)
        workspace.time_zone = "Pacific/Auckland"  # UTC+13 in November
        session.add(workspace)
        store_risk(
            session=session,
            project=project,
            raised_by=MEMBER,
            draft=draft(owner=MEMBER, review_date=date(2026, 11, 25)),
            now=NOW,
        )
    with database.session() as session:
        assert (
            risks_past_review(
                session=session, team_id=TEAM, now=datetime(2026, 11, 25, 10, 59, tzinfo=UTC)
            )
            == []
        )
        [(risk, found)] = risks_past_review(
            session=session, team_id=TEAM, now=datetime(2026, 11, 25, 11, 0, tzinfo=UTC)
        )
    assert (risk.owner, found.key) == (MEMBER, "APOLLO")


def test_the_owners_past_review_are_those_of_the_risks_past_review_once_each_oldest_first(
    database,
):
    apollo = make_project(database)
    hermes = make_project(database, key="HERMES", channel_id=None)
    entries = [  # (project, owner, review date)
        (apollo, SPONSOR, date(2026, 11, 20)),
        (apollo, None, date(2026, 11, 10)),  # nobody owns it: nobody to ask
        (hermes, MEMBER, date(2026, 11, 5)),
        (apollo, SPONSOR, date(2026, 11, 1)),  # the same owner again: once, first place
        (apollo, PM, date(2026, 11, 30)),  # not past yet
        (apollo, APPROVER, None),  # no review date
        (hermes, APPROVER, date(2026, 11, 2)),  # closed below
        (hermes, "U0ARCHIVE", date(2026, 11, 3)),  # on HERMES, archived below
    ]
    with database.session() as session:
        stored = [
            store_risk(
                session=session,
                project=project,
                raised_by=PM,
                draft=draft(owner=owner, review_date=review),
                now=NOW,
            ).risk
            for project, owner, review in entries
        ]
    with database.session() as session:
        closed = session.get(Risk, stored[6].id)
        closed.status = RiskStatus.CLOSED
        session.add(closed)
    with database.session() as session:
        before_archive = owners_past_review(session=session, team_id=TEAM, now=NOW)
        archived = session.get(Project, hermes.id)
        archived.archived = True
        session.add(archived)
    with database.session() as session:
        owners = owners_past_review(session=session, team_id=TEAM, now=NOW)
        risks = risks_past_review(session=session, team_id=TEAM, now=NOW)
    assert before_archive == [SPONSOR, "U0ARCHIVE", MEMBER]
    assert owners == [SPONSOR]
    assert owners == list(dict.fromkeys(risk.owner for risk, _ in risks if risk.owner))


@pytest.mark.parametrize("text", ["p4 i5", "APOLLO i5", "x p0 i1 t", "x p1 i6 t", "APOLLO p1 p2 t"])
def test_short_forms_that_are_refused(text):
    with pytest.raises(BadRiskText):
        parse_risk_text(text)


@given(
    p=st.integers(1, 5),
    i=st.integers(1, 5),
    title=st.text(min_size=1).filter(lambda t: t.strip() and t.split()[0][:1].lower() not in "pi"),
    swap=st.booleans(),
)
def test_any_title_survives_the_short_form(p, i, title, swap):
    scores = f"i{i} p{p}" if swap else f"p{p} i{i}"
    parsed = parse_risk_text(f"APOLLO {scores} {title}")
    assert (parsed.kind, parsed.key, parsed.probability, parsed.impact) == (
        RiskAsk.RAISE,
        "APOLLO",
        p,
        i,
    )
    assert parsed.title == title.strip()


def test_list_filters_are_read_strictly():
    asked = parse_risk_text("list APOLLO decisions all owner <@UMEMBER01|Mo M> min score 4")
    assert asked.kind == RiskAsk.LIST and asked.key == "APOLLO"
    assert asked.wanted == RiskFilter((RiskKind.DECISION,), "all", "UMEMBER01", 4)
    assert parse_risk_text("list").wanted == RiskFilter()
    for text in ("list APOLLO open open", "list APOLLO min score", "list APOLLO x y"):
        with pytest.raises(BadRiskText):
            parse_risk_text(text)


def test_assume_and_decide_take_an_optional_key_in_capitals():
    asked = parse_risk_text("assume APOLLO the API stays")
    assert (asked.kind, asked.key, asked.title, asked.entry_kind) == (
        RiskAsk.RECORD,
        "APOLLO",
        "the API stays",
        RiskKind.ASSUMPTION,
    )
    assert parse_risk_text("decide Go with plan B").key is None
    with pytest.raises(BadRiskText):
        parse_risk_text("decide")


def test_assumptions_and_decisions_are_stored_unscored_with_their_letters(database):
    project = make_project(database)
    with database.session() as session:
        raised = store_risk(
            session=session,
            project=project,
            raised_by=MEMBER,
            draft=RiskDraft(title="Plan B", probability=None, impact=None, kind=RiskKind.DECISION),
            now=NOW,
        )
        assert (raised.risk.score, raised.risk.decided_by, raised.messages[1:]) == (0, MEMBER, [])
        assert risk_label(raised.risk, project) == "APOLLO-D1"
