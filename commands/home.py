"""The App Home tab: your projects, your load for the next eight weeks, what waits for your
decision, the risks and goals you own; for a leader, the portfolio above them: the colours, what
needs attention, the red and amber updates waiting for their acknowledgement
(acknowledged from here too).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from commands import mrkdwn, payload, setup_checklist
from commands.attention_message import attention_line
from commands.capacity_message import hours, week_words
from commands.context import Clock, Delivery
from commands.goal_message import goal_summary
from commands.labels import RAG_EMOJI, SEVERITY_EMOJI
from commands.pmo import new_project_form
from commands.risk import risk_form_for
from commands.slack_person import is_slack_admin
from commands.status import update_again
from commands.status_message import COMMENT_ACTION
from storage.db import Database
from storage.models import Gate, Project, Rag
from workflows import acknowledgements, workspace_policy
from workflows.gates import gate_label
from workflows.goal_health import GoalHealth
from workflows.home import Home, LeaderHome, PendingAcknowledgement, home_for
from workflows.load import PersonLoad
from workflows.risks import risk_label
from workflows.wording import count
from workflows.workspace_setup import SetupProgress, setup_progress

POST_STATUS_ACTION = "home.post_status"
NEW_PROJECT_ACTION = "home.new_project"
RAISE_RISK_ACTION = "home.raise_risk"
ACKNOWLEDGE_ACTION = "home.acknowledge"
HOME_BLOCKS_MAX = 100
# Each list shows this many, then "and N more": on a person's own Home, and on a
# leader's, where the portfolio comes first.
SHOWN = 20
LEADER_SHOWN = 10
# Goals a person owns, shown on either Home (three lines each).
GOALS_SHOWN = 10
NO_UPDATE_EMOJI = ":black_circle:"
logger = logging.getLogger(__name__)


def register(app: App) -> None:
    """Attach the Home tab and its buttons."""
    app.event("app_home_opened")(publish_home)
    app.action(POST_STATUS_ACTION)(update_again)
    app.action(NEW_PROJECT_ACTION)(new_project)
    app.action(RAISE_RISK_ACTION)(raise_risk)
    app.action(ACKNOWLEDGE_ACTION)(acknowledge)
    setup_checklist.register(app, refresh_home)


def publish_home(
    event: dict[str, Any], body: dict[str, Any], client: WebClient, db: Database, clock: Clock
) -> None:
    """Someone opened the Home tab: show them their PMO (Slack's retries just show it again)."""
    if event.get("tab") != "home":
        return
    refresh_home(
        client=client,
        db=db,
        team_id=payload.team_id(body),
        user_id=payload.event_user(event),
        now=clock(),
    )


def refresh_home(
    *, client: WebClient, db: Database, team_id: str, user_id: str, now: datetime
) -> None:
    """Publish the person's Home tab as it stands now (with the setup checklist on top
    while setup is unfinished, for whoever may change the settings)."""
    with db.reading() as session:
        home = home_for(session=session, team_id=team_id, user_id=user_id, now=now)
        progress = setup_progress(session=session, team_id=team_id)
        lead = workspace_policy.may_change_settings(
            session=session, team_id=team_id, user_id=user_id, is_slack_admin=False
        )
    setup = None
    if not progress.complete and (lead or _is_admin(client, user_id)):
        setup = progress
    client.views_publish(user_id=user_id, view=VIEWS[type(home)](home, setup))


def _is_admin(client: WebClient, user_id: str) -> bool:
    # Asked of Slack only while setup is unfinished; if Slack can't say, the Home tab
    # still opens, without the checklist.
    try:
        return is_slack_admin(client, user_id)
    except SlackApiError as exc:
        logger.warning("could not tell if %s is a Slack admin: %s", user_id, exc)
        return False


def acknowledge(
    ack: Ack,
    body: dict[str, Any],
    client: WebClient,
    db: Database,
    clock: Clock,
    delivery: Delivery,
) -> None:
    """ "Acknowledge" beside a waiting update: as on its post (stored once, the post edited,
    the PM told); the Home tab, shown again, no longer lists it."""
    ack()
    actor, update_id = payload.sender(body), payload.button_id(body, "status update")
    delivery.perform(partial(acknowledgements.acknowledge, actor=actor, update_id=update_id))
    refresh_home(client=client, db=db, team_id=actor.team_id, user_id=actor.user_id, now=clock())


def home_view(home: Home, setup: SetupProgress | None = None) -> dict[str, Any]:
    """The Home tab's view (at most 94 blocks with the setup checklist, within Slack's 100)."""
    blocks: list[Any] = [
        HeaderBlock(text="Your PMO"),
        *(setup_checklist.checklist_blocks(setup) if setup else []),
        _buttons(),
        *_project_blocks(home, SHOWN),
        *(_load_blocks(home.load, home.threshold) if home.load else []),
        *_decision_blocks(home.awaiting, SHOWN),
        *_risk_blocks(home, SHOWN),
        *(_goal_blocks(home.goals) if home.goals else []),
    ]
    return View(type="home", blocks=blocks).to_dict()


def leader_view(home: LeaderHome, setup: SetupProgress | None = None) -> dict[str, Any]:
    """A leader's Home tab: the setup checklist while setup is unfinished (`setup`), the
    portfolio's colours and what needs attention, as much of it as fits in Slack's 100
    blocks (then "and N more"), what waits for them, and their own goals, projects, load
    and risks when they have some."""
    own = home.own
    rest = [
        *(_goal_blocks(own.goals) if own.goals else []),
        *_acknowledgement_blocks(home.acknowledgements),
        *_decision_blocks(home.awaiting, LEADER_SHOWN),
        *(_project_blocks(own, LEADER_SHOWN) if own.projects else []),
        *(_load_blocks(own.load, own.threshold) if own.load and _allocated(own.load) else []),
        *(_risk_blocks(own, LEADER_SHOWN) if own.risks else []),
    ]
    top = [
        HeaderBlock(text="Your PMO · the portfolio"),
        *(setup_checklist.checklist_blocks(setup) if setup else []),
        _buttons(),
        *_colour_blocks(home),
    ]
    room = HOME_BLOCKS_MAX - len(top) - len(rest)
    blocks = [*top, *_attention_blocks(home, room), *rest]
    return View(type="home", blocks=blocks).to_dict()


def _buttons() -> ActionsBlock:
    return ActionsBlock(
        elements=[
            ButtonElement(text="New project", action_id=NEW_PROJECT_ACTION),
            ButtonElement(text="Raise a risk", action_id=RAISE_RISK_ACTION),
        ]
    )


def _colour_blocks(home: LeaderHome) -> list[Any]:
    counts = home.counts
    shown = [(RAG_EMOJI[rag], rag.label, counts[rag.value]) for rag in Rag]
    shown.append((NO_UPDATE_EMOJI, "No update yet", counts["none"]))
    total = sum(counts.values())
    colours = " · ".join(f"{emoji} {label} *{n}*" for emoji, label, n in shown)
    text = f"*{count(total, 'active project')}*\n{colours}"
    return [DividerBlock(), SectionBlock(text=text)]


def _attention_blocks(home: LeaderHome, room: int) -> list[Any]:
    # One section per project, as many as `room` allows with the title and the last note.
    attention = home.attention
    warnings = len(attention.warnings)
    title = f"*Needs attention* ({warnings})" if warnings else "*Needs attention*: nothing now."
    blocks: list[Any] = [DividerBlock(), SectionBlock(text=title)]
    items = attention.items
    fits = max(room - len(blocks), 0)
    if len(items) > fits:
        fits = max(fits - 1, 0)
    for item in items[:fits]:
        text = attention_line(item, attention.today)
        blocks.append(SectionBlock(text=mrkdwn.fit(text, 3000)))
    if len(items) > fits:
        more = len(items) - fits
        blocks.append(_note(f"…and {more} more, less severe."))
    return blocks


def _acknowledgement_blocks(pending: list[PendingAcknowledgement]) -> list[Any]:
    blocks: list[Any] = [
        DividerBlock(),
        SectionBlock(text=f"*Waiting for your acknowledgement* ({len(pending)})"),
    ]
    for item in pending[:LEADER_SHOWN]:
        project, update = item.project, item.update
        rag = Rag(update.overall)
        where = f" in {mrkdwn.channel(project.channel_id)}" if project.channel_id else ""
        text = (
            f"{RAG_EMOJI[rag]} *{project.key}* {mrkdwn.escape(project.name)} · "
            f"{rag.label.lower()}, posted {mrkdwn.day(item.posted)} by "
            f"{mrkdwn.mention(update.author)}{where}: “{mrkdwn.quoted(update.summary, 150)}”"
        )
        blocks.append(SectionBlock(text=mrkdwn.fit(text, 3000)))
        blocks.append(
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text="Acknowledge",
                        action_id=ACKNOWLEDGE_ACTION,
                        value=str(update.id),
                        style="primary",
                    ),
                    ButtonElement(text="Comment", action_id=COMMENT_ACTION, value=str(update.id)),
                ]
            )
        )
    blocks += _rest(len(pending), LEADER_SHOWN, "No red or amber update is waiting for you.")
    return blocks


def _decision_blocks(awaiting: list[tuple[Gate, Project]], shown: int) -> list[Any]:
    blocks: list[Any] = [
        DividerBlock(),
        SectionBlock(text=f"*Waiting for your decision* ({len(awaiting)})"),
    ]
    blocks += [_gate_block(gate, project) for gate, project in awaiting[:shown]]
    blocks += _rest(len(awaiting), shown, "No gate is waiting for you.")
    return blocks


def _rest(total: int, shown: int, none: str) -> list[Any]:
    # The note under a capped list: what was left out, or that there is nothing.
    if not total:
        return [_note(none)]
    if total > shown:
        return [_note(f"…and {total - shown} more.")]
    return []


def _note(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=text)])


def _project_blocks(home: Home, shown: int) -> list[Any]:
    blocks: list[Any] = [
        DividerBlock(),
        SectionBlock(text=f"*Your projects* ({len(home.projects)})"),
    ]
    for item in home.projects[:shown]:
        rag = RAG_EMOJI[item.rag] if item.rag else ":black_circle:"
        state = (
            " · :alarm_clock: update overdue"
            if item.overdue
            else " · update due"
            if item.due
            else ""
        )
        project = item.project
        name, phase = mrkdwn.escape(project.name), mrkdwn.escape(project.phase)
        text = f"{rag} *{project.key}* {name} · {phase}{state}"
        accessory = (
            ButtonElement(text="Post update", action_id=POST_STATUS_ACTION, value=item.project.key)
            if item.due
            else None
        )
        blocks.append(SectionBlock(text=mrkdwn.fit(text, 3000), accessory=accessory))
    return blocks + _rest(
        len(home.projects), shown, "You are on no project yet. `/pmo list` shows them all."
    )


def _load_blocks(load: PersonLoad, threshold: int) -> list[Any]:
    # The weeks on one line, each as a share of the person's capacity, the weeks over it
    # marked; then what the marks mean, or that nothing is allocated yet.
    weeks = " · ".join(
        week_words(week, threshold) + (" *over*" if week.over(threshold) else "")
        for week in load.weeks
    )
    week = f"{hours(load.person.capacity_hours)} a week"
    over = len(load.over_weeks(threshold))
    if over:
        note = (
            f"{week}. *over*: the plan asks more of you than you have in "
            f"{count(over, 'week')}. `/capacity` shows who asks what; question an "
            "allocation there."
        )
    elif _allocated(load):
        note = f"{week}. `/capacity` shows your allocations."
    else:
        note = f"{week}; nothing is allocated to you in these weeks."
    return [DividerBlock(), SectionBlock(text=f"*Your load*\n{weeks}"), _note(note)]


def _allocated(load: PersonLoad) -> bool:
    return any(week.allocated for week in load.weeks)


def _gate_block(gate: Gate, project: Project) -> SectionBlock:
    where = f" in {mrkdwn.channel(project.channel_id)}" if project.channel_id else ""
    return SectionBlock(
        text=f":hourglass: *{gate_label(gate, project)}* "
        f"{mrkdwn.escape(gate.from_phase)} → {mrkdwn.escape(gate.to_phase)}, "
        f"requested by {mrkdwn.mention(gate.requested_by)}{where}"
    )


def _risk_blocks(home: Home, shown: int) -> list[Any]:
    blocks: list[Any] = [DividerBlock(), SectionBlock(text=f"*Risks you own* ({len(home.risks)})")]
    for risk, project, band in home.risks[:shown]:
        label = risk_label(risk, project)
        text = f"{SEVERITY_EMOJI[band]} *{label}* {risk.score} · {mrkdwn.escape(risk.title)}"
        blocks.append(SectionBlock(text=mrkdwn.fit(text, 3000)))
    return blocks + _rest(len(home.risks), shown, "You own no open risk.")


def _goal_blocks(goals: list[GoalHealth]) -> list[Any]:
    blocks: list[Any] = [DividerBlock(), SectionBlock(text=f"*Goals you own* ({len(goals)})")]
    for health in goals[:GOALS_SHOWN]:
        blocks.append(SectionBlock(text=mrkdwn.fit(goal_summary(health), 3000)))
    return blocks + _rest(len(goals), GOALS_SHOWN, "")


# Which view a Home is shown with (and the setup checklist, if any).
VIEWS: dict[type, Callable[[Any, SetupProgress | None], dict[str, Any]]] = {
    Home: home_view,
    LeaderHome: leader_view,
}


def new_project(ack: Ack, body: dict[str, Any], client: WebClient, db: Database) -> None:
    """ "New project": the same form as `/pmo new`."""
    ack()
    who = payload.sender(body)
    view = new_project_form(db=db, team_id=who.team_id, user_id=who.user_id)
    client.views_open(trigger_id=payload.trigger_id(body), view=view)


def raise_risk(ack: Ack, body: dict[str, Any], client: WebClient, db: Database) -> None:
    """ "Raise a risk": the same form as `/risk`."""
    ack()
    who = payload.sender(body)
    with db.reading() as session:
        view = risk_form_for(session, who)
    client.views_open(trigger_id=payload.trigger_id(body), view=view)
