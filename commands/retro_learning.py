"""`/retro` for what retrospectives leave behind: improvement actions and lessons learned.

`/retro` alone shows your open actions, each with *Close*; `/retro actions [KEY]` yours,
or a project's; `/retro lessons [words]` searches every project's lessons (the newest ten
with no words). Each item of a retro's summary has a menu (`retro.item`) whose options
open the form that makes it an action (`action:<item id>`) or a lesson (`lesson:<item id>`).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from commands import lesson_form, lesson_message, payload, retro_action_form
from commands.command_ask import CommandAsk, Verb
from commands.context import Clock, Delivery
from commands.payload import BadPayload
from commands.retro_action_message import CLOSE_ACTION, action_list
from commands.view_state import ViewState, metadata_id
from storage.db import Database
from workflows import lessons, retro_actions
from workflows.errors import PmoError
from workflows.wording import count

ITEM_MENU = "retro.item"
# The options of an item's menu: what to make of the item.
MAKE_ACTION, MAKE_LESSON = "action", "lesson"


def actions_verb(ask: CommandAsk) -> None:
    """`/retro actions KEY`: the project's open actions; with no key, yours."""
    if not ask.rest:
        my_actions(ask)
        return
    with ask.db.session() as session:
        project, found = retro_actions.project_open_actions(
            session=session, actor=ask.actor, key=ask.rest.split()[0]
        )
        title = f"{project.key} · open actions"
        blocks = action_list(title, found, f"{project.key} has no open improvement actions.")
    ask.respond(blocks=blocks, text=title)


def lessons_verb(ask: CommandAsk) -> None:
    """`/retro lessons [words]`: the best ten matches across all projects."""
    with ask.db.session() as session:
        found = lessons.find_lessons(session=session, actor=ask.actor, words=ask.rest)
        blocks = lesson_message.search_results(ask.rest, found)
    ask.respond(blocks=blocks, text=count(len(found), "lesson"))


VERBS: dict[str, Verb] = {"actions": actions_verb, "lessons": lessons_verb}


def register(app: App) -> None:
    """Attach the item menu, the action and lesson forms, and *Close* with its form."""
    app.action(ITEM_MENU)(item_menu)
    app.view(retro_action_form.MAKE_CALLBACK)(save_action)
    app.view(lesson_form.CALLBACK_ID)(save_lesson)
    app.action(CLOSE_ACTION)(ask_close)
    app.view(retro_action_form.CLOSE_CALLBACK)(save_close)


def my_actions(ask: CommandAsk) -> None:
    """Your open actions, soonest due first, each with *Close*."""
    with ask.db.session() as session:
        found = retro_actions.my_open_actions(session=session, actor=ask.actor)
        blocks = action_list("Your open actions", found, "You have no open improvement actions.")
    ask.respond(blocks=blocks, text="Your open actions")


def item_menu(
    ack: Ack, body: dict[str, Any], client: WebClient, db: Database, clock: Clock
) -> None:
    """An item's menu: the form to make it an action or a lesson, if the person may."""
    ack()
    actor = payload.sender(body)
    make, _, raw_id = payload.picked_option(body).partition(":")
    item_id = payload.record_id(raw_id)
    if make not in (MAKE_ACTION, MAKE_LESSON) or item_id is None:
        raise BadPayload("That menu option points at no retro item.")
    with db.session() as session:
        if make == MAKE_ACTION:
            asked = retro_actions.action_form(
                session=session, actor=actor, item_id=item_id, now=clock()
            )
            view = retro_action_form.action_modal(asked)
        else:
            lesson = lessons.lesson_form(session=session, actor=actor, item_id=item_id)
            view = lesson_form.lesson_modal(lesson)
    client.views_open(trigger_id=payload.trigger_id(body), view=view)


def save_action(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    db: Database,
    clock: Clock,
    delivery: Delivery,
) -> None:
    """Make the action (wrong fields inline); the owner must be a person Slack knows."""
    actor, item_id = payload.sender(body), _form_id(view, "item_id")
    draft = retro_action_form.read_action_form(view)
    if draft.owner:
        retro_action_form.check_owner(client, db, actor.team_id, draft.owner, clock())
    made = delivery.perform(
        partial(retro_actions.make_action, actor=actor, item_id=item_id, draft=draft)
    )
    ack(response_action="update", view=_done("Action made", made.action.title))


def save_lesson(ack: Ack, body: dict[str, Any], view: dict[str, Any], delivery: Delivery) -> None:
    """Promote the item to a lesson (wrong fields inline)."""
    actor, item_id = payload.sender(body), _form_id(view, "item_id")
    draft = lesson_form.read_lesson_form(view)
    promoted = delivery.perform(partial(lessons.promote, actor=actor, item_id=item_id, draft=draft))
    ack(response_action="update", view=_done("Lesson saved", promoted.lesson.title))


def ask_close(ack: Ack, body: dict[str, Any], client: WebClient, db: Database) -> None:
    """*Close*: the outcome form, if the person may close the action and it is open."""
    ack()
    actor, action_id = payload.sender(body), payload.button_id(body, "action")
    with db.session() as session:
        action, _ = retro_actions.close_form(session=session, actor=actor, action_id=action_id)
        view = retro_action_form.close_modal(action)
    client.views_open(trigger_id=payload.trigger_id(body), view=view)


def save_close(ack: Ack, body: dict[str, Any], view: dict[str, Any], delivery: Delivery) -> None:
    """Close the action with its outcome; a second submit changes nothing."""
    actor, action_id = payload.sender(body), _form_id(view, "action_id")
    outcome = ViewState(view).text(retro_actions.OUTCOME)
    closed = delivery.perform(
        partial(retro_actions.close_action, actor=actor, action_id=action_id, outcome=outcome)
    )
    said = "was already closed" if closed.already else "is closed"
    ack(response_action="update", view=_done("Action closed", f"{closed.action.title} {said}."))


def _form_id(view: dict[str, Any], name: str) -> int:
    found = metadata_id(view, name)
    if found is None:
        raise PmoError("This form is no longer valid.")
    return found


def _done(title: str, text: str) -> dict[str, Any]:
    # The form, once saved, says what was stored (plain text: nothing to escape).
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": title[:24]},
        "close": {"type": "plain_text", "text": "Done"},
        "blocks": [{"type": "section", "text": {"type": "plain_text", "text": text[:3000]}}],
    }
