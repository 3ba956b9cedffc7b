"""Counts and days as people write them, the one way every Slack message says them."""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace

import pytest

from commands.templates import Templates
from workflows.gates import rule_words
from workflows.wording import count, day, last, period_words, plural, week_of


@pytest.mark.parametrize(
    ("n", "said"),
    [(0, "0 approvals"), (1, "1 approval"), (3, "3 approvals"), (1200, "1,200 approvals")],
)
def test_a_count_takes_the_plural_unless_it_is_one(n, said):
    assert count(n, "approval") == said


@pytest.mark.parametrize(
    ("n", "said"),
    [(0, "0 people have"), (1, "1 person has"), (4, "4 people have")],
)
def test_irregular_plurals_read_right(n, said):
    assert count(n, "person has") == said


@pytest.mark.parametrize(("n", "said"), [(0, "are"), (1, "is"), (2, "are")])
def test_a_verb_agrees_with_its_count(n, said):
    assert plural(n, "is") == said


@pytest.mark.parametrize(
    ("n", "said"), [(0, "no updates"), (1, "the last update"), (10, "the last 10 updates")]
)
def test_the_last_few_read_as_a_person_says_them(n, said):
    assert last(n, "update") == said


@pytest.mark.parametrize(
    ("rule", "required", "total", "said"),
    [
        ("any", 1, 1, "the approver"),
        ("all", 1, 1, "the approver"),
        ("1", 1, 1, "the approver"),
        ("any", 1, 3, "any one of 3 approvers"),
        ("all", 3, 3, "all 3 approvers"),
        ("2", 2, 3, "2 of 3 approvers"),
    ],
)
def test_a_gate_rule_names_a_single_approver_as_the_approver(rule, required, total, said):
    assert rule_words(rule, required, total) == said


def test_a_day_reads_weekday_day_month_year():
    assert day(date(2026, 12, 1)) == "Tue 1 Dec 2026"
    assert day(date(2027, 1, 10)) == "Sun 10 Jan 2027"
    assert day(None) == "—"


def test_a_week_is_named_by_its_monday():
    assert week_of(date(2026, 11, 23)) == "week of Mon 23 Nov 2026"
    assert week_of(date(2026, 11, 26)) == "week of Mon 23 Nov 2026"


@pytest.mark.parametrize(
    ("label", "said"),
    [
        ("2026-W48", "week of Mon 23 Nov 2026"),
        ("2026-W53", "week of Mon 28 Dec 2026"),
        ("2026-11", "November 2026"),
        ("2026-W99", "2026-W99"),
        ("someday", "someday"),
    ],
)
def test_a_reporting_period_is_shown_in_words_not_its_iso_label(label, said):
    assert period_words(label) == said


def test_a_week_after_for_takes_the():
    assert period_words("2026-W48", the=True) == "the week of Mon 23 Nov 2026"
    assert period_words("2026-11", the=True) == "November 2026"


@pytest.mark.parametrize(
    ("active", "said"),
    [(0, "0 active projects"), (1, "1 active project"), (12, "12 active projects")],
)
def test_the_digest_intro_counts_projects_in_words(active, said):
    text = Templates().render(
        "digest_intro.j2",
        team_id="T0TEST0001",
        digest=SimpleNamespace(active_projects=active),
        window=SimpleNamespace(end=datetime(2026, 11, 30, 9, 0)),
    )
    assert text.endswith(f"{said}.")
    assert "|Mon 30 Nov 2026>" in text


@pytest.mark.parametrize(
    ("required", "days", "said"),
    [
        (1, 0, "0 of 1 approval · waiting 0 working days"),
        (1, 1, "0 of 1 approval · waiting 1 working day"),
        (3, 4, "0 of 3 approvals · waiting 4 working days"),
    ],
)
def test_a_pending_gate_in_the_digest_counts_in_words(required, days, said):
    gate = SimpleNamespace(from_phase="Plan", to_phase="Execute", required=required)
    line = SimpleNamespace(label="APOLLO-G1", gate=gate, approvals=0, working_days=days, waiting=[])
    text = Templates().render(
        "digest_gates.j2", team_id="T0TEST0001", lines=[line], digest=None, window=None
    )
    assert text.splitlines()[1] == f"*APOLLO-G1* Plan → Execute · {said}"
