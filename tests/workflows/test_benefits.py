"""Benefits by the rules: numbers as people type them, who may state and record them, when
their check-in comes, realised or missed, and what the digest reports."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from storage.models import AuditEvent, Benefit, BenefitStatus, Verdict
from storage.projects import find_project
from storage.workspaces import ensure_workspace
from tests.factories import APPROVER, MEMBER, PM, SPONSOR, TEAM, make_project
from workflows.actor import Actor
from workflows.benefit_checkins import asked_for_values, awaiting_check_in, mark_due
from workflows.benefits import (
    BenefitDraft,
    Direction,
    add_benefit,
    meets_target,
    project_benefits,
    record_value,
)
from workflows.digest import build_digest
from workflows.errors import InvalidInput, NotPermitted, PmoError
from workflows.gate_decisions import decide
from workflows.gates import GateDraft, store_request
from workflows.projects import set_archived
from workflows.quantity import NotAQuantity, format_quantity, parse_quantity

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
DUE_DAY = date(2026, 12, 1)  # a Tuesday
TUESDAY_NOON = datetime(2026, 12, 1, 12, tzinfo=UTC)
LEAD = "ULEAD0001"


def utc(*parts):
    return datetime(*parts, tzinfo=UTC)


def draft(**fields):
    values = {
        "title": "Fewer cancellations",
        "measure": "Monthly churn",
        "target": "5 %",
        "unit": "",
        "realise_on": DUE_DAY,
    }
    return BenefitDraft(**{**values, **fields})


def add(database, key="APOLLO", user=PM, now=NOW, **fields):
    with database.session() as session:
        return add_benefit(
            session=session, actor=Actor(TEAM, user), key=key, draft=draft(**fields), now=now
        ).benefit


def archive(database, now=NOW):
    with database.session() as session:
        set_archived(session=session, team_id=TEAM, actor=PM, key="APOLLO", archived=True, now=now)


def record(database, benefit, value, direction="higher", user=SPONSOR, now=None, note=""):
    with database.session() as session:
        return record_value(
            session=session,
            actor=Actor(TEAM, user),
            benefit_id=benefit.id,
            value=value,
            direction=direction,
            note=note,
            now=now or datetime(2026, 12, 2, 11, 0, tzinfo=UTC),
        )


def stored(database):
    with database.session() as session:
        return session.exec(select(Benefit).order_by(Benefit.id)).all()


def audit_actions(database):
    with database.session() as session:
        events = session.exec(
            select(AuditEvent).where(AuditEvent.entity == "benefit").order_by(AuditEvent.id)
        )
        return [(e.action, e.actor) for e in events]


# -- numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "value", "unit"),
    [
        ("5 %", Decimal("5"), "%"),
        ("12.5%", Decimal("12.5"), "%"),
        ("1.2m", Decimal("1200000"), ""),
        ("€80k", Decimal("80000"), ""),
        ("250,000", Decimal("250000"), ""),
        ("0.1234", Decimal("0.1234"), ""),
        ("-3", Decimal("-3"), ""),
    ],
)
def test_targets_read_as_people_type_them(typed, value, unit):
    assert parse_quantity(typed) == (value, unit)


@pytest.mark.parametrize("typed", ["lots", "5..5", "%", "", "1e9", "١٢", "9" * 13, "x" * 500])
def test_what_is_not_a_number_is_refused_in_words(typed):
    with pytest.raises(NotAQuantity):
        parse_quantity(typed)


def test_values_show_without_trailing_zeros_and_with_their_unit():
    assert format_quantity(Decimal("5.0000"), "%") == "5 %"
    assert format_quantity(Decimal("1200000.0000"), "EUR") == "1,200,000 EUR"
    assert format_quantity(Decimal("4.2500")) == "4.25"


def test_a_target_is_met_in_the_direction_that_is_better():
    assert meets_target(Decimal(5), Decimal(5), Direction.HIGHER)
    assert not meets_target(Decimal("4.9"), Decimal(5), Direction.HIGHER)
    assert meets_target(Decimal("4.2"), Decimal(5), Direction.LOWER)
    assert not meets_target(Decimal(6), Decimal(5), Direction.LOWER)


# -- stating benefits ----------------------------------------------------------------------


def test_the_pm_states_a_benefit_stored_expected_and_audited(database):
    make_project(database)
    benefit = add(database)
    assert (benefit.title, benefit.measure, benefit.target, benefit.unit, benefit.status) == (
        "Fewer cancellations",
        "Monthly churn",
        Decimal("5.0000"),
        "%",
        BenefitStatus.EXPECTED,
    )
    assert audit_actions(database) == [("benefit.added", PM)]


def test_every_wrong_field_is_named_and_nothing_is_stored(database):
    make_project(database)
    with pytest.raises(InvalidInput) as refused:
        add(
            database,
            title=" ",
            measure="m" * 101,
            target="lots",
            unit="u" * 21,
            realise_on=date(2026, 8, 1),
        )
    assert set(refused.value.errors) == {"title", "measure", "target", "unit", "realise_on"}
    assert "is not a number" in refused.value.errors["target"]
    assert "after the project starts (Tue 1 Sep 2026)" in refused.value.errors["realise_on"]
    assert stored(database) == []


def test_a_target_in_percent_with_another_unit_is_refused(database):
    make_project(database)
    with pytest.raises(InvalidInput, match="The target is in %, but the unit says EUR"):
        add(database, unit="EUR")
    assert add(database, unit="%", target="5").unit == "%"


def test_an_unknown_project_is_named_on_its_field_with_close_matches(database):
    make_project(database)
    with pytest.raises(InvalidInput) as refused:
        add(database, key="APOLO", target="x")
    assert "Did you mean `APOLLO`?" in refused.value.errors["project"]
    assert "target" in refused.value.errors


def test_only_the_pm_the_sponsor_or_a_pmo_lead_states_benefits(database):
    make_project(database)
    with pytest.raises(NotPermitted, match="Only the PM or the sponsor of APOLLO"):
        add(database, user=MEMBER)
    with database.session() as session:
        ensure_workspace(session=session, team_id=TEAM).pmo_leads = [LEAD]
    add(database, user=SPONSOR)
    add(database, user=LEAD)
    assert len(stored(database)) == 2


# -- when the check-in comes ---------------------------------------------------------------


def test_a_running_project_keeps_its_benefits_expected(database):
    make_project(database)
    add(database)
    later = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    with database.session() as session:
        assert awaiting_check_in(session=session, team_id=TEAM, now=later) == []


def test_an_archived_project_s_benefits_are_due_on_their_date_and_marked_once(database):
    make_project(database)
    benefit = add(database)
    archive(database)
    with database.session() as session:
        assert (
            mark_due(session=session, team_id=TEAM, now=datetime(2026, 11, 30, 23, 0, tzinfo=UTC))
            == []
        )
    with database.session() as session:
        [marked] = mark_due(
            session=session, team_id=TEAM, now=datetime(2026, 12, 1, 0, 5, tzinfo=UTC)
        )
        assert marked.id == benefit.id
    with database.session() as session:
        assert mark_due(session=session, team_id=TEAM, now=datetime(2026, 12, 2, tzinfo=UTC)) == []
    assert stored(database)[0].status == BenefitStatus.DUE
    assert audit_actions(database) == [("benefit.added", PM), ("benefit.due", "pmo-bot")]


def test_passing_the_last_gate_closes_the_project(database):
    make_project(database, phase="Execute", gate_rule="any")
    add(database)
    with database.session() as session:
        gate = store_request(
            session=session,
            project=find_project(session=session, team_id=TEAM, key="APOLLO"),
            requester=PM,
            draft=GateDraft(evidence="done", ticked=[0, 1, 2]),
            now=NOW,
        ).gate
        decide(
            session=session,
            actor=Actor(TEAM, APPROVER),
            gate_id=gate.id,
            verdict=Verdict.APPROVE,
            reason="",
            now=NOW + timedelta(hours=1),
        )
    with database.session() as session:
        [check_in] = awaiting_check_in(session=session, team_id=TEAM, now=TUESDAY_NOON)
    assert (check_in.project.phase, check_in.ask) == ("Close", [SPONSOR])


def test_the_workspace_s_own_last_phase_closes_a_project(database):
    with database.session() as session:
        ensure_workspace(session=session, team_id=TEAM).phases = ["Discover", "Build", "Handover"]
    make_project(database, phase="Handover")
    add(database)
    with database.session() as session:
        assert len(awaiting_check_in(session=session, team_id=TEAM, now=TUESDAY_NOON)) == 1


def test_with_no_sponsor_the_pm_is_asked(database):
    make_project(database, sponsor=None)
    add(database)
    archive(database)
    with database.session() as session:
        [check_in] = awaiting_check_in(session=session, team_id=TEAM, now=TUESDAY_NOON)
    assert check_in.ask == [PM]


def test_who_is_asked_for_values_is_each_asker_once_in_the_check_ins_order(database):
    make_project(database, sponsor=None)  # APOLLO: its PM is asked
    make_project(database, key="HERMES", channel_id=None, pm=MEMBER)  # its sponsor is
    make_project(database, key="ZEUS", channel_id=None, pm=APPROVER)  # running: nobody
    add(database, realise_on=date(2026, 11, 30))
    add(database, key="HERMES", user=MEMBER, realise_on=date(2026, 11, 29))
    add(database, key="HERMES", user=MEMBER, title="Second", realise_on=date(2026, 12, 1))
    add(database, key="ZEUS", user=APPROVER, realise_on=date(2026, 11, 28))
    with database.session() as session:
        for key, pm in (("APOLLO", PM), ("HERMES", MEMBER)):
            set_archived(session=session, team_id=TEAM, actor=pm, key=key, archived=True, now=NOW)
    with database.session() as session:
        asked = asked_for_values(session=session, team_id=TEAM, now=TUESDAY_NOON)
        check_ins = awaiting_check_in(session=session, team_id=TEAM, now=TUESDAY_NOON)
        nobody = asked_for_values(session=session, team_id=TEAM, now=NOW)
    assert asked == [SPONSOR, PM]
    assert asked == list(dict.fromkeys(user for c in check_ins for user in c.ask))
    assert nobody == []


# -- recording the value -------------------------------------------------------------------


def test_the_sponsor_records_a_value_that_meets_the_target(database):
    make_project(database)
    benefit = add(database, target="80k", unit="EUR")
    archive(database)
    done = record(database, benefit, "92,500", note="From the ledger")
    assert done.met
    [row] = stored(database)
    assert (row.status, row.realised, row.recorded_by) == (
        BenefitStatus.REALISED,
        Decimal("92500.0000"),
        SPONSOR,
    )
    with database.session() as session:
        event = session.exec(
            select(AuditEvent).where(AuditEvent.action == "benefit.recorded")
        ).one()
    assert event.detail["note"] == "From the ledger"
    assert event.detail["before"] == {"status": "expected", "realised": None}


def test_lower_is_better_reads_the_target_as_a_ceiling(database):
    make_project(database)
    benefit = add(database)
    archive(database)
    assert record(database, benefit, "4.2 %", direction="lower").met
    assert not record(database, benefit, "6", direction="lower").met
    assert stored(database)[0].status == BenefitStatus.MISSED


def test_a_value_is_recorded_only_once_the_check_in_has_come(database):
    make_project(database)
    benefit = add(database)
    with pytest.raises(PmoError, match="checked once APOLLO has closed"):
        record(database, benefit, "4")
    archive(database)
    with pytest.raises(PmoError, match="from Tue 1 Dec 2026"):
        record(database, benefit, "4", now=datetime(2026, 11, 30, 12, tzinfo=UTC))


def test_only_the_sponsor_or_a_pmo_lead_records_the_value(database):
    make_project(database)
    benefit = add(database)
    archive(database)
    for user in (PM, MEMBER):
        with pytest.raises(NotPermitted, match="Only the sponsor of APOLLO"):
            record(database, benefit, "4", user=user)
    with database.session() as session:
        ensure_workspace(session=session, team_id=TEAM).pmo_leads = [LEAD]
    assert record(database, benefit, "4", user=LEAD).benefit.recorded_by == LEAD


def test_a_wrong_value_direction_or_note_is_named(database):
    make_project(database)
    benefit = add(database)
    archive(database)
    with pytest.raises(InvalidInput) as refused:
        record(database, benefit, "many", direction="sideways", note="n" * 1001)
    assert set(refused.value.errors) == {"value", "direction", "note"}
    assert stored(database)[0].realised is None


def test_a_value_in_another_unit_is_refused(database):
    make_project(database)
    benefit = add(database, target="80k", unit="EUR")
    archive(database)
    with pytest.raises(InvalidInput, match="measured in EUR, not %"):
        record(database, benefit, "5 %")


def test_the_list_says_how_each_benefit_stands_and_what_the_viewer_may_do(database):
    make_project(database)
    add(database, title="Due one")
    add(database, title="Later one", realise_on=date(2027, 6, 1))
    archive(database)
    with database.session() as session:
        listed = project_benefits(
            session=session,
            actor=Actor(TEAM, SPONSOR),
            key="APOLLO",
            now=TUESDAY_NOON,
        )
    assert [(line.benefit.title, line.status) for line in listed.lines] == [
        ("Due one", BenefitStatus.DUE),
        ("Later one", BenefitStatus.EXPECTED),
    ]
    assert (listed.may_manage, listed.may_record, listed.recorders) == (True, True, [SPONSOR])


# -- the digest ----------------------------------------------------------------------------


def test_the_digest_reports_benefits_due_realised_missed_and_unrecorded(database):
    make_project(database)
    make_project(database, key="HERMES", channel_id=None)
    due = add(database, title="Awaited")
    old = add(database, title="Forgotten", realise_on=date(2026, 11, 2))
    hit = add(database, title="Hit", key="HERMES")
    miss = add(database, title="Miss", key="HERMES")
    archive(database)
    with database.session() as session:
        set_archived(session=session, team_id=TEAM, actor=PM, key="HERMES", archived=True, now=NOW)
        # The forgotten one was checked in on 2 Nov; none of the others had its date then.
        [marked] = mark_due(
            session=session, team_id=TEAM, now=datetime(2026, 11, 2, 10, tzinfo=UTC)
        )
        assert marked.id == old.id
    record(database, hit, "6", now=datetime(2026, 12, 2, 10, tzinfo=UTC))
    record(database, miss, "4", now=datetime(2026, 12, 3, 10, tzinfo=UTC))
    with database.session() as session:
        review = build_digest(
            session=session, team_id=TEAM, now=datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
        ).benefits
    assert [(n.benefit.title, n.since, n.ask) for n in review.due] == [
        ("Awaited", date(2026, 12, 1), [SPONSOR])
    ]
    assert [(n.benefit.title, n.since) for n in review.unrecorded] == [
        ("Forgotten", date(2026, 11, 2))
    ]
    assert [n.benefit.title for n in review.realised] == ["Hit"]
    assert [n.benefit.title for n in review.missed] == ["Miss"]
    assert due.status == BenefitStatus.EXPECTED  # not marked yet: due from its date


def test_a_week_without_benefits_leaves_the_section_empty(database):
    make_project(database)
    add(database)
    with database.session() as session:
        review = build_digest(session=session, team_id=TEAM, now=NOW).benefits
    assert review.empty
