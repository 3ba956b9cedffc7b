"""The digest's Capacity section as Slack shows it, sent by the digest job."""

from __future__ import annotations

import re
from datetime import date

import pytest

from storage.models import TeamCapacity
from tests.bot.test_digest_job import DIGEST_CHANNEL, run, workspace  # noqa: F401 (a fixture)
from tests.factories import MEMBER, make_project
from tests.workflows.test_digest_capacity import (
    WEEK_2,
    WEEK_3,
    allocation,
    capacity,
    over_allocate,
    request,
    say,
)

# Each test's workspace sends its digest to DIGEST_CHANNEL.
pytestmark = pytest.mark.usefixtures("workspace")


def capacity_section(slack_api) -> str:
    [post] = slack_api.posts(DIGEST_CHANNEL)
    found = [
        block["text"]["text"]
        for block in post.blocks
        if block["type"] == "section" and block["text"]["text"].startswith("*Capacity")
    ]
    return "\n".join(found)


def test_the_digest_says_who_is_asked_for_too_much_and_what_waits(runtime, database, slack_api):
    apollo, _ = over_allocate(database)
    request(database, apollo, "design", "20", date(2026, 11, 23))
    say(database, apollo, TeamCapacity.SHORT)
    run(runtime)
    section = capacity_section(slack_api)
    assert section.split("\n") == [
        "*Capacity* (next 4 weeks)",
        f":warning: <@{MEMBER}> · week of Mon 7 Dec 2026: asked for 52 h of 40 h "
        "(APOLLO 32 h, HERMES 20 h)",
        ":hourglass_flowing_sand: *APOLLO-RQ1* Apollo launch asked for design, 20 h a week "
        "from Mon 23 Nov 2026: not filled yet",
        ":chart_with_downwards_trend: *design* is short 20 h in the weeks of Mon 30 Nov 2026, "
        "Mon 7 Dec 2026, "
        "Mon 14 Dec 2026 and Mon 21 Dec 2026",
        ":chart_with_downwards_trend: *backend* is short 12 h in the week of Mon 7 Dec 2026",
        ":busts_in_silhouette: *APOLLO* Apollo launch: its latest update (Fri 27 Nov 2026) "
        "says the team is short for the next two weeks",
    ]
    assert not re.search(r"\d{4}-\d{2}-\d{2}|W\d\d", section)  # plain dates, no ISO codes


def test_project_names_in_the_section_cannot_ping(runtime, database, slack_api):
    apollo = make_project(database, name="Apollo <!channel>")
    say(database, apollo, TeamCapacity.SHORT)
    run(runtime)
    section = capacity_section(slack_api)
    assert "Apollo &lt;!channel&gt;" in section and "<!channel>" not in section


def test_with_nothing_short_the_section_is_one_line(runtime, database, slack_api):
    apollo = make_project(database)
    capacity(database, MEMBER)
    allocation(database, apollo, MEMBER, "30", WEEK_2, WEEK_3)
    run(runtime)
    assert capacity_section(slack_api) == (
        "*Capacity*: in the next 4 weeks nobody is asked for more than they have, no request "
        "for people is waiting past its start, and no skill is short."
    )


def test_a_workspace_that_plans_no_capacity_gets_no_section(runtime, database, slack_api):
    make_project(database)
    run(runtime)
    [post] = slack_api.posts(DIGEST_CHANNEL)
    assert "*Capacity" not in post.all_text()
    assert [b["type"] for b in post.blocks].count("divider") == len(
        [b for b in post.blocks if b["type"] == "section"]
    )  # no divider left without its section
