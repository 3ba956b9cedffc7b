"""Writing to the bot in its Messages tab: a short help, once, never to a bot."""

from __future__ import annotations

import itertools

import pytest
from sqlmodel import select

from bot.manifest import BOT_EVENTS, BOT_SCOPES
from storage.models import OutboxMessage
from tests.factories import PM, SPONSOR
from tests.slack_api import BOT_USER

_ts = itertools.count(1)


def dm(user=PM, **fields):
    """A message.im event as Slack sends it when `user` writes to the bot."""
    ts = f"1764338400.{next(_ts):06d}"
    return {
        "type": "message",
        "channel": "D" + user[1:],
        "user": user,
        "text": "done, thanks",
        "ts": ts,
        "channel_type": "im",
        **fields,
    }


def test_a_message_to_the_bot_gets_a_short_help_by_dm(slack, slack_api):
    assert slack.event(dm()).status == 200
    [answer] = slack_api.dms(PM)
    assert answer.text == "Nobody reads replies here: here is where things go."
    help_text = answer.blocks[0]["text"]["text"]
    for command in ("`/status`", "`/risk`", "`/gate`", "`/pmo help`"):
        assert command in help_text
    assert "*Home* tab" in answer.blocks[1]["elements"][0]["text"]


def test_slacks_retry_of_the_event_is_answered_once(slack, slack_api):
    slack.event(dm())
    assert slack.redeliver(retry=1).status == 200
    assert slack.redeliver(retry=2).status == 200
    assert len(slack_api.dms(PM)) == 1


def test_several_messages_in_a_row_get_one_answer_then_quiet_for_five_minutes(
    slack, slack_api, clock
):
    for _ in range(3):
        slack.event(dm())
    clock.advance(minutes=4)
    slack.event(dm())
    clock.advance(minutes=3)  # another slot, but the answer of the slot before stands
    slack.event(dm())
    assert len(slack_api.dms(PM)) == 1
    clock.advance(minutes=4)  # ten minutes past the first message: answered again
    slack.event(dm())
    assert len(slack_api.dms(PM)) == 2


def test_each_person_is_answered_on_their_own(slack, slack_api):
    slack.event(dm(PM))
    slack.event(dm(SPONSOR))
    assert len(slack_api.dms(PM)) == 1 and len(slack_api.dms(SPONSOR)) == 1


@pytest.mark.parametrize(
    "event",
    [
        dm(BOT_USER, bot_id="BPMO0001"),
        dm(BOT_USER),
        dm(PM, bot_id="BOTHER001", subtype="bot_message"),
        dm(PM, bot_id="BOTHER001", bot_profile={"id": "BOTHER001", "name": "other"}),
        dm(PM, subtype="message_changed", message={"text": "edited"}),
        dm(PM, subtype="message_deleted"),
        dm(PM, subtype="file_share"),
        dm(PM, channel="CGENERAL", channel_type="channel"),
    ],
    ids=[
        "own-bot-message",
        "own-user",
        "bot_message",
        "other-bot",
        "edit",
        "deletion",
        "file",
        "channel",
    ],
)
def test_bots_edits_and_other_subtypes_get_no_answer(slack, slack_api, database, event):
    assert slack.event(event).status == 200
    assert slack_api.posts() == []
    with database.session() as session:
        assert session.exec(select(OutboxMessage)).all() == []


def test_the_manifest_subscribes_to_direct_messages_with_its_scope():
    assert "message.im" in BOT_EVENTS
    assert "im:history" in BOT_SCOPES
