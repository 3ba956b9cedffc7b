"""Each request from Slack is handled once: a replay within Slack's five minutes, or an
event Slack retries, stores nothing twice and says nothing twice."""

from __future__ import annotations

import json
import threading
from urllib.parse import urlencode

import pytest
from slack_bolt.request import BoltRequest
from sqlmodel import func, select
from werkzeug.serving import make_server

import bot.scheduler
from bot.app import build_runtime
from bot.delivery import ChannelPacer
from bot.replays import KEEP_SEEN
from bot.scheduler import SchedulerService, outbox_tick
from bot.web import create_web_app
from storage.models import Kudos, Risk, SeenRequest, StatusUpdate
from tests.conftest import SIGNING_SECRET, make_settings
from tests.factories import APPROVER, MEMBER, PM, make_project
from tests.slack_requests import APP_ID, SlackClient

HOME_OPENED = {"type": "app_home_opened", "tab": "home", "channel": "DHOME0001"}


def count(database, model):
    with database.session() as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_a_replayed_status_short_form_stores_one_update_and_posts_once(slack, slack_api, database):
    make_project(database)
    slack.command("/status", "APOLLO green All fine", user=PM, channel="CRANDOM01")
    replay = slack.replay()
    assert (replay.status, replay.body) == (200, "")
    assert count(database, StatusUpdate) == 1
    assert len(slack_api.posts("CAPOLLO01")) == 1
    assert len(slack_api.ephemeral_replies()) == 1


def test_a_replayed_risk_short_form_raises_one_risk_and_posts_once(slack, slack_api, database):
    make_project(database)
    slack.command("/risk", "APOLLO p2 i2 Vendor may slip", user=MEMBER, channel="CRANDOM01")
    assert slack.replay().status == 200
    assert count(database, Risk) == 1
    assert len(slack_api.posts("CAPOLLO01")) == 1
    assert len(slack_api.ephemeral_replies()) == 1


def test_replayed_kudos_thank_once(slack, slack_api, database):
    slack.command("/kudos", f"<@{MEMBER}> for the demo", user=PM, channel="CTEAM0001")
    assert slack.replay().status == 200
    assert count(database, Kudos) == 1
    assert len(slack_api.dms(MEMBER)) == 1
    assert len(slack_api.ephemeral_replies()) == 1


def test_a_replayed_form_submission_stores_one_update_and_posts_once(slack, slack_api, database):
    make_project(database)
    slack.command("/status", "", user=PM, channel="CAPOLLO01")
    modal = slack.last_modal().enter({"Overall": "green", "Summary": "All fine."})
    assert slack.submit(modal, user=PM).body == ""
    replay = slack.replay()
    assert (replay.status, replay.body) == (200, "")
    assert count(database, StatusUpdate) == 1
    assert len(slack_api.posts("CAPOLLO01")) == 1


def test_an_event_slack_retries_is_handled_once(slack, slack_api, database):
    make_project(database)
    assert slack.event({**HOME_OPENED, "user": PM}).status == 200
    retried = slack.redeliver(retry=1)
    assert (retried.status, retried.body) == (200, "")
    assert slack.replay().status == 200  # the retry itself, captured and sent again
    assert len(slack_api.calls_to("views.publish")) == 1


def test_two_real_requests_alike_are_both_handled(slack, slack_api, database):
    for _ in range(2):
        slack.command("/kudos", f"<@{MEMBER}> for the demo", user=PM, channel="CTEAM0001")
        slack.event({**HOME_OPENED, "user": PM})
    assert count(database, Kudos) == 2
    assert len(slack_api.dms(MEMBER)) == 2
    assert len(slack_api.calls_to("views.publish")) == 2


def test_options_requests_are_never_dropped(slack, database):
    # They change nothing and carry nothing unique; a blank answer would empty the select.
    for number in range(101):
        make_project(database, key=f"P{number:03d}", name=f"Project {number}", channel_id=None)
    slack.command("/status", "", user=PM, channel="CRANDOM01")
    modal = slack.last_modal()
    first = slack.suggest(modal, "Project", "p05", user=PM)
    again = slack.replay()
    assert again.json() == first.json()
    assert again.json()["options"]


@pytest.fixture
def second_replica(database, slack_api, clock, executor):
    """Another process of the app on the same database, served over HTTP."""
    settings = make_settings(SLACK_API_URL=slack_api.url, DATABASE_URL=database.url)
    runtime = build_runtime(
        settings,
        database=database,
        clock=clock,
        listener_executor=executor,
        pacer=ChannelPacer(interval=0),
        retry_backoff=0.001,
    )
    server = make_server("127.0.0.1", 0, create_web_app(runtime), threaded=True)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()

    def settle():
        executor.wait_idle()
        runtime.courier.wait_idle()

    yield SlackClient(
        app_url=f"http://127.0.0.1:{server.server_port}",
        signing_secret=SIGNING_SECRET,
        api=slack_api,
        settle=settle,
        team_id=slack_api.team_id,
    )
    server.shutdown()
    server.server_close()
    runtime.courier.stop()


def test_a_replay_to_another_replica_is_dropped_too(slack, second_replica, slack_api, database):
    slack.command("/kudos", f"<@{MEMBER}> <@{APPROVER}> for the demo", user=PM)
    assert second_replica.replay(slack.last_sent).status == 200
    slack.event({**HOME_OPENED, "user": PM})
    assert second_replica.replay(slack.last_sent).status == 200
    assert count(database, Kudos) == 1
    assert len(slack_api.dms(MEMBER)) == 1
    assert len(slack_api.calls_to("views.publish")) == 1


def test_in_socket_mode_events_are_handled_once_and_other_requests_every_time(
    database, slack_api, clock, executor
):
    settings = make_settings(
        SLACK_API_URL=slack_api.url,
        DATABASE_URL=database.url,
        SLACK_SIGNING_SECRET=None,
        SLACK_APP_TOKEN="xapp-1-test",
    )
    runtime = build_runtime(settings, database=database, clock=clock, listener_executor=executor)
    event = {
        "type": "event_callback",
        "team_id": slack_api.team_id,
        "api_app_id": APP_ID,
        "event_id": "EvSOCKET01",
        "event": {**HOME_OPENED, "user": PM, "event_ts": "1764000000.000100"},
    }
    command = {
        "team_id": slack_api.team_id,
        "user_id": PM,
        "channel_id": "CGENERAL",
        "command": "/pmo",
        "text": "list",
        "response_url": slack_api.response_url(),
        "trigger_id": "1.2.3",
    }
    # What SocketModeHandler hands the app for each envelope: no signature to key on.
    for body in (json.dumps(event), json.dumps(event), urlencode(command), urlencode(command)):
        assert runtime.app.dispatch(BoltRequest(body=body, mode="socket_mode")).status == 200
        executor.wait_idle()
    assert len(slack_api.calls_to("views.publish")) == 1
    assert len(slack_api.ephemeral_replies()) == 2
    runtime.courier.stop()


def test_the_outbox_job_forgets_requests_after_an_hour(runtime, slack, database, clock):
    slack.command("/kudos", f"<@{MEMBER}> for the demo", user=PM)
    service = SchedulerService(runtime, holder="replica-a")
    bot.scheduler._active = service
    try:
        clock.advance(seconds=KEEP_SEEN.total_seconds() - 60)
        service.step()  # the lease holder, as it renews
        outbox_tick()
        assert count(database, SeenRequest) == 1
        clock.advance(minutes=2)
        service.step()
        outbox_tick()
        assert count(database, SeenRequest) == 0
    finally:
        service._stop_jobs()
        bot.scheduler._active = None
