"""Mentions are made only from ids of Slack's shape; anything else shows as plain text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from workflows.markup import channel, is_channel_id, is_user_id, mention, mentions, quoted

IDS = st.from_regex(r"\A[UWCGD][A-Z0-9]{2,12}\Z")


@given(st.one_of(st.text(), IDS))
def test_a_mention_is_made_only_from_a_user_id(value):
    shown = mention(value)
    if is_user_id(value):
        assert shown == f"<@{value}>"
    elif value:
        assert "<" not in shown and ">" not in shown


@given(st.one_of(st.text(), IDS))
def test_a_channel_link_is_made_only_from_a_channel_id(value):
    shown = channel(value)
    if is_channel_id(value):
        assert shown == f"<#{value}>"
    elif value:
        assert "<" not in shown and ">" not in shown


def test_ids_of_slacks_shape_and_nothing_else():
    assert is_user_id("U012AB3CD") and is_user_id("W0123ABCD")
    for bad in ("U<!channel>", "u012ab3cd", "U1", "C012AB3CD", "U" + "1" * 32, "U012AB3CD\n"):
        assert not is_user_id(bad), bad
    assert is_channel_id("C012AB3CD") and is_channel_id("G012") and is_channel_id("D012AB")
    assert not is_channel_id("C<!channel>")


def test_nobody_is_a_dash_and_several_are_listed():
    assert mention(None) == "—" and mentions([]) == "—" and channel(None) == "—"
    assert mentions(["U111", "U<!here>"]) == "<@U111>, U&lt;!here&gt;"
    assert mentions(["U111", "U222"], joiner=" or ") == "<@U111> or <@U222>"


@given(st.text())
def test_echoed_text_is_escaped_and_short(text):
    shown = quoted(text)
    assert "<" not in shown and ">" not in shown
    unescaped = shown.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    if len(text) <= 40:
        assert unescaped == text
    else:
        assert unescaped == text[:39] + "…"


def test_an_escape_in_echoed_text_is_shown_as_typed():
    assert quoted("&lt;!here&gt;") == "&amp;lt;!here&amp;gt;"
