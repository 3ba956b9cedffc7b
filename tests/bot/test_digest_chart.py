"""The digest's chart end to end: shared in the digest's thread with its alt text, through
the outbox, retried on its own when Slack fails, never shared twice."""

from __future__ import annotations

import io
import struct
from datetime import timedelta

import pytest
from matplotlib.image import imread
from sqlmodel import col, select

import storage.outbox
from bot.delivery import MAX_ATTEMPTS, ChannelPacer, Deliverer
from storage.models import OutboxMessage
from storage.workspaces import ensure_workspace
from tests.bot.test_digest_job import DIGEST_CHANNEL, MONDAY, portfolio, run
from tests.factories import SPONSOR, TEAM
from tests.slack_api import UPLOAD

KEY = f"digest:{TEAM}:2026-W49"
CHART_KEY = f"{KEY}:chart"


@pytest.fixture
def workspace(database, clock):
    clock.set(MONDAY)
    with database.session() as session:
        workspace = ensure_workspace(session=session, team_id=TEAM)
        workspace.digest_channel = DIGEST_CHANNEL
        workspace.digest_leaders = [SPONSOR]
        session.add(workspace)


def chart_row(database, key=CHART_KEY):
    with database.session() as session:
        row = session.exec(select(OutboxMessage).where(col(OutboxMessage.key) == key)).one()
        session.expunge(row)
        return row


def deliver_after_a_restart(runtime, database):
    # A new process five minutes on: a claim left by the dead one has lapsed.
    Deliverer(
        database,
        runtime.clients,
        clock=lambda: MONDAY + timedelta(minutes=5),
        pacer=ChannelPacer(interval=0),
    ).deliver()


def png_size(png):
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


def test_the_chart_is_shared_in_the_digest_thread_with_its_alt_text(
    runtime, database, slack_api, workspace
):
    portfolio(database, 6)
    run(runtime)
    [post] = slack_api.posts(DIGEST_CHANNEL)
    [chart] = slack_api.files(DIGEST_CHANNEL)
    assert chart.thread_ts == post.ts
    assert (chart.name, chart.title) == (
        "portfolio-health-2026-11-30.png",
        "Portfolio health, last 13 weeks",
    )
    assert chart.alt_txt.startswith("Portfolio health, last 13 weeks (31 Aug to 23 Nov)")
    assert "green 0→2" in chart.alt_txt and "amber 0→2" in chart.alt_txt
    assert png_size(chart.data) == (1200, 675)
    assert imread(io.BytesIO(chart.data), format="png").shape == (675, 1200, 4)
    asked = slack_api.calls_to("files.getUploadURLExternal")[0]
    assert (asked["filename"], int(asked["length"]), asked["alt_txt"]) == (
        chart.name,
        len(chart.data),
        chart.alt_txt,
    )
    completed = slack_api.calls_to("files.completeUploadExternal")[0]
    assert (completed["channel_id"], completed["thread_ts"]) == (DIGEST_CHANNEL, post.ts)
    assert completed["files"] == [{"id": chart.id, "title": chart.title}]
    row = chart_row(database)
    assert (row.status, row.file_id, row.posted_channel) == ("sent", chart.id, DIGEST_CHANNEL)


def test_each_leaders_copy_has_the_chart_in_its_own_thread(runtime, database, slack_api, workspace):
    portfolio(database, 3)
    run(runtime)
    [copy] = slack_api.dms(SPONSOR)
    [chart] = slack_api.files(slack_api.dm_channel(SPONSOR))
    assert chart.thread_ts == copy.ts
    assert chart.data == slack_api.files(DIGEST_CHANNEL)[0].data


def test_running_the_job_twice_shares_the_chart_once(runtime, database, slack_api, workspace):
    portfolio(database, 3)
    run(runtime)
    run(runtime)
    run(runtime, now=MONDAY + timedelta(hours=2))
    assert len(slack_api.files(DIGEST_CHANNEL)) == 1
    assert len(slack_api.calls_to("files.completeUploadExternal")) == 2  # channel and leader


def test_no_chart_for_a_workspace_without_projects(runtime, slack_api, workspace):
    run(runtime)
    assert len(slack_api.posts(DIGEST_CHANNEL)) == 1
    assert slack_api.files() == []


@pytest.mark.parametrize(
    ("method", "failure"),
    [
        ("files.getUploadURLExternal", {"status": 503, "times": 3}),  # after the client's retries
        ("files.getUploadURLExternal", {"error": "internal_error"}),
        (UPLOAD, {"status": 500}),
        ("files.completeUploadExternal", {"error": "internal_error"}),
        ("files.completeUploadExternal", {"status": 502, "times": 3}),
    ],
)
def test_when_the_upload_fails_the_digest_goes_once_and_the_chart_later(
    runtime, database, slack_api, workspace, clock, method, failure
):
    portfolio(database, 3)
    slack_api.fail(method, **failure)
    run(runtime)
    assert len(slack_api.posts(DIGEST_CHANNEL)) == 1
    assert slack_api.files(DIGEST_CHANNEL) == []
    waiting = chart_row(database)
    assert (waiting.status, waiting.attempts) == ("pending", 1)
    assert waiting.next_attempt_at > clock()
    clock.advance(minutes=5)
    runtime.deliverer.deliver()
    run(runtime, now=clock() + timedelta(minutes=5))
    assert len(slack_api.files(DIGEST_CHANNEL)) == 1
    assert len(slack_api.posts(DIGEST_CHANNEL)) == 1
    assert len(slack_api.dms(SPONSOR)) == 1
    assert len(slack_api.files(slack_api.dm_channel(SPONSOR))) == 1
    assert chart_row(database).status == "sent"


def test_a_chart_that_keeps_failing_ends_failed_and_the_digest_stands(
    runtime, database, slack_api, workspace, clock, error_log
):
    error_log.expect_errors()
    portfolio(database, 3)
    # Every attempt of both charts (the channel's and the leader's copy's) fails.
    slack_api.fail("files.completeUploadExternal", error="internal_error", times=2 * MAX_ATTEMPTS)
    run(runtime)
    for _ in range(MAX_ATTEMPTS):
        clock.advance(hours=1)
        runtime.deliverer.deliver()
    failed = chart_row(database)
    assert (failed.status, failed.attempts) == ("failed", MAX_ATTEMPTS)
    assert "internal_error" in failed.last_error
    assert chart_row(database, KEY).status == "sent"
    assert chart_row(database, f"{KEY}:dm:{SPONSOR}:chart").status == "failed"
    assert len(slack_api.posts(DIGEST_CHANNEL)) == 1
    assert len(slack_api.dms(SPONSOR)) == 1
    assert slack_api.files(DIGEST_CHANNEL) == []
    assert any(CHART_KEY in line for line in error_log.messages())


def test_a_share_slack_made_but_we_never_heard_of_is_not_made_again(
    runtime, database, slack_api, workspace
):
    portfolio(database, 3)
    run(runtime)  # the digest, its copy and their charts
    with database.session() as session:  # as if the process died before recording the share
        row = session.exec(select(OutboxMessage).where(col(OutboxMessage.key) == CHART_KEY)).one()
        row.status, row.maybe_posted, row.file_id = "sending", True, None
        row.claimed_until = MONDAY
        session.add(row)
    deliver_after_a_restart(runtime, database)
    [chart] = slack_api.files(DIGEST_CHANNEL)
    assert len(slack_api.calls_to("files.getUploadURLExternal")) == 2  # none more
    assert slack_api.last("conversations.replies")["ts"] == slack_api.posts(DIGEST_CHANNEL)[0].ts
    assert (chart_row(database).status, chart_row(database).file_id) == ("sent", chart.id)


def test_a_process_killed_while_sharing_resumes_without_sharing_twice(
    runtime, database, slack_api, workspace, monkeypatch
):
    portfolio(database, 3)
    run(runtime)  # the digest and its copy posted; then only the charts are left
    slack_api.reset_calls()
    with database.session() as session:
        for row in session.exec(select(OutboxMessage).where(col(OutboxMessage.key).like("%chart"))):
            row.status, row.file_id, row.attempts = "pending", None, 0
            session.add(row)
    slack_api.shared.clear()

    def die(**_):
        raise SystemExit("killed")

    monkeypatch.setattr(storage.outbox, "mark_sent", die)
    with pytest.raises(SystemExit):
        runtime.deliverer.deliver()
    monkeypatch.undo()
    assert len(slack_api.files()) == 1  # shared, unrecorded
    deliver_after_a_restart(runtime, database)
    assert len(slack_api.files(DIGEST_CHANNEL)) == 1
    assert len(slack_api.files(slack_api.dm_channel(SPONSOR))) == 1
    assert chart_row(database).file_id == slack_api.files(DIGEST_CHANNEL)[0].id


@pytest.mark.parametrize(
    "answer",
    [{"ok": True}, {"ok": True, "files": []}, {"ok": True, "files": [{"title": "no id"}]}],
)
def test_an_odd_answer_to_the_share_neither_crashes_nor_loses_the_chart(
    runtime, database, slack_api, workspace, clock, answer
):
    portfolio(database, 3)
    slack_api.answer("files.completeUploadExternal", answer)  # answered, nothing shared
    run(runtime)
    clock.advance(minutes=5)
    runtime.deliverer.deliver()
    row = chart_row(database)
    if "files" in answer:
        # Slack said it shared the file: recorded as sent, without an id to keep.
        assert (row.status, row.file_id) == ("sent", None)
    else:
        # Unreadable: looked for in the thread, not found, shared again.
        assert row.status == "sent" and len(slack_api.files(DIGEST_CHANNEL)) == 1
