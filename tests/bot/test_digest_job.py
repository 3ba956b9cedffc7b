"""The digest job end to end: posted once per period, within Slack's limits, whatever happens."""

from __future__ import annotations

import json
import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

import commands.digest_message
import storage.outbox
from bot.delivery import ChannelPacer, Deliverer
from bot.jobs import digest_job
from bot.sender import Sender
from commands.templates import Templates
from storage.models import OutboxMessage, Rag
from storage.projects import list_projects
from storage.workspaces import ensure_workspace
from tests.factories import SPONSOR, TEAM, make_project
from tests.workflows.test_attention import PROBLEMS, plant_portfolio
from workflows.status import StatusDraft, post_update

MONDAY = datetime(2026, 11, 30, 9, 5, tzinfo=UTC)
DIGEST_CHANNEL = "CDIGEST01"


@pytest.fixture
def workspace(database, clock):
    clock.set(MONDAY)  # Slack's clock (message timestamps) and the app's agree
    with database.session() as session:
        workspace = ensure_workspace(session=session, team_id=TEAM)
        workspace.digest_channel = DIGEST_CHANNEL
        workspace.digest_leaders = [SPONSOR]
        session.add(workspace)


def run(runtime, now=MONDAY, templates=None):
    runtime.clock.set(now)  # the test clock: the job and the deliverer agree on "now"
    sender = runtime.sender
    if templates is not None:
        sender = Sender(runtime.courier, templates, runtime.database, runtime.clock)
    planned = digest_job(database=runtime.database, sender=sender, now=now)
    runtime.deliverer.deliver()
    return planned


def portfolio(database, count, name="Project {n}"):
    created = MONDAY - timedelta(days=60)
    for number in range(count):
        project = make_project(
            database, key=f"P{number:04d}", name=name.format(n=number), channel_id=None, now=created
        )
        if number % 3:
            with database.session() as session:
                post_update(
                    session=session,
                    project=project,
                    author=project.created_by,
                    now=MONDAY - timedelta(days=3),
                    draft=StatusDraft(
                        Rag.AMBER if number % 2 else Rag.GREEN, "ok", path_to_green="p"
                    ),
                )


def test_the_digest_goes_to_the_channel_and_each_leader_once(
    runtime, database, slack_api, workspace
):
    portfolio(database, 3)
    run(runtime)
    [post] = slack_api.posts(DIGEST_CHANNEL)
    assert post.blocks[0]["text"]["text"] == "PMO digest · week of Mon 30 Nov 2026"
    assert "*Portfolio health*" in post.all_text()
    [dm] = slack_api.dms(SPONSOR)
    assert dm.blocks == post.blocks
    run(runtime)
    run(runtime, now=MONDAY + timedelta(days=3))
    assert len(slack_api.posts(DIGEST_CHANNEL)) == 1
    assert len(slack_api.dms(SPONSOR)) == 1


def test_nothing_is_sent_before_the_digest_time(runtime, database, slack_api, workspace):
    portfolio(database, 1)
    run(runtime, now=MONDAY - timedelta(minutes=10))  # 08:55: last week's digest is due, not this
    [post] = slack_api.posts(DIGEST_CHANNEL)
    assert "week of Mon 23 Nov 2026" in post.text
    run(runtime, now=MONDAY)
    assert [p.text for p in slack_api.posts(DIGEST_CHANNEL)] == [
        "PMO digest · week of Mon 23 Nov 2026",
        "PMO digest · week of Mon 30 Nov 2026",
    ]


def test_no_digest_without_a_channel_or_leaders(runtime, database, slack_api):
    portfolio(database, 1)
    [planned] = run(runtime)
    assert planned.recipients == []
    assert slack_api.posts() == []


def test_200_projects_stay_within_50_blocks_a_message_and_name_each_project_once_per_section(
    runtime, database, slack_api, workspace
):
    portfolio(database, 200, name="A project with a fairly long descriptive name number {n}")
    run(runtime)
    messages = slack_api.posts(DIGEST_CHANNEL)
    first, *rest = messages
    assert all(len(m.blocks) <= 50 for m in messages)
    assert all(m.thread_ts == first.ts for m in rest)
    assert all(len(b.get("text", {}).get("text", "")) <= 3000 for m in messages for b in m.blocks)
    sections: dict[str, list[str]] = {}
    current = None
    for block in [b for m in messages for b in m.blocks]:
        if block["type"] == "divider":
            current = None
        elif block["type"] == "section":
            text = block["text"]["text"]
            if current is None:
                current = text.split("\n", 1)[0]
            sections.setdefault(current, []).extend(re.findall(r"\*(P\d{4})\*", text))
    missing = next(
        names for title, names in sections.items() if title.startswith("*No update this cycle*")
    )
    assert len(missing) == 67 and len(set(missing)) == 67
    for names in sections.values():
        assert len(names) == len(set(names))


def test_a_digest_longer_than_a_message_continues_in_its_thread(
    runtime, database, slack_api, workspace, monkeypatch
):
    monkeypatch.setattr(commands.digest_message, "MESSAGE_BLOCKS_MAX", 6)
    portfolio(database, 60)
    run(runtime)
    first, *rest = slack_api.posts(DIGEST_CHANNEL)
    assert len(rest) >= 2
    assert all(len(m.blocks) <= 6 and m.thread_ts == first.ts for m in rest)
    assert rest[0].text == "PMO digest · week of Mon 30 Nov 2026 (continued, part 2)"
    leader_first, *leader_rest = slack_api.dms(SPONSOR)
    assert len(leader_rest) == len(rest)
    assert all(m.thread_ts == leader_first.ts for m in leader_rest)


def test_project_names_cannot_ping_a_channel(runtime, database, slack_api, workspace):
    make_project(
        database,
        name="<!channel> urgent & <@U0BOSS001>",
        channel_id=None,
        now=MONDAY - timedelta(days=30),
    )
    run(runtime)
    text = json.dumps(slack_api.posts(DIGEST_CHANNEL)[0].blocks)
    assert "<!channel>" not in text and "<@U0BOSS001>" not in text
    assert "&lt;!channel&gt; urgent &amp; &lt;@U0BOSS001&gt;" in text


def test_two_schedulers_running_the_job_at_once_send_one_digest(
    runtime, database, slack_api, workspace, clock
):
    portfolio(database, 5)
    barrier = threading.Barrier(2)

    def scheduler_process():
        deliverer = Deliverer(
            database, runtime.clients, clock=lambda: MONDAY, pacer=ChannelPacer(interval=0)
        )
        barrier.wait()
        digest_job(
            database=database,
            sender=Sender(runtime.courier, Templates(), database, runtime.clock),
            now=MONDAY,
        )
        deliverer.deliver()

    threads = [threading.Thread(target=scheduler_process) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(slack_api.posts(DIGEST_CHANNEL)) == 1
    assert len(slack_api.dms(SPONSOR)) == 1


def test_a_process_killed_after_deciding_resumes_without_losing_or_doubling(
    runtime, database, slack_api, workspace
):
    portfolio(database, 3)
    digest_job(database=database, sender=runtime.sender, now=MONDAY)  # then the process dies
    assert slack_api.posts() == []
    restarted = Deliverer(
        database,
        runtime.clients,
        clock=lambda: MONDAY + timedelta(minutes=1),
        pacer=ChannelPacer(interval=0),
    )
    digest_job(database=database, sender=runtime.sender, now=MONDAY + timedelta(minutes=1))
    restarted.deliver()
    assert len(slack_api.posts(DIGEST_CHANNEL)) == 1


def test_a_process_killed_while_posting_resumes_without_doubling(
    runtime, database, slack_api, workspace, monkeypatch
):
    portfolio(database, 3)
    digest_job(database=database, sender=runtime.sender, now=MONDAY)

    def die(**_):
        raise SystemExit("killed")

    monkeypatch.setattr(storage.outbox, "mark_sent", die)
    with pytest.raises(SystemExit):
        Deliverer(
            database, runtime.clients, clock=lambda: MONDAY, pacer=ChannelPacer(interval=0)
        ).deliver()
    monkeypatch.undo()
    later = Deliverer(
        database,
        runtime.clients,
        clock=lambda: MONDAY + timedelta(minutes=5),
        pacer=ChannelPacer(interval=0),
    )
    later.deliver()
    assert len(slack_api.posts(DIGEST_CHANNEL)) == 1
    assert len(slack_api.dms(SPONSOR)) == 1


def test_rate_limits_and_outages_delay_the_digest_but_it_arrives_once(
    runtime, database, slack_api, workspace, clock
):
    portfolio(database, 3)
    slack_api.fail("chat.postMessage", status=429, retry_after=30)
    slack_api.fail("chat.postMessage", status=503, times=3)
    clock.set(MONDAY)
    digest_job(database=database, sender=runtime.sender, now=MONDAY)
    runtime.deliverer.deliver()
    assert slack_api.posts(DIGEST_CHANNEL) == []  # told to wait 30 s
    assert slack_api.dms(SPONSOR) == []  # Slack down: three 503s
    for _ in range(4):
        clock.advance(minutes=2)
        runtime.deliverer.deliver()
    assert len(slack_api.posts(DIGEST_CHANNEL)) == 1
    assert len(slack_api.dms(SPONSOR)) == 1
    with database.session() as session:
        assert set(session.exec(select(OutboxMessage.status))) == {"sent"}


def test_a_deployment_can_override_the_digest_text_per_workspace(
    runtime, database, slack_api, workspace, tmp_path
):
    (tmp_path / TEAM).mkdir()
    (tmp_path / TEAM / "digest_header.j2").write_text(
        "Weekly portfolio review · {{ window.label }}"
    )
    (tmp_path / "digest_intro.j2").write_text("For {{ '<!everyone>' }} leaders.")
    portfolio(database, 1)
    run(runtime, templates=Templates(str(tmp_path)))
    [post] = slack_api.posts(DIGEST_CHANNEL)
    assert post.blocks[0]["text"]["text"] == "Weekly portfolio review · 2026-W49"
    assert "For &lt;!everyone&gt; leaders." in post.all_text()


# -- what needs attention, first ---------------------------------------------------------
def digest_sections(slack_api):
    """The posted digest's sections (a divider, then its blocks), by their first line."""
    found: dict[str, list[str]] = {}
    current = None
    for message in slack_api.posts(DIGEST_CHANNEL):
        for block in message.blocks:
            if block["type"] == "divider":
                current = None
            elif block["type"] == "section":
                text = block["text"]["text"]
                if current is None:
                    current = text.split("\n", 1)[0]
                found.setdefault(current, []).append(text)
    return {title: "\n".join(texts) for title, texts in found.items()}


def test_needs_attention_comes_first_and_names_every_problem_once(
    runtime, database, slack_api, workspace
):
    plant_portfolio(database)
    run(runtime)
    found = digest_sections(slack_api)
    title, attention = next(iter(found.items()))
    assert title == f"*Needs attention* ({len(PROBLEMS) - 1})"  # FRESH is for information
    named = re.findall(r"\*([A-Z0-9]+)\*", attention)
    assert named == PROBLEMS
    lines = dict(zip(named, attention.split("\n")[1:], strict=True))
    assert (
        "off track for 2 weeks (since Wed 11 Nov 2026), path to green: “Daily calls"
        in lines["REDONE"]
    )
    assert "its red update of Wed 25 Nov 2026 is not acknowledged" in lines["REDONE"]
    assert "never reported, created 8 weeks ago; due Fri 27 Nov 2026" in lines["NEVER"]
    assert "target date Sun 1 Nov 2026 passed 4 weeks ago, still in Execute" in lines["LATE"]
    assert "green overall while budget is off track" in lines["FLAGGED"]
    assert "forecast 300,000 over its budget of 250,000 for 1 week" in lines["COSTLY"]
    assert "gate GATED-G1 Plan → Execute overdue since Mon 23 Nov 2026" in lines["GATED"]
    assert "Critical · P5 Almost certain × I5 Severe = 25) has no owner" in lines["RISKY"]
    assert "new project, first update due Fri 4 Dec 2026" in lines["FRESH"]


def test_when_nothing_needs_attention_the_digest_says_so_in_one_line(
    runtime, database, slack_api, workspace
):
    portfolio(database, 3, name="Calm {n}")
    with database.session() as session:
        for project in list_projects(session=session, team_id=TEAM):
            post_update(
                session=session,
                project=project,
                author=project.created_by,
                now=MONDAY - timedelta(days=4),
                draft=StatusDraft(Rag.GREEN, "ok"),
            )
    run(runtime)
    found = digest_sections(slack_api)
    assert next(iter(found.values())) == "*Needs attention*: nothing this week."
    missing = next(text for title, text in found.items() if "No update this cycle" in title)
    assert missing.endswith("posted its update, and nothing needs attention. :tada:")


def test_the_digest_celebrates_nothing_its_numbers_contradict(
    runtime, database, slack_api, workspace
):
    plant_portfolio(database)
    run(runtime)
    text = "\n".join(digest_sections(slack_api).values())
    assert ":tada:" not in text


def test_a_project_that_never_reported_is_named_not_only_counted(
    runtime, database, slack_api, workspace
):
    make_project(database, key="NEWBIE", channel_id=None, now=MONDAY - timedelta(days=2))
    run(runtime)
    found = digest_sections(slack_api)
    attention = next(iter(found.values()))
    assert attention.startswith("*Needs attention*: nothing this week.\n")
    assert "*NEWBIE*" in attention and "first update due Fri 4 Dec 2026" in attention
    missing = next(text for title, text in found.items() if "No update this cycle" in title)
    assert "1 project has never reported (see Needs attention)" in missing
    assert ":tada:" not in missing


def test_top_risks_are_high_or_critical_with_the_band_and_scores_in_words(
    runtime, database, slack_api, workspace
):
    plant_portfolio(database)
    run(runtime)
    risks = next(text for title, text in digest_sections(slack_api).items() if "Top risks" in title)
    assert (
        "RISKY-R1 Risk p5 i5 · :red_circle: Critical · P5 Almost certain × I5 Severe = 25" in risks
    )
    assert (
        "CALM3-R1 Risk p4 i3 · :large_orange_circle: High · P4 Likely × I3 Moderate = 12" in risks
    )
    assert "CALM3-R2" not in risks  # medium: not a top risk


def test_weeks_are_plain_dates_not_iso_codes(runtime, database, slack_api, workspace):
    plant_portfolio(database)
    run(runtime)
    [first, *_] = slack_api.posts(DIGEST_CHANNEL)
    assert first.text == "PMO digest · week of Mon 30 Nov 2026"
    assert not re.search(r"\d{4}-W\d\d", json.dumps([m.blocks for m in slack_api.posts()]))
