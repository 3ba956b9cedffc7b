"""`/goal` for goals themselves: the list, one goal, creating and changing one, archiving,
checking in its measure, and linking a project to it.

`/goal` (or `list`) lists the active goals with their health; `/goal GOAL` (or `show
GOAL`) shows one; `new` and `edit GOAL` open the goal form; `update GOAL value [note]`
checks in the measure (without a value, a form); `archive GOAL` and `unarchive GOAL`;
`link KEY GOAL [weight]` links a project to a goal.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt import Ack, App
from slack_sdk.models.blocks import SectionBlock
from slack_sdk.models.views import View

from commands import goal_form, mrkdwn, payload
from commands.command_ask import CommandAsk, Verb
from commands.context import Delivery
from commands.goal_message import goal_blocks, goal_list_blocks, measure_line, value_text
from workflows import goal_health, goals
from workflows.errors import InvalidInput, PmoError
from workflows.project_goals import FULL_WEIGHT
from workflows.wording import count

USAGE_SHOW = "/goal show GOAL"
USAGE_EDIT = "/goal edit GOAL"
USAGE_UPDATE = "/goal update GOAL value [note]"
USAGE_LINK = "/goal link KEY GOAL [weight]"


def register(app: App) -> None:
    """Attach the goal form and the check-in form."""
    app.view(goal_form.GOAL_CALLBACK)(save_goal)
    app.view(goal_form.CHECKIN_CALLBACK)(save_checkin)


# -- reading goals -------------------------------------------------------------------------


def list_goals(ask: CommandAsk) -> None:
    """`/goal` or `/goal list`: each active goal with its health and its measure."""
    with ask.db.session() as session:
        found = goal_health.workspace_goals(session=session, team_id=ask.actor.team_id)
    ask.respond(blocks=goal_list_blocks(found), text=count(len(found), "goal"))


def show_goal(ask: CommandAsk) -> None:
    """`/goal GOAL` or `/goal show GOAL`: the goal, its projects, its measure's check-ins."""
    key = _first_word(ask, USAGE_SHOW) if ask.verb == "show" else ask.verb
    with ask.db.session() as session:
        view = goal_health.goal_view(session=session, actor=ask.actor, key=key)
    goal = view.health.goal
    ask.respond(blocks=goal_blocks(view), text=f"{goal.key} · {goal.title}")


# -- creating and changing goals -------------------------------------------------------------


def new_goal(ask: CommandAsk) -> None:
    """`/goal new`: the goal form, for a PMO lead."""
    trigger_id = ask.trigger_id  # first: a command without one stores nothing
    with ask.db.session() as session:
        goals.require_may_create(session=session, actor=ask.actor)
    ask.client.views_open(trigger_id=trigger_id, view=goal_form.goal_modal(owner=ask.actor.user_id))


def edit_goal(ask: CommandAsk) -> None:
    """`/goal edit GOAL`: the goal form prefilled, for its owner or a PMO lead."""
    key = _first_word(ask, USAGE_EDIT)
    trigger_id = ask.trigger_id
    with ask.db.session() as session:
        goal = goals.editable_goal(session=session, actor=ask.actor, key=key)
    view = goal_form.goal_modal(owner=ask.actor.user_id, draft=goals.draft_of(goal))
    ask.client.views_open(trigger_id=trigger_id, view=view)


def save_goal(ack: Ack, body: dict[str, Any], view: dict[str, Any], delivery: Delivery) -> None:
    """Create or change the goal; wrong fields are shown inline (see bot/errors.py)."""
    actor = payload.sender(body)
    draft = goal_form.read_goal_form(view)
    key = goal_form.editing_key(view)
    if key:
        done = delivery.perform(partial(goals.edit_goal, actor=actor, key=key, draft=draft))
    else:
        done = delivery.perform(partial(goals.create_goal, actor=actor, draft=draft))
    goal = done.goal
    state = "changed" if key and done.changed else "unchanged" if key else "created"
    text = (
        f":white_check_mark: *{goal.key}* {mrkdwn.escape(goal.title)} is {state}, owned by "
        f"{mrkdwn.mention(goal.owner)}."
    )
    if not key:
        text += (
            f"\nProjects serve it from their form (`/pmo edit KEY`, the Goals field) or with "
            f"`/goal link KEY {goal.key} 60`."
        )
    ack(response_action="update", view=_done_view("Goal saved", text))


def archive_goal(ask: CommandAsk) -> None:
    """`/goal archive GOAL` and `/goal unarchive GOAL` (the verb says which)."""
    key = _first_word(ask, f"/goal {ask.verb} GOAL")
    archived = ask.verb == "archive"
    done = ask.delivery.perform(
        partial(goals.set_archived, actor=ask.actor, key=key, archived=archived)
    )
    state = "archived" if done.goal.archived else "active again"
    already = "" if done.changed else " already"
    ask.respond(text=f"{done.goal.key} is{already} {state}.")


# -- checking in the measure -------------------------------------------------------------------


def update_goal(ask: CommandAsk) -> None:
    """`/goal update GOAL value [note]`; without a value, the check-in form."""
    key = _first_word(ask, USAGE_UPDATE)
    words = ask.rest.split(maxsplit=2)
    if len(words) == 1:
        trigger_id = ask.trigger_id
        with ask.db.session() as session:
            goal = goals.checkable_goal(session=session, actor=ask.actor, key=key)
        ask.client.views_open(trigger_id=trigger_id, view=goal_form.checkin_modal(goal))
        return
    value, note = words[1], words[2] if len(words) > 2 else ""
    if note == "%" or note.startswith("% "):  # `7 %`: the unit is part of the value
        value, note = f"{value} %", note[1:].strip()
    try:
        done = ask.delivery.perform(
            partial(goals.check_in, actor=ask.actor, key=key, value=value, note=note)
        )
    except InvalidInput as exc:
        raise PmoError(f"{exc} `{USAGE_UPDATE}`") from None
    ask.respond(text=_checked_in_text(done))


def save_checkin(ack: Ack, body: dict[str, Any], view: dict[str, Any], delivery: Delivery) -> None:
    """Check in the value from the form; a wrong value or note is shown inline."""
    key, value, note = goal_form.read_checkin_form(view)
    if key is None:
        raise PmoError("This form is no longer valid.")
    actor = payload.sender(body)
    done = delivery.perform(partial(goals.check_in, actor=actor, key=key, value=value, note=note))
    ack(response_action="update", view=_done_view("Checked in", _checked_in_text(done)))


def _checked_in_text(done: goals.CheckedIn) -> str:
    goal, checkin = done.goal, done.checkin
    progress = goal_health.progress(goal, checkin.value)
    text = f":white_check_mark: Checked in *{goal.key}*: {measure_line(goal, checkin, progress)}"
    if done.previous is not None:
        text += f" (was {value_text(done.previous.value, goal.unit)})"
    return mrkdwn.fit(text + ".", 3000)


# -- linking projects ------------------------------------------------------------------------


def link_goal(ask: CommandAsk) -> None:
    """`/goal link KEY GOAL [weight]`: the project serves the goal, with that weight
    (100 when none is given)."""
    words = ask.rest.split()
    if len(words) not in (2, 3):
        raise PmoError(f"Name the project and the goal: `{USAGE_LINK}`.")
    weight = FULL_WEIGHT
    if len(words) == 3:
        try:
            weight = payload.whole_number(words[2].removesuffix("%"))
        except ValueError:
            raise PmoError(f"The weight is a whole number from 0 to 100: `{USAGE_LINK}`.") from None
    done = ask.delivery.perform(
        partial(goals.link_project, actor=ask.actor, key=words[0], goal_key=words[1], weight=weight)
    )
    goal = f"*{done.goal.key}* {mrkdwn.escape(done.goal.title)}"
    if done.before == done.weight:
        text = f"{done.project.key} already serves {goal} with weight {done.weight}."
    else:
        was = "" if done.before is None else f" (was {done.before})"
        text = f"{done.project.key} now serves {goal} with weight {done.weight}{was}."
    ask.respond(text=text)


def _first_word(ask: CommandAsk, usage: str) -> str:
    # The goal (or project) key a verb needs first.
    words = ask.rest.split()
    if not words:
        raise PmoError(f"Which goal? `{usage}`.")
    return words[0]


def _done_view(title: str, text: str) -> dict[str, Any]:
    return View(
        type="modal", title=title, close="Done", blocks=[SectionBlock(text=mrkdwn.fit(text, 3000))]
    ).to_dict()


VERBS: dict[str, Verb] = {
    "list": list_goals,
    "show": show_goal,
    "new": new_goal,
    "edit": edit_goal,
    "update": update_goal,
    "archive": archive_goal,
    "unarchive": archive_goal,
    "link": link_goal,
}
