"""The capacity heat map in the digest's thread: after the chart, in the channel's digest
and each leader's copy, once anyone has hours allocated; never shared twice."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from storage.workspaces import ensure_workspace
from tests.bot.test_digest_chart import png_size
from tests.bot.test_digest_job import DIGEST_CHANNEL, MONDAY, portfolio, run
from tests.factories import MEMBER, SPONSOR, TEAM, make_project
from tests.workflows.test_forecast import give
from workflows.digest import plan_digest

KEY = f"digest:{TEAM}:2026-W49"
COPY = f"{KEY}:dm:{SPONSOR}"


@pytest.fixture
def workspace(database, clock):
    clock.set(MONDAY)
    with database.session() as session:
        workspace = ensure_workspace(session=session, team_id=TEAM)
        workspace.digest_channel = DIGEST_CHANNEL
        workspace.digest_leaders = [SPONSOR]
        session.add(workspace)


def allocated(database):
    make_project(database)
    give(database, MEMBER, date(2026, 11, 30), date(2027, 1, 29), hours="46")


def test_the_plan_puts_the_heat_map_in_each_copys_thread_after_the_chart(database, workspace):
    portfolio(database, 3)
    allocated(database)
    with database.session() as session:
        plan = plan_digest(session=session, team_id=TEAM, now=MONDAY)
    assert [(m.key, m.to, m.thread_key) for m in plan.messages] == [
        (KEY, DIGEST_CHANNEL, None),
        (COPY, SPONSOR, None),
        (f"{KEY}:chart", DIGEST_CHANNEL, KEY),
        (f"{COPY}:chart", SPONSOR, COPY),
        (f"{KEY}:heatmap", DIGEST_CHANNEL, KEY),
        (f"{COPY}:heatmap", SPONSOR, COPY),
    ]
    heat = plan.messages[-1].content
    assert plan.messages[-2].content is heat  # drawn once for every copy
    assert heat.weeks[0] == date(2026, 11, 30)
    assert heat.rows[0].user_id == MEMBER and heat.rows[0].cells[0].percent == 115


def test_no_heat_map_until_someone_has_hours_allocated(database, workspace):
    portfolio(database, 3)
    with database.session() as session:
        plan = plan_digest(session=session, team_id=TEAM, now=MONDAY)
    assert not [m for m in plan.messages if m.key.endswith(":heatmap")]


def test_the_heat_map_is_shared_in_the_digest_thread_once(runtime, database, slack_api, workspace):
    portfolio(database, 3)
    allocated(database)
    run(runtime)
    [post] = slack_api.posts(DIGEST_CHANNEL)
    chart, heat = slack_api.files(DIGEST_CHANNEL)
    assert chart.thread_ts == heat.thread_ts == post.ts
    assert float(chart.ts) < float(heat.ts)
    assert (heat.name, heat.title) == (
        "capacity-heatmap-2026-11-30.png",
        "Team load, next 12 weeks",
    )
    assert heat.alt_txt.startswith("Team load, next 12 weeks (Mon 30 Nov 2026 to Mon 15 Feb 2027)")
    assert "1 over 110 % in some week" in heat.alt_txt
    assert png_size(heat.data) == (1200, 1500)
    [dm] = slack_api.dms(SPONSOR)
    [_, copy_heat] = slack_api.files(slack_api.dm_channel(SPONSOR))
    assert copy_heat.thread_ts == dm.ts and copy_heat.data == heat.data
    run(runtime)
    run(runtime, now=MONDAY + timedelta(days=3))
    assert len(slack_api.files()) == 4
