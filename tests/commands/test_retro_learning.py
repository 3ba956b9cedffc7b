"""`/retro` for actions and lessons, the way Slack sends it: an item's menu opens the
action or lesson form, the owner closes with *Close* and an outcome, `/retro` lists your
open actions, `/retro lessons` searches; bad input and outsiders are refused."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from storage.models import ActionStatus, Lesson, RetroAction
from tests.factories import MEMBER, OUTSIDER, PM, SPONSOR, make_project
from tests.slack_api import Message
from tests.workflows.test_retro_actions import add_item

BOT_ID = "UBOTPMO01"


def setup(slack_api, database, clock, text="Vendor reviews came too late", author=None):
    clock.set(clock().replace(year=2026, month=11, day=30, hour=12))
    for user, name in ((PM, "Priya PM"), (MEMBER, "Mo Member"), (OUTSIDER, "Olly Out")):
        slack_api.add_user(user, name)
    slack_api.add_user(BOT_ID, "pmo-bot", is_bot=True)
    project = make_project(database)
    return add_item(database, project, text=text, author=author)


def summary(item_id):
    """A summary post's item as the retro's summary shows it: text and its menu."""
    return Message(
        channel="CAPOLLO01",
        ts="1764500000.000100",
        text="Retro summary",
        blocks=[
            {
                "type": "section",
                "block_id": f"item-{item_id}",
                "text": {"type": "mrkdwn", "text": "Vendor reviews came too late"},
                "accessory": {
                    "type": "overflow",
                    "action_id": "retro.item",
                    "options": [
                        {"text": {"type": "plain_text", "text": t}, "value": f"{v}:{item_id}"}
                        for t, v in (("Make an action", "action"), ("Make a lesson", "lesson"))
                    ],
                },
            }
        ],
    )


def actions(database):
    with database.session() as session:
        return session.exec(select(RetroAction).order_by(RetroAction.id)).all()


def action_form(slack, item_id, user=PM):
    slack.choose_overflow(summary(item_id), "retro.item", f"action:{item_id}", user=user)
    return slack.last_modal()


def test_an_item_becomes_an_action_and_its_owner_closes_it(slack, slack_api, database, clock):
    item = setup(slack_api, database, clock)
    modal = action_form(slack, item)
    assert (modal.title, modal.initial("Action")) == (
        "Make an action",
        "Vendor reviews came too late",
    )
    modal.enter({"Action": "Book vendor reviews at kickoff", "Owner": MEMBER, "Due": "2026-12-04"})
    assert slack.submit(modal, user=PM).json()["response_action"] == "update"
    [action] = actions(database)
    assert (action.owner, action.due_on, action.item_id) == (MEMBER, date(2026, 12, 4), item)
    [dm] = slack_api.dms(MEMBER)
    assert "Book vendor reviews at kickoff" in dm.text and "Fri 4 Dec 2026" in dm.text
    slack.click(dm, "retro.action_close", user=MEMBER)
    close = slack.last_modal().enter({"Outcome": "Reviews are in the kickoff checklist"})
    assert slack.submit(close, user=MEMBER).json()["response_action"] == "update"
    again = slack.submit(close, user=MEMBER).json()  # a double click
    assert "was already closed" in str(again)
    [action] = actions(database)
    assert (action.status, action.outcome) == (
        ActionStatus.DONE,
        "Reviews are in the kickoff checklist",
    )
    slack.click(dm, "retro.action_close", user=MEMBER)
    assert "already closed" in slack_api.last_reply()["text"]


def test_bad_action_fields_are_named_inline(slack, slack_api, database, clock):
    item = setup(slack_api, database, clock)
    for values, field, said in (
        ({"Action": "x" * 201}, "title", "at most 200 characters"),
        ({"Due": "2026-11-27"}, "due_on", "cannot be in the past"),
        ({"Owner": BOT_ID}, "owner", "must be a person"),
        ({"Owner": "UNOBODY01"}, "owner", "Slack knows no such person"),
    ):
        modal = action_form(slack, item).enter({"Owner": MEMBER, "Due": "2026-12-04", **values})
        errors = slack.submit(modal, user=PM).json()["errors"]
        assert said in errors[field], (values, errors)
    assert actions(database) == []


def test_an_outsider_cannot_act_on_the_project_s_items(slack, slack_api, database, clock):
    item = setup(slack_api, database, clock)
    for option in (f"action:{item}", f"lesson:{item}"):
        slack_api.reset_calls()
        slack.choose_overflow(summary(item), "retro.item", option, user=OUTSIDER)
        assert "Only" in slack_api.last_reply()["text"]
        assert slack_api.calls_to("views.open") == []


def test_a_forged_menu_value_opens_nothing(slack, slack_api, database, clock):
    item = setup(slack_api, database, clock)
    message = summary(item)
    message.blocks[0]["accessory"]["options"][0]["value"] = "action:DROP"
    slack.choose_overflow(message, "retro.item", "action:DROP", user=PM)
    assert slack_api.calls_to("views.open") == []


def test_an_item_is_promoted_to_a_lesson_and_found_by_search(slack, slack_api, database, clock):
    item = setup(slack_api, database, clock)
    slack.choose_overflow(summary(item), "retro.item", f"lesson:{item}", user=MEMBER)
    modal = slack.last_modal()
    assert modal.initial("What happened") == "Vendor reviews came too late"
    bad = modal.enter({"Title": "t" * 201, "Recommendation": "Book them early", "Tags": "a b"})
    assert "at most 200 characters" in slack.submit(bad, user=MEMBER).json()["errors"]["title"]
    modal.enter({"Title": "Vendor reviews", "Tags": "Vendor, Contracts"})
    assert slack.submit(modal, user=MEMBER).json()["response_action"] == "update"
    with database.session() as session:
        [lesson] = session.exec(select(Lesson)).all()
    assert lesson.tags == ["vendor", "contracts"]
    slack.command("/retro", "lessons vendor", user=OUTSIDER)
    shown = str(slack_api.last_reply()["blocks"])
    assert "Vendor reviews" in shown and "*APOLLO*" in shown and "`contracts`" in shown
    slack.command("/retro", 'lessons " AND OR *', user=OUTSIDER)
    assert "No lesson matches" in str(slack_api.last_reply()["blocks"])
    slack.command("/retro", "lessons", user=OUTSIDER)
    assert "Newest lessons" in str(slack_api.last_reply()["blocks"])


def test_retro_alone_lists_your_open_actions_with_close(slack, slack_api, database, clock):
    item = setup(slack_api, database, clock)
    modal = action_form(slack, item).enter({"Owner": MEMBER, "Due": "2026-12-04"})
    slack.submit(modal, user=PM)
    [action] = actions(database)
    slack.command("/retro", "", user=MEMBER)
    reply = slack_api.last_reply()
    assert "Your open actions" in str(reply["blocks"])
    slack.click_in_blocks(reply["blocks"], "retro.action_close", user=MEMBER)
    assert slack.last_modal().title == "Close the action"
    slack.command("/retro", "", user=SPONSOR)
    assert "no open improvement actions" in str(slack_api.last_reply()["blocks"])
    slack.command("/retro", "actions APOLLO", user=SPONSOR)
    assert f"'value': '{action.id}'" in str(slack_api.last_reply()["blocks"])
