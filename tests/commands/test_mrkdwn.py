"""User text in messages: escaped so it never pings or links, and cut to Slack's limits."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from commands.mrkdwn import CUT_NOTE, escape, fit, user_ids_in


def test_escaping_defuses_broadcasts_mentions_and_links():
    assert escape("<!channel> ping <@U123> see <http://evil|here> & more") == (
        "&lt;!channel&gt; ping &lt;@U123&gt; see &lt;http://evil|here&gt; &amp; more"
    )


@given(st.text())
def test_escaped_text_has_no_angle_brackets_and_no_bare_ampersand(text):
    escaped = escape(text)
    assert "<" not in escaped and ">" not in escaped
    assert re.search(r"&(?!amp;|lt;|gt;)", escaped) is None


@given(st.text(), st.integers(min_value=len(CUT_NOTE), max_value=3000))
def test_fit_respects_the_limit_and_says_when_it_cut(text, limit):
    fitted = fit(escape(text), limit)
    assert len(fitted) <= limit
    if len(escape(text)) <= limit:
        assert fitted == escape(text)
    else:
        assert fitted.endswith(CUT_NOTE)
        assert re.search(r"&(?!amp;|lt;|gt;)", fitted) is None


def test_mentions_typed_in_a_command_are_found_in_order():
    assert user_ids_in("add <@U111|ann> and <@U222> then <@U111>") == ["U111", "U222"]
