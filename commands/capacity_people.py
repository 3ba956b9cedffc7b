"""`/capacity` for people: your load, a project's team, setting capacity, allocating.

`/capacity` (or `me`) shows your next eight weeks and your allocations, each with a
*Question* button; `/capacity KEY` a project's team and load; `/capacity set` capacity,
skills and cost rate; `/capacity allocate` the allocation form.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.models.blocks import (
    ButtonElement,
    ContextBlock,
    DatePickerElement,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    SectionBlock,
    UserSelectElement,
)
from slack_sdk.models.views import View

from commands import capacity_message, mrkdwn, payload, project_picker
from commands.capacity_message import allocation_line, hours, load_line
from commands.command_ask import CommandAsk, Verb
from commands.context import Clock, Delivery
from commands.project_picker import PickerForm, ProjectChoice
from commands.slack_person import NotAPerson, check_in_workspace
from commands.view_state import ViewState, metadata_id, pack_metadata
from storage.db import Database
from storage.models import Role
from workflows import capacity, capacity_views
from workflows.actor import Actor
from workflows.capacity import AllocationDraft, CapacityDraft
from workflows.errors import InvalidInput, PmoError
from workflows.labour_cost import LabourCost
from workflows.money import format_money
from workflows.projects import get_project, resolve_project

USAGE_SET = "/capacity set @person 32h skills backend,design rate 85"
USAGE_ALLOCATE = "/capacity allocate KEY"
ALLOCATE_CALLBACK = "capacity.allocate_save"
QUESTION_CALLBACK = "capacity.question_save"
QUESTION_ACTION = "capacity.question"
REMOVE_ACTION = "capacity.remove"
PROJECT, PERSON, START, END, AMOUNT, QUESTION = (
    "project",
    "person",
    "start",
    "end",
    "amount",
    "question",
)
PICKER = PickerForm(action_id="capacity.allocate_project", roles=frozenset({Role.PM}))
# Allocations listed with a button each, then "and N more" (Slack allows 50 blocks).
LISTED = 20


def register(app: App) -> None:
    """Attach the allocation form, the Question and Remove buttons and their forms."""
    project_picker.serve(app, PICKER)
    app.view(ALLOCATE_CALLBACK)(save_allocation)
    app.action(QUESTION_ACTION)(ask_question)
    app.view(QUESTION_CALLBACK)(save_question)
    app.action(REMOVE_ACTION)(remove_allocation)


# -- your load -----------------------------------------------------------------------------


def my_load(ask: CommandAsk) -> None:
    """Your capacity, the next eight weeks and your allocations."""
    with ask.db.session() as session:
        mine = capacity_views.my_capacity(session=session, actor=ask.actor, now=ask.clock())
    ask.respond(blocks=my_load_blocks(mine), text="Your load for the next 8 weeks")


def my_load_blocks(mine: capacity_views.MyCapacity) -> list[dict[str, Any]]:
    """Your capacity and skills, your weeks, then your allocations with *Question*."""
    person = mine.person
    skills = ", ".join(person.skills) or "none yet"
    blocks: list[Any] = [
        HeaderBlock(text="Your capacity"),
        SectionBlock(
            text=f"*{hours(person.capacity_hours)} a week* · skills: {mrkdwn.escape(skills)}\n"
            + load_line(mine.load, mine.threshold)
        ),
        DividerBlock(),
        SectionBlock(text=f"*Your allocations* ({len(mine.allocations)})"),
    ]
    for allocation, project in mine.allocations[:LISTED]:
        blocks.append(
            SectionBlock(
                text=mrkdwn.fit(allocation_line(allocation, project), 3000),
                accessory=ButtonElement(
                    text="Question", action_id=QUESTION_ACTION, value=str(allocation.id)
                ),
            )
        )
    notes = []
    if len(mine.allocations) > LISTED:
        notes.append(f"…and {len(mine.allocations) - LISTED} more.")
    if not mine.allocations:
        notes.append("You are allocated to no project in the weeks ahead.")
    notes.append(f"Change your week or skills: `{USAGE_SET.replace('@person ', '')}`.")
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=" ".join(notes))]))
    return [block.to_dict() for block in blocks]


# -- a project's team ----------------------------------------------------------------------


def project_team(ask: CommandAsk) -> None:
    """`/capacity KEY`: who is allocated, how much, and how loaded they are overall."""
    key = ask.verb.upper() if ask.verb else None
    with ask.db.session() as session:
        team = capacity_views.project_capacity(
            session=session, actor=ask.actor, key=key, now=ask.clock()
        )
    ask.respond(blocks=project_team_blocks(team), text=f"{team.project.key}: team and load")


def project_team_blocks(team: capacity_views.ProjectCapacity) -> list[dict[str, Any]]:
    """The team, most loaded first, each with their allocations here and their weeks."""
    project = team.project
    blocks: list[Any] = [
        HeaderBlock(text=f"{project.key} · team and load"[:150]),
        SectionBlock(text=f"*{len(team.members)} allocated* to {mrkdwn.escape(project.name)}"),
    ]
    rows = [(m, a, n == 0) for m in team.members for n, a in enumerate(m.allocations)]
    for member, allocation, first in rows[:LISTED]:
        text = (
            f"{mrkdwn.mention(member.person.user_id)} · "
            f"{capacity_message.amount_words(allocation)}, "
            f"{capacity_message.span(allocation.start_date, allocation.end_date)}"
        )
        if first:
            peak = member.peak_percent
            text += f"\n{load_line(member.load, team.threshold)}"
            if peak is not None:
                text += f"\nFullest week: {peak} % of {hours(member.person.capacity_hours)}"
        blocks.append(
            SectionBlock(
                text=mrkdwn.fit(text, 3000),
                accessory=ButtonElement(
                    text="Remove", action_id=REMOVE_ACTION, value=str(allocation.id)
                ),
            )
        )
    blocks.append(SectionBlock(text=mrkdwn.fit(labour_cost_text(team.cost), 3000)))
    notes = []
    if len(rows) > LISTED:
        notes.append(f"…and {len(rows) - LISTED} more allocations.")
    if team.unallocated:
        notes.append(f"On the project with no allocation: {mrkdwn.mentions(team.unallocated)}.")
    notes.append(f"`/capacity allocate {project.key}` adds someone.")
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=" ".join(notes))]))
    return [block.to_dict() for block in blocks]


def labour_cost_text(cost: LabourCost) -> str:
    """`*Planned labour cost* 48,000 of a 250,000 budget (19 %)`, with the hours of
    the people who have no cost rate."""
    if not cost.costed and not cost.not_costed:
        return "*Planned labour cost*: nobody is allocated yet."
    text = f"*Planned labour cost* {format_money(cost.total)}"
    if cost.budget is not None:
        percent = cost.percent_of_budget
        share = f" ({percent} %)" if percent is not None else ""
        text += f" of a {format_money(cost.budget)} budget{share}"
        if cost.over_budget:
            text += " :warning: over budget"
    text += f" · {hours(cost.hours)} planned"
    if cost.not_costed:
        people = mrkdwn.mentions([line.user_id for line in cost.not_costed])
        text += f"\nNot costed (no rate set): {people}; `/capacity set @person rate 85` sets one."
    return text


# -- setting capacity ----------------------------------------------------------------------


def set_capacity(ask: CommandAsk) -> None:
    """`/capacity set [@person] [32h] [skills a,b] [rate 85]`."""
    try:
        user_id, draft = parse_set(ask.rest, ask.actor.user_id)
    except ValueError as exc:
        raise PmoError(f"{exc} `{USAGE_SET}`") from None
    if user_id != ask.actor.user_id:
        check_person(ask.client, ask.db, ask.actor.team_id, user_id, ask.clock())
    done = ask.delivery.perform(
        partial(capacity.set_capacity, actor=ask.actor, user_id=user_id, draft=draft)
    )
    person = done.person
    who = "Your" if user_id == ask.actor.user_id else f"{mrkdwn.mention(user_id)}'s"
    rate = f", {person.cost_rate} an hour" if person.cost_rate is not None else ""
    skills = ", ".join(person.skills) or "no skills named"
    state = "now" if done.changed else "already"
    ask.respond(
        text=f"{who} week is {state} {hours(person.capacity_hours)} ({mrkdwn.escape(skills)}"
        f"{rate})."
    )


KEYWORDS = {"skills", "skill", "rate"}


def parse_set(text: str, actor_id: str) -> tuple[str, CapacityDraft]:
    """Whose capacity and what to change; ValueError in words for the person."""
    people = mrkdwn.user_ids_in(text)
    if len(people) > 1:
        raise ValueError("Set one person's capacity at a time.")
    words = mrkdwn.USER_MENTION.sub(" ", text).split()
    hours_given = skills = rate = None
    n = 0
    while n < len(words):
        word = words[n].lower()
        if word in ("skills", "skill"):
            taken = []
            n += 1
            while n < len(words) and words[n].lower() not in KEYWORDS:
                taken.append(words[n])
                n += 1
            if not taken:
                raise ValueError("Name the skills after `skills` (or `skills none`).")
            joined = " ".join(taken)
            skills = [] if joined.lower() == "none" else capacity.parse_skills(joined)
            continue
        if word == "rate":
            if n + 1 >= len(words):
                raise ValueError("Give the hourly cost after `rate`.")
            rate = capacity.parse_cost_rate(words[n + 1])
            n += 2
            continue
        if hours_given is not None:
            raise ValueError(f"I don't understand `{mrkdwn.quoted(words[n], 40)}`.")
        hours_given = capacity.parse_hours(words[n], what="Capacity")
        n += 1
    if hours_given is None and skills is None and rate is None:
        raise ValueError("Say what to set: hours a week, skills or a rate.")
    return (people[0] if people else actor_id), CapacityDraft(hours_given, skills, rate)


def check_person(
    client: WebClient, db: Database, team_id: str, user_id: str, now: datetime
) -> None:
    """The person must be someone of this workspace Slack knows (not a bot, not deleted,
    not a guest from another workspace): InvalidInput on `person` otherwise. What Slack
    says of them (name, time zone) is remembered."""
    refusal = check_in_workspace(client, db, team_id, user_id, now)
    if refusal is None:
        return
    who = mrkdwn.mention(user_id)
    raise InvalidInput(
        {
            PERSON: {
                NotAPerson.UNKNOWN: "Slack knows no such person here.",
                NotAPerson.LEFT: f"{who} has left the workspace.",
                NotAPerson.BOT: "A bot cannot be given work.",
                NotAPerson.ELSEWHERE: f"{who} belongs to another workspace: "
                "allocate people of this one.",
            }[refusal]
        }
    )


# -- allocating ----------------------------------------------------------------------------


def open_allocate(ask: CommandAsk) -> None:
    """`/capacity allocate [KEY]`: the allocation form, for the project named or the
    channel's (or a picker of the projects you run)."""
    trigger_id = ask.trigger_id
    with ask.db.session() as session:
        selected = None
        if ask.rest or ask.actor.channel_id:
            try:
                project = resolve_project(
                    session=session,
                    team_id=ask.actor.team_id,
                    key=ask.rest.split()[0] if ask.rest else None,
                    channel_id=ask.actor.channel_id,
                    usage=USAGE_ALLOCATE,
                )
                selected = ProjectChoice(project.key, project.name, True)
            except PmoError:
                if ask.rest:
                    raise
        choices = PICKER.choices(session=session, actor=ask.actor)
    if not choices and selected is None:
        raise PmoError(f"Which project? You run none: give its key, `{USAGE_ALLOCATE}`.")
    today = ask.clock().date()
    ask.client.views_open(trigger_id=trigger_id, view=allocate_modal(choices, selected, today))


def allocate_modal(
    choices: list[ProjectChoice], selected: ProjectChoice | None, today: Any
) -> dict[str, Any]:
    """Who, on which project, from when to when, how much."""
    return View(
        type="modal",
        callback_id=ALLOCATE_CALLBACK,
        title="Allocate someone",
        submit="Allocate",
        close="Cancel",
        blocks=[
            project_picker.project_picker(
                choices, selected, block_id=PROJECT, action_id=PICKER.action_id
            ),
            InputBlock(block_id=PERSON, label="Who", element=UserSelectElement(action_id=PERSON)),
            InputBlock(
                block_id=START,
                label="From",
                element=DatePickerElement(action_id=START, initial_date=today.isoformat()),
            ),
            InputBlock(
                block_id=END, label="Until (inclusive)", element=DatePickerElement(action_id=END)
            ),
            InputBlock(
                block_id=AMOUNT,
                label="How much",
                hint="Hours a week (20h) or a share of their week (50%).",
                element=PlainTextInputElement(action_id=AMOUNT, placeholder="20h", max_length=10),
            ),
        ],
    ).to_dict()


def save_allocation(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    db: Database,
    clock: Clock,
    delivery: Delivery,
) -> None:
    """Check every field (errors inline), then allocate; the form shows the result."""
    actor, state = payload.sender(body), ViewState(view)
    errors: dict[str, str] = {}
    key = state.option(PROJECT, offered=None)
    user_id = state.user(PERSON) or ""
    amount = None
    try:
        amount = capacity.parse_amount(state.text(AMOUNT))
    except ValueError as exc:
        errors[AMOUNT] = str(exc)
    draft = AllocationDraft(user_id, state.date(START), state.date(END), amount)
    errors = {**capacity.check_allocation(draft), **errors}
    if not key:
        errors[PROJECT] = "Choose the project."
    if errors:
        raise InvalidInput(errors)
    assert key is not None
    with db.session() as session:
        project = get_project(session=session, team_id=actor.team_id, key=key)
    check_person(client, db, actor.team_id, user_id, clock())
    done = delivery.perform(partial(capacity.allocate, actor=actor, project=project, draft=draft))
    ack(response_action="update", view=allocated_view(done))


def allocated_view(done: capacity.Allocated) -> dict[str, Any]:
    """The form, once saved: what was stored and the person's weeks now."""
    allocation = done.allocation
    alert = any(isinstance(m.content, capacity.OverAllocation) for m in done.messages)
    text = (
        f":white_check_mark: {mrkdwn.mention(allocation.user_id)} is allocated to "
        f"{allocation_line(allocation, done.project)}.\n{load_line(done.load, 10)}"
    )
    if alert:
        text += (
            "\n:warning: This takes them over their capacity: their PMs and the PMO leads are told."
        )
    return View(
        type="modal",
        title="Allocated",
        close="Done",
        blocks=[SectionBlock(text=mrkdwn.fit(text, 3000))],
    ).to_dict()


# -- questioning and removing an allocation -----------------------------------------------


def ask_question(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    """ "Question" beside one of your allocations: a form for what to ask the PM."""
    ack()
    allocation_id = payload.button_id(body, "allocation")
    client.views_open(trigger_id=payload.trigger_id(body), view=question_modal(allocation_id))


def question_modal(allocation_id: int) -> dict[str, Any]:
    """What would you like to ask or change?"""
    return View(
        type="modal",
        callback_id=QUESTION_CALLBACK,
        title="Question an allocation",
        submit="Send to the PM",
        close="Cancel",
        blocks=[
            InputBlock(
                block_id=QUESTION,
                label="Your question",
                element=PlainTextInputElement(
                    action_id=QUESTION, multiline=True, max_length=capacity.QUESTION_MAX
                ),
            )
        ],
        private_metadata=pack_metadata(allocation_id=allocation_id),
    ).to_dict()


def save_question(ack: Ack, body: dict[str, Any], view: dict[str, Any], delivery: Delivery) -> None:
    """Send the question to the project's PM; errors inline."""
    allocation_id = metadata_id(view, "allocation_id")
    if allocation_id is None:
        raise PmoError("This form is no longer valid.")
    done = delivery.perform(
        partial(
            capacity.question_allocation,
            actor=payload.sender(body),
            allocation_id=allocation_id,
            question=ViewState(view).text(QUESTION),
        )
    )
    text = f":speech_balloon: Sent to {mrkdwn.mentions(done.asked)}. They will answer you directly."
    ack(
        response_action="update",
        view=View(
            type="modal", title="Question sent", close="Done", blocks=[SectionBlock(text=text)]
        ).to_dict(),
    )


def remove_allocation(ack: Ack, body: dict[str, Any], respond: Respond, delivery: Delivery) -> None:
    """ "Remove" beside a team member: their allocation ends (the PM or a PMO lead)."""
    ack()
    actor: Actor = payload.sender(body)
    allocation_id = payload.button_id(body, "allocation")
    done = delivery.perform(
        partial(capacity.remove_allocation, actor=actor, allocation_id=allocation_id)
    )
    respond(
        text=f"Removed {mrkdwn.mention(done.allocation.user_id)} from {done.project.key} "
        f"({capacity_message.amount_words(done.allocation)}).",
        response_type="ephemeral",
        replace_original=False,
    )


VERBS: dict[str, Verb] = {"me": my_load, "set": set_capacity, "allocate": open_allocate}
