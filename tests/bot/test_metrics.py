"""GET /metrics: what an operator watches, in Prometheus' text format, over real HTTP."""

from __future__ import annotations

from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from bot.app import build_runtime
from storage import outbox
from storage.workspaces import ensure_workspace
from tests.conftest import make_settings
from tests.factories import PM, TEAM


def scrape(slack):
    reply = slack.raw("GET", "/metrics")
    assert reply.status == 200
    assert reply.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(reply.body)
        for sample in family.samples
    }


def enqueue(database, clock, key="digest:T:2026-W48", channel="CDIGEST01"):
    with database.session() as session:
        ensure_workspace(session=session, team_id=TEAM)
        outbox.enqueue(
            session=session, team_id=TEAM, key=key, channel=channel, text="hi", now=clock()
        )


def test_a_slash_command_is_counted_with_its_ack_latency(slack):
    slack.command("/pmo", "help", user=PM)
    samples = scrape(slack)
    labels = (("kind", "command"), ("name", "/pmo"))
    assert samples[("pmo_requests_total", labels)] >= 1
    assert samples[("pmo_ack_seconds_count", labels)] >= 1
    assert 0 < samples[("pmo_ack_seconds_sum", labels)] < 3


def test_the_outbox_backlog_and_the_age_of_its_oldest_message_are_read_at_scrape(
    slack, database, clock
):
    enqueue(database, clock)
    clock.advance(minutes=12)
    enqueue(database, clock, key="digest:T:2026-W49")
    samples = scrape(slack)
    assert samples[("pmo_outbox_depth", ())] == 2
    assert samples[("pmo_outbox_oldest_pending_age_seconds", ())] == 720


def test_an_empty_outbox_is_zero_deep_and_zero_old(slack):
    samples = scrape(slack)
    assert samples[("pmo_outbox_depth", ())] == 0
    assert samples[("pmo_outbox_oldest_pending_age_seconds", ())] == 0


def test_a_failed_delivery_is_counted_by_its_outcome(
    slack, runtime, database, clock, slack_api, error_log
):
    error_log.expect_errors()  # a message failed for good is logged at ERROR
    before = scrape(slack).get(("pmo_deliveries_total", (("outcome", "failed"),)), 0)
    enqueue(database, clock)
    slack_api.fail("chat.postMessage", error="channel_not_found")
    assert runtime.deliverer.deliver().failed == 1
    samples = scrape(slack)
    assert samples[("pmo_deliveries_total", (("outcome", "failed"),))] == before + 1
    assert samples[("pmo_outbox_depth", ())] == 0


def _connections() -> tuple[float, float, float]:
    # (in use, open, opened) in this process, as GET /metrics reports them: read from the
    # registry itself, since a scrape uses a connection of its own.
    return tuple(  # type: ignore[return-value]
        REGISTRY.get_sample_value(name) or 0.0
        for name in (
            "pmo_db_connections_in_use",
            "pmo_db_connections_open",
            "pmo_db_connections_opened_total",
        )
    )


def test_database_connections_in_use_held_open_and_opened(slack, runtime):
    samples = scrape(slack)
    for name in ("in_use", "open", "opened_total"):
        assert ("pmo_db_connections_" + name, ()) in samples
    runtime.database.dispose()  # no idle connection left: the next ones are new
    # Process-wide figures (other tests' pools count too): compared before and after.
    in_use, held, opened = _connections()
    with runtime.database.reading() as first, runtime.database.reading() as second:
        first.execute(text("SELECT 1"))
        second.execute(text("SELECT 1"))
        assert _connections() == (in_use + 2, held + 2, opened + 2)
    assert _connections() == (in_use, held + 2, opened + 2)  # given back, kept open
    with runtime.database.reading() as again:
        again.execute(text("SELECT 1"))
        assert _connections() == (in_use + 1, held + 2, opened + 2)  # one of those two
    runtime.database.dispose()
    assert _connections() == (in_use, held, opened + 2)


def test_two_runtimes_on_one_database_count_its_connections_once(runtime, slack_api):
    # Another runtime on the same database (a second replica, in tests) must not count the
    # connections its pool already holds again.
    with runtime.database.reading() as session:
        session.execute(text("SELECT 1"))  # one connection, idle in the pool now
    before = _connections()
    settings = make_settings(SLACK_API_URL=slack_api.url, DATABASE_URL=runtime.database.url)
    second = build_runtime(settings, database=runtime.database)
    try:
        assert _connections() == before
        in_use, held, opened = before
        runtime.database.dispose()
        assert _connections() == (in_use, held - 1, opened)
    finally:
        second.courier.stop()
