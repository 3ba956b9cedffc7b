"""The `/status` short form parser."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commands.status_text import BadStatusText, Kind, StatusCommand, parse_status_text
from storage.models import Rag


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", StatusCommand(Kind.FORM)),
        ("   ", StatusCommand(Kind.FORM)),
        ("APOLLO", StatusCommand(Kind.SHOW, key="APOLLO")),
        ("history", StatusCommand(Kind.HISTORY)),
        ("history APOLLO", StatusCommand(Kind.HISTORY, key="APOLLO")),
        ("APOLLO green All good", StatusCommand(Kind.POST, "APOLLO", Rag.GREEN, "All good")),
        ("apollo Amber slipping", StatusCommand(Kind.POST, "apollo", Rag.AMBER, "slipping")),
        ("APOLLO yellow slipping", StatusCommand(Kind.POST, "APOLLO", Rag.AMBER, "slipping")),
        ("red It broke", StatusCommand(Kind.POST, None, Rag.RED, "It broke")),
        ("RED green fine", StatusCommand(Kind.POST, "RED", Rag.GREEN, "fine")),
        (
            "APOLLO red Vendor gone path: backup vendor by Friday",
            StatusCommand(Kind.POST, "APOLLO", Rag.RED, "Vendor gone", "backup vendor by Friday"),
        ),
        (
            "APOLLO amber Slow. Path to green: hire two devs",
            StatusCommand(Kind.POST, "APOLLO", Rag.AMBER, "Slow.", "hire two devs"),
        ),
        ("APOLLO hold", None),
    ],
)
def test_short_forms(text, expected):
    if expected is None:
        with pytest.raises(BadStatusText, match="Add a line"):
            parse_status_text(text)
    else:
        assert parse_status_text(text) == expected


def test_a_word_that_is_not_a_status_gets_the_usage():
    with pytest.raises(BadStatusText, match="“purple” is not a status"):
        parse_status_text("APOLLO purple things")


@given(
    key=st.from_regex(r"[A-Z][A-Z0-9]{1,9}", fullmatch=True).filter(
        lambda k: k.lower() not in ("history", "green", "amber", "red", "hold", "yellow")
    ),
    rag=st.sampled_from(["green", "amber", "red", "hold", "GREEN", "Red"]),
    summary=st.text(min_size=1).filter(
        lambda s: s.strip() and "path" not in s.lower() and "capacity" not in s.lower()
    ),
)
def test_any_summary_survives_the_round_trip(key, rag, summary):
    parsed = parse_status_text(f"{key} {rag} {summary}")
    assert parsed.kind == Kind.POST
    assert parsed.key == key
    assert parsed.rag == Rag(rag.lower())
    assert parsed.summary == summary.strip()


@given(st.text())
def test_any_text_parses_or_is_refused_with_the_usage(text):
    try:
        parsed = parse_status_text(text)
    except BadStatusText as exc:
        assert "/status" in str(exc)
    else:
        assert parsed.kind in Kind
