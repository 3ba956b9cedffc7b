"""The outbox: each message reaches Slack once, in order, despite 429s, 5xx and crashes."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlmodel import select

import storage.outbox
from bot.delivery import CLAIM_BATCH, CLAIM_LEASE, MAX_ATTEMPTS, ChannelPacer, Deliverer
from storage import outbox
from storage.db import Database
from storage.models import OutboxMessage, OutboxStatus
from storage.workspaces import ensure_workspace
from tests.factories import TEAM


def enqueue(database, clock, key="digest:T:2026-W48", channel="CDIGEST01", **extra):
    with database.session() as session:
        ensure_workspace(session=session, team_id=TEAM)
        _, created = outbox.enqueue(
            session=session,
            team_id=TEAM,
            key=key,
            channel=channel,
            text=f"text of {key}",
            now=clock(),
            **extra,
        )
    return created


def row(database, key="digest:T:2026-W48"):
    with database.session() as session:
        return outbox.find(session=session, team_id=TEAM, key=key)


def test_a_message_enqueued_twice_is_stored_and_posted_once(runtime, database, slack_api, clock):
    assert enqueue(database, clock) is True
    assert enqueue(database, clock) is False
    runtime.deliverer.deliver()
    runtime.deliverer.deliver()
    [post] = slack_api.posts("CDIGEST01")
    assert post.text == "text of digest:T:2026-W48"
    assert post.metadata == {
        "event_type": "pmo_bot_outbox",
        "event_payload": {"key": "digest:T:2026-W48"},
    }
    sent = row(database)
    assert (sent.status, sent.ts, sent.posted_channel) == ("sent", post.ts, "CDIGEST01")


def test_a_slack_outage_delays_the_message_and_it_goes_out_once_slack_is_back(
    runtime, database, slack_api, clock
):
    enqueue(database, clock)
    slack_api.fail("chat.postMessage", status=503, times=3)  # outlasts the client's 2 retries
    report = runtime.deliverer.deliver()
    assert report.deferred == 1
    waiting = row(database)
    assert waiting.status == "pending"
    assert waiting.next_attempt_at == clock() + timedelta(seconds=30)
    assert len(slack_api.calls_to("chat.postMessage")) == 3

    runtime.deliverer.deliver()  # not yet due
    assert len(slack_api.calls_to("chat.postMessage")) == 3

    clock.advance(seconds=31)
    runtime.deliverer.deliver()
    assert len(slack_api.posts("CDIGEST01")) == 1
    assert row(database).status == "sent"


def test_a_short_rate_limit_is_waited_out_in_process(runtime, database, slack_api, clock):
    enqueue(database, clock)
    slack_api.fail("chat.postMessage", status=429, retry_after=0)
    runtime.deliverer.deliver()
    assert len(slack_api.calls_to("chat.postMessage")) == 2
    assert row(database).status == "sent"


def test_a_long_rate_limit_reschedules_for_when_slack_says(runtime, database, slack_api, clock):
    enqueue(database, clock)
    slack_api.fail("chat.postMessage", status=429, retry_after=45)
    runtime.deliverer.deliver()
    waiting = row(database)
    assert waiting.status == "pending"
    assert waiting.next_attempt_at == clock() + timedelta(seconds=45)
    assert waiting.attempts == 0  # being told to wait is not a failed attempt
    clock.advance(seconds=45)
    runtime.deliverer.deliver()
    assert row(database).status == "sent"


def test_an_error_no_retry_can_fix_marks_the_message_failed_and_logs_it(
    runtime, database, slack_api, clock, error_log
):
    error_log.expect_errors()
    enqueue(database, clock)
    slack_api.fail("chat.postMessage", error="channel_not_found")
    runtime.deliverer.deliver()
    failed = row(database)
    assert (failed.status, failed.last_error) == ("failed", "channel_not_found")
    assert "digest:T:2026-W48" in error_log.messages()[0]
    with database.session() as session:
        assert storage.outbox.requeue_failed(session=session, now=clock()) == 1
    runtime.deliverer.deliver()
    assert row(database).status == "sent"


def test_a_message_that_keeps_failing_is_given_up_after_the_last_attempt(
    runtime, database, slack_api, clock, error_log
):
    error_log.expect_errors()
    enqueue(database, clock)
    slack_api.fail("chat.postMessage", error="internal_error", times=MAX_ATTEMPTS)
    for _ in range(MAX_ATTEMPTS):
        runtime.deliverer.deliver()
        clock.advance(hours=2)
    failed = row(database)
    assert failed.status == "failed"
    assert failed.attempts == MAX_ATTEMPTS
    assert "gave up" in failed.last_error


def test_a_crash_between_posting_and_recording_doubles_nothing(
    runtime, database, slack_api, clock, monkeypatch
):
    enqueue(database, clock)

    def crash(**_):
        raise KeyboardInterrupt("the process died")

    monkeypatch.setattr(storage.outbox, "mark_sent", crash)
    with pytest.raises(KeyboardInterrupt):
        runtime.deliverer.deliver()
    monkeypatch.undo()
    assert row(database).status == "sending"
    assert len(slack_api.posts("CDIGEST01")) == 1

    restarted = Deliverer(database, runtime.clients, clock=clock, pacer=ChannelPacer(interval=0))
    restarted.deliver()  # the claim has not lapsed: nobody touches it
    assert row(database).status == "sending"
    clock.advance(minutes=3)
    restarted.deliver()
    [post] = slack_api.posts("CDIGEST01")
    recovered = row(database)
    assert (recovered.status, recovered.ts) == ("sent", post.ts)


def test_two_deliverers_at_once_post_each_message_once(runtime, database, slack_api, clock):
    for number in range(30):
        enqueue(database, clock, key=f"nudge:{number}", channel=f"C{number % 3}")
    deliverers = [
        Deliverer(database, runtime.clients, clock=clock, pacer=ChannelPacer(interval=0))
        for _ in range(3)
    ]
    threads = [threading.Thread(target=d.deliver) for d in deliverers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    keys = [post.metadata["event_payload"]["key"] for post in slack_api.posts()]
    assert sorted(keys) == sorted(f"nudge:{n}" for n in range(30))
    with database.session() as session:
        statuses = set(session.exec(select(OutboxMessage.status)))
    assert statuses == {OutboxStatus.SENT}


def test_a_reply_waits_for_its_parent_and_lands_in_its_thread(runtime, database, slack_api, clock):
    enqueue(database, clock, key="gate:1:request", channel="CAPOLLO01")
    enqueue(database, clock, key="gate:1:decision:1", thread_key="gate:1:request")
    slack_api.fail("chat.postMessage", status=503, times=3)
    runtime.deliverer.deliver()
    assert slack_api.posts() == []
    waiting = row(database, "gate:1:decision:1")
    assert waiting.attempts == 0
    assert waiting.next_attempt_at == row(database, "gate:1:request").next_attempt_at
    clock.advance(seconds=30)
    runtime.deliverer.deliver()
    parent, reply = slack_api.posts("CAPOLLO01")
    assert parent.thread_ts is None
    assert reply.thread_ts == parent.ts


def test_a_reply_to_a_message_that_failed_fails_too(runtime, database, slack_api, clock, error_log):
    error_log.expect_errors()
    enqueue(database, clock, key="gate:1:request", channel="CGONE0001")
    enqueue(database, clock, key="gate:1:decision:1", thread_key="gate:1:request")
    slack_api.fail("chat.postMessage", error="channel_not_found")
    runtime.deliverer.deliver()
    assert row(database, "gate:1:decision:1").status == "failed"


def test_an_edit_updates_the_original_message_in_place(runtime, database, slack_api, clock):
    enqueue(database, clock, key="risk:1:posted", channel="CAPOLLO01")
    runtime.deliverer.deliver()
    enqueue(database, clock, key="risk:1:closed", update_key="risk:1:posted")
    runtime.deliverer.deliver()
    [message] = slack_api.posts("CAPOLLO01")
    assert message.text == "text of risk:1:closed"
    assert len(message.edits) == 1


def test_posts_to_one_channel_are_paced_a_second_apart_without_sleeping(
    runtime, database, slack_api, clock
):
    ticks = [100.0]
    paced = Deliverer(
        database, runtime.clients, clock=clock, pacer=ChannelPacer(1.0, monotonic=lambda: ticks[0])
    )
    enqueue(database, clock, key="a", channel="C1")
    enqueue(database, clock, key="b", channel="C1")
    enqueue(database, clock, key="c", channel="C2")
    report = paced.deliver()
    assert (report.sent, report.deferred) == (2, 1)
    assert report.next_due == clock() + timedelta(seconds=1)
    assert [p.text for p in slack_api.posts()] == ["text of a", "text of c"]
    ticks[0] += 1.0
    clock.advance(seconds=1)
    paced.deliver()
    assert [p.text for p in slack_api.posts("C1")] == ["text of a", "text of b"]


def test_a_busy_channel_holds_its_queue_without_rewriting_each_message_every_pass(
    runtime, database, slack_api, clock
):
    ticks = [100.0]
    paced = Deliverer(
        database, runtime.clients, clock=clock, pacer=ChannelPacer(1.0, monotonic=lambda: ticks[0])
    )
    for key in "abcdef":
        enqueue(database, clock, key=key, channel="C1")
    report = paced.deliver()
    assert (report.sent, report.deferred) == (1, 5)
    held = [row(database, key) for key in "bcdef"]
    assert {m.next_attempt_at for m in held} == {clock() + timedelta(seconds=1)}
    # Held back, not retried: no attempt is counted and no error is written on them.
    assert [(m.attempts, m.last_error) for m in held[1:]] == [(0, None)] * 4
    assert paced.deliver().sent == 0  # nothing due until the slot
    for _ in range(5):
        ticks[0] += 1.0
        clock.advance(seconds=1)
        paced.deliver()
    assert [p.text for p in slack_api.posts("C1")] == [f"text of {k}" for k in "abcdef"]


def test_the_courier_delivers_in_its_own_thread_when_asked(runtime, database, slack_api, clock):
    enqueue(database, clock, key="a", channel="C1")
    runtime.courier.send_soon()
    runtime.courier.wait_idle()
    [post] = slack_api.posts("C1")
    assert post.text == "text of a"


def test_a_message_can_link_to_another_once_that_one_is_posted(runtime, database, slack_api, clock):
    enqueue(database, clock, key="gate:1:ask:U1", channel="U1", link_key="gate:1:request")
    with database.session() as session:
        outbox.find(
            session=session, team_id=TEAM, key="gate:1:ask:U1"
        ).text = "Please decide: {link}"
    runtime.deliverer.deliver()
    assert slack_api.posts() == []
    enqueue(database, clock, key="gate:1:request", channel="CAPOLLO01")
    clock.advance(seconds=10)
    runtime.deliverer.deliver()
    clock.advance(seconds=1)
    runtime.deliverer.deliver()
    request = slack_api.posts("CAPOLLO01")[0]
    [dm] = slack_api.dms("U1")
    link = f"https://pmo-test.slack.com/archives/CAPOLLO01/p{request.ts.replace('.', '')}"
    assert dm.text == f"Please decide: {link}"


def test_a_message_slack_answers_oddly_does_not_hold_up_the_ones_behind_it(
    runtime, database, slack_api, clock, error_log
):
    error_log.expect_errors()  # giving up on it, in the end, is logged
    enqueue(database, clock, key="poison", channel="CPOISON01")
    enqueue(database, clock, key="good:1", channel="CGOOD0001")
    enqueue(database, clock, key="good:2", channel="CGOOD0002")
    slack_api.answer("chat.postMessage", {"ok": True})  # no channel, no ts

    report = runtime.deliverer.deliver()

    assert (report.sent, report.deferred) == (2, 1)
    assert [p.text for p in slack_api.posts()] == ["text of good:1", "text of good:2"]
    poison = row(database, "poison")
    assert (poison.status, poison.attempts) == ("pending", 1)
    assert poison.next_attempt_at > clock()
    assert "chat.postMessage answered without channel" in poison.last_error
    for _ in range(MAX_ATTEMPTS - 1):
        clock.advance(hours=2)
        slack_api.answer("chat.postMessage", {"ok": True})
        runtime.deliverer.deliver()
    failed = row(database, "poison")
    assert (failed.status, failed.attempts) == ("failed", MAX_ATTEMPTS)
    assert any("poison" in line for line in error_log.messages())


def test_an_unexpected_error_on_one_message_is_logged_by_key_and_retried_without_doubling(
    runtime, database, slack_api, clock, error_log, monkeypatch
):
    error_log.expect_errors()
    enqueue(database, clock, key="poison", channel="CPOISON01")
    enqueue(database, clock, key="good:1", channel="CGOOD0001")
    poison_id = row(database, "poison").id
    record_sent = storage.outbox.mark_sent

    def broken(*, message_id, **rest):
        if message_id == poison_id:
            raise ValueError("a surprise after the post went out")
        record_sent(message_id=message_id, **rest)

    monkeypatch.setattr(storage.outbox, "mark_sent", broken)
    runtime.deliverer.deliver()
    monkeypatch.undo()

    assert row(database, "good:1").status == "sent"
    poison = row(database, "poison")
    assert (poison.status, poison.attempts) == ("pending", 1)
    assert poison.next_attempt_at > clock()
    [logged] = [r for r in error_log.records if r.name == "bot.delivery"]
    assert "poison" in logged.getMessage()
    assert "text of poison" not in logged.getMessage()
    clock.advance(minutes=1)
    runtime.deliverer.deliver()
    [post] = slack_api.posts("CPOISON01")  # found in the history, not posted again
    assert (row(database, "poison").status, row(database, "poison").ts) == ("sent", post.ts)


def test_a_check_for_an_earlier_post_survives_answers_missing_fields(
    runtime, database, slack_api, clock
):
    enqueue(database, clock, key="dm:1", channel="U0PERSON1")
    slack_api.fail("chat.postMessage", status=503, times=3)  # maybe posted: look first next time
    runtime.deliverer.deliver()
    clock.advance(minutes=1)
    slack_api.answer("conversations.open", {"ok": True})  # no channel
    runtime.deliverer.deliver()
    assert "conversations.open answered without channel.id" in row(database, "dm:1").last_error
    clock.advance(minutes=2)
    slack_api.answer("conversations.history", {"ok": True, "messages": [{"metadata": "odd"}]})
    runtime.deliverer.deliver()
    [dm] = slack_api.dms("U0PERSON1")
    assert row(database, "dm:1").ts == dm.ts


def on_postgres_only(database):
    if database.backend != "postgresql":
        pytest.skip("claims that skip locked rows: PostgreSQL (SQLite has one writer)")


def test_a_claim_on_postgres_skips_rows_another_deliverer_is_claiming(database, clock):
    on_postgres_only(database)
    for number in range(4):
        enqueue(database, clock, key=f"nudge:{number}", channel=f"C{number}")
    other = Database(database.url)
    try:
        with database.session() as first:
            mine = outbox.claim_due(session=first, now=clock(), lease=CLAIM_LEASE, limit=2)
            with other.session() as second:
                # Waiting on the first claim's locks would fail here rather than hang.
                second.execute(text("SET LOCAL lock_timeout = '5s'"))
                theirs = outbox.claim_due(session=second, now=clock(), lease=CLAIM_LEASE, limit=4)
        assert [m.key for m, _ in mine] == ["nudge:0", "nudge:1"]
        assert [m.key for m, _ in theirs] == ["nudge:2", "nudge:3"]
    finally:
        other.dispose()


def test_two_deliverers_on_postgres_each_deliver_while_the_other_waits_on_slack(
    runtime, database, slack_api, clock
):
    on_postgres_only(database)
    enqueue(database, clock, key="slow", channel="CSLOW0001")
    for number in range(24):
        enqueue(database, clock, key=f"nudge:{number}", channel=f"C{number:08d}")
    held = slack_api.hold("chat.postMessage", "CSLOW0001")
    engines = [Database(database.url) for _ in range(2)]
    first, second = (
        Deliverer(engine, runtime.clients, clock=clock, pacer=ChannelPacer(interval=0))
        for engine in engines
    )
    try:
        waiting = threading.Thread(target=first.deliver)
        waiting.start()
        assert held.arrived.wait(10)
        # The first holds its claimed batch in a Slack call that does not answer; the
        # second claims the rest and delivers it meanwhile.
        report = second.deliver()
        assert report.sent == 24 - (CLAIM_BATCH - 1)
        held.release()
        waiting.join(10)
    finally:
        held.release()
        for engine in engines:
            engine.dispose()
    keys = Counter(
        c["metadata"]["event_payload"]["key"] for c in slack_api.calls_to("chat.postMessage")
    )
    assert set(keys.values()) == {1}
    assert len(keys) == 25
    with database.session() as session:
        assert set(session.exec(select(OutboxMessage.status))) == {OutboxStatus.SENT}


def test_deliverers_in_two_processes_share_each_channels_pace(runtime, database, slack_api, clock):
    engines = [Database(database.url) for _ in range(2)]
    first, second = (Deliverer(engine, runtime.clients, clock=clock) for engine in engines)
    try:
        enqueue(database, clock, key="a", channel="C1")
        assert first.deliver().sent == 1
        clock.advance(seconds=0.5)
        enqueue(database, clock, key="b", channel="C1")
        clock_before = clock()
        report = second.deliver()  # its own process, but the channel's slot is taken
        assert (report.sent, report.deferred) == (0, 1)
        assert report.next_due == clock_before + timedelta(seconds=0.5)
        clock.advance(seconds=0.5)
        assert second.deliver().sent == 1
    finally:
        for engine in engines:
            engine.dispose()
    assert [p.text for p in slack_api.posts("C1")] == ["text of a", "text of b"]


def test_a_slot_booked_by_a_clock_far_ahead_holds_no_post_back(runtime, database, slack_api, clock):
    # A job run with --at next Monday books the channel's slot next Monday; a delivery
    # at today's real time waits one interval at most, not until then.
    ahead = Deliverer(database, runtime.clients, clock=lambda: clock() + timedelta(days=2))
    today = Deliverer(database, runtime.clients, clock=clock)
    enqueue(database, clock, key="a", channel="C1")
    assert ahead.deliver().sent == 1
    enqueue(database, clock, key="b", channel="C1")
    assert today.deliver().sent == 1
    assert [p.text for p in slack_api.posts("C1")] == ["text of a", "text of b"]


def test_a_later_message_of_a_channel_waits_while_an_earlier_one_is_being_sent(
    runtime, database, slack_api, clock
):
    enqueue(database, clock, key="first", channel="C1")
    enqueue(database, clock, key="second", channel="C1")
    enqueue(database, clock, key="elsewhere", channel="C2")
    with database.session() as session:
        [(taken, _)] = outbox.claim_due(session=session, now=clock(), lease=CLAIM_LEASE, limit=1)
    assert taken.key == "first"
    # Another deliverer is sending "first": "second" must not overtake it.
    report = runtime.deliverer.deliver()
    assert report.sent == 1
    assert [p.text for p in slack_api.posts()] == ["text of elsewhere"]
    assert row(database, "second").status == "pending"


def test_a_message_keeps_its_doubt_when_its_channel_is_busy(runtime, database, slack_api, clock):
    ticks = [100.0]
    paced = Deliverer(
        database, runtime.clients, clock=clock, pacer=ChannelPacer(1.0, monotonic=lambda: ticks[0])
    )
    enqueue(database, clock, key="a", channel="C1")
    slack_api.fail("chat.postMessage", status=503, times=3)  # it may have been posted
    paced.deliver()
    clock.advance(seconds=30)
    assert paced.deliver().deferred == 1  # the channel's slot is still taken
    held = row(database, "a")
    assert (held.status, held.maybe_posted, held.attempts) == ("pending", True, 1)
    ticks[0] += 1.0
    clock.advance(seconds=1)
    paced.deliver()
    assert slack_api.calls_to("conversations.history")  # looked before posting again
    assert [p.text for p in slack_api.posts("C1")] == ["text of a"]
