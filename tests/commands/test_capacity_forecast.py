"""`/capacity forecast`, `bench` and `heatmap` over signed requests: the forecast table for
anyone, the bench and the heat map (a PNG in their DM) for PMO leads only."""

from __future__ import annotations

from datetime import timedelta

import numpy

from tests.commands.test_digest_chart import pixels, png_size
from tests.factories import APPROVER, MEMBER, PM, make_project
from tests.workflows.test_forecast import (
    LEAD,
    give,
    request,
    skills,
    week,
    workspace_settings,
)


def reply_text(slack_api):
    reply = slack_api.last_reply()
    return reply["text"], "\n".join(_texts(reply.get("blocks") or []))


def _texts(blocks):
    for block in blocks:
        text = block.get("text")
        if isinstance(text, dict):
            yield text["text"]
        for element in block.get("elements", []):
            if isinstance(element, dict) and "text" in element:
                yield element["text"]


def backend_team(database):
    """Mo does backend, 30 h a week; a request asks 20 h more of backend in weeks 2 and 3."""
    make_project(database)
    workspace_settings(database, pmo_leads=[LEAD])
    skills(database, MEMBER, "backend")
    give(database, MEMBER, week(0), week(11), hours="30")
    request(database, "backend", "20", week(1), week(2) + timedelta(days=4))


def test_the_forecast_shows_each_week_by_date_with_the_short_weeks_marked(
    slack, slack_api, database
):
    backend_team(database)
    slack.command("/capacity", "forecast backend", user=PM)
    text, blocks = reply_text(slack_api)
    assert slack_api.last_reply().get("response_type", "ephemeral") == "ephemeral"
    assert text.startswith("Capacity forecast · backend · next 12 weeks.")
    assert "Short of people in 2 of 12 weeks, first the week of Mon 30 Nov 2026." in blocks
    table = blocks.split("```")[1].strip().splitlines()
    assert " ".join(table[0].split()) == "Week Capacity Demand (allocated + requested) Gap"
    assert len(table) == 13
    assert table[1].split() == [
        "Mon",
        "23",
        "Nov",
        "2026",
        "40",
        "h",
        "30",
        "h",
        "(30",
        "+",
        "0)",
        "+10",
        "h",
    ]
    assert table[2].split() == [
        *("Mon", "30", "Nov", "2026", "40", "h", "50", "h", "(30", "+", "20)", "-10", "h"),
        *("◀", "short"),
    ]
    assert table[12].startswith("Mon 8 Feb 2027")
    assert "W4" not in blocks and "2026-W" not in blocks  # plain dates, not ISO weeks
    assert "1 person in `backend`" in blocks


def test_without_a_skill_the_workspace_then_each_skills_worst_week(slack, slack_api, database):
    backend_team(database)
    skills(database, APPROVER, "design")
    slack.command("/capacity", "forecast", user=PM)
    text, blocks = reply_text(slack_api)
    assert text.startswith("Capacity forecast · everyone · next 12 weeks.")
    assert "5 people in the workspace" in blocks
    assert "*By skill, each one's worst week*" in blocks
    assert "• :warning: *backend*: short 10 h in the week of Mon 30 Nov 2026" in blocks
    assert "• *design*: 40 h to spare at worst (week of Mon 23 Nov 2026)" in blocks
    assert blocks.index("*backend*") < blocks.index("*design*")


def test_a_long_list_of_skills_is_cut_with_how_many_more(slack, slack_api, database):
    backend_team(database)
    skills(database, APPROVER, *[f"skill{n:02d}" for n in range(19)])
    slack.command("/capacity", "forecast", user=PM)
    _, blocks = reply_text(slack_api)
    assert "… and 5 more: `/capacity forecast SKILL` shows one." in blocks
    assert blocks.count("\n• ") == 15


def test_an_unknown_skill_is_refused_naming_the_known_ones(slack, slack_api, database):
    backend_team(database)
    slack.command("/capacity", "forecast COBOL", user=PM)
    text, _ = reply_text(slack_api)
    assert text == (
        "Nobody has the skill `cobol` and no open request asks for it. Skills known: `backend`."
    )


def test_a_skill_must_be_one_tag(slack, slack_api, database):
    backend_team(database)
    slack.command("/capacity", "forecast backend design", user=PM)
    assert reply_text(slack_api)[0] == "One skill at a time: `/capacity forecast [skill]`."
    slack.command("/capacity", "forecast <!channel>", user=PM)
    text, _ = reply_text(slack_api)
    assert text.startswith("`&lt;!channel&gt;` is not a skill tag")
    assert "<!channel>" not in text


def test_the_bench_is_refused_to_anyone_but_the_pmo_leads(slack, slack_api, database):
    backend_team(database)
    slack.command("/capacity", "bench", user=PM)
    assert reply_text(slack_api)[0] == f"Only the PMO leads (<@{LEAD}>) can see the bench."


def test_a_pmo_lead_sees_who_is_on_the_bench_with_their_free_hours(slack, slack_api, database):
    backend_team(database)
    give(database, APPROVER, week(0), week(3) + timedelta(days=4), hours="10")
    slack.command("/capacity", "bench", user=LEAD)
    text, blocks = reply_text(slack_api)
    assert text.startswith("On the bench · next 4 weeks (Mon 23 Nov 2026 to Mon 14 Dec 2026)")
    assert "4 people have under 50 % of their capacity allocated, the most free first:" in blocks
    lines = [line for line in blocks.splitlines() if line.startswith("• ")]
    assert lines[-1] == f"• <@{APPROVER}> · 25 % allocated · *120 h free* · no skills set"
    assert f"<@{MEMBER}>" not in blocks  # 75 % allocated


def test_the_bench_takes_no_more_words(slack, slack_api, database):
    backend_team(database)
    slack.command("/capacity", "bench everyone", user=LEAD)
    assert reply_text(slack_api)[0] == "The bench takes no more words: `/capacity bench`."


def test_a_pmo_lead_gets_the_heat_map_as_a_png_in_their_dm(slack, slack_api, database):
    backend_team(database)
    slack.command("/capacity", "heatmap", user=LEAD)
    text, _ = reply_text(slack_api)
    assert text == (
        ":frame_with_picture: The heat map of 5 people is on its way to your direct "
        "messages with me."
    )
    [picture] = slack_api.files(slack_api.dm_channel(LEAD))
    assert (picture.name, picture.title) == (
        "capacity-heatmap-2026-11-23.png",
        "Team load, next 12 weeks",
    )
    assert picture.alt_txt.startswith(
        "Team load, next 12 weeks (Mon 23 Nov 2026 to Mon 8 Feb 2027), 5 people"
    )
    assert png_size(picture.data) == (1200, 1500)
    image = pixels(picture.data)
    assert image.shape == (1500, 1200, 4)
    assert len(numpy.unique(image.reshape(-1, 4), axis=0)) > 50


def test_a_skills_heat_map_has_its_people_only(slack, slack_api, database):
    backend_team(database)
    slack.command("/capacity", "heatmap backend", user=LEAD)
    [picture] = slack_api.files(slack_api.dm_channel(LEAD))
    assert picture.title == "People with backend, next 12 weeks"
    assert picture.alt_txt.startswith(
        "People with backend, next 12 weeks (Mon 23 Nov 2026 to Mon 8 Feb 2027), 1 person, "
        "most loaded first"
    )
    assert "heat map of 1 person is on its way" in reply_text(slack_api)[0]


def test_the_heat_map_is_refused_to_anyone_but_the_pmo_leads(slack, slack_api, database):
    backend_team(database)
    slack.command("/capacity", "heatmap", user=PM)
    assert reply_text(slack_api)[0] == f"Only the PMO leads (<@{LEAD}>) can see the heat map."
    assert slack_api.files() == []


def test_without_pmo_leads_the_refusal_says_who_names_them(slack, slack_api, database):
    backend_team(database)
    workspace_settings(database, pmo_leads=[])
    slack.command("/capacity", "heatmap", user=PM)
    assert reply_text(slack_api)[0] == (
        "Only PMO leads can see the heat map, and this workspace has none yet: a Slack admin "
        "names them in `/pmo settings`."
    )
