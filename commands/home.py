"""The App Home tab: your projects, what waits for your decision, the risks you own."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
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

from commands import mrkdwn, payload
from commands.context import Clock
from commands.labels import RAG_EMOJI, SEVERITY_EMOJI
from commands.pmo import new_project_form
from commands.risk import risk_form_for
from commands.status import update_again
from storage.db import Database
from workflows.gates import gate_label
from workflows.home import Home, home_for
from workflows.risks import risk_label

POST_STATUS_ACTION = "home.post_status"
NEW_PROJECT_ACTION = "home.new_project"
RAISE_RISK_ACTION = "home.raise_risk"


def register(app: App) -> None:
    """Attach the Home tab and its buttons."""
    app.event("app_home_opened")(publish_home)
    app.action(POST_STATUS_ACTION)(update_again)
    app.action(NEW_PROJECT_ACTION)(new_project)
    app.action(RAISE_RISK_ACTION)(raise_risk)


def publish_home(
    event: dict[str, Any], body: dict[str, Any], client: WebClient, db: Database, clock: Clock
) -> None:
    """Someone opened the Home tab: show them their PMO (Slack's retries just show it again)."""
    if event.get("tab") != "home":
        return
    team_id, user_id = payload.team_id(body), payload.event_user(event)
    with db.session() as session:
        home = home_for(session=session, team_id=team_id, user_id=user_id, now=clock())
    client.views_publish(user_id=user_id, view=home_view(home))


def home_view(home: Home) -> dict[str, Any]:
    """The Home tab's view (at most about 70 blocks, within Slack's 100)."""
    blocks: list[Any] = [
        HeaderBlock(text="Your PMO"),
        ActionsBlock(
            elements=[
                ButtonElement(text="New project", action_id=NEW_PROJECT_ACTION),
                ButtonElement(text="Raise a risk", action_id=RAISE_RISK_ACTION),
            ]
        ),
        *_project_blocks(home),
        *_awaiting_blocks(home),
        *_risk_blocks(home),
    ]
    return View(type="home", blocks=blocks).to_dict()


def _note(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=text)])


def _project_blocks(home: Home) -> list[Any]:
    blocks: list[Any] = [
        DividerBlock(),
        SectionBlock(text=f"*Your projects* ({len(home.projects)})"),
    ]
    if not home.projects:
        blocks.append(_note("You are on no project yet. `/pmo list` shows them all."))
    for item in home.projects:
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
    return blocks


def _awaiting_blocks(home: Home) -> list[Any]:
    blocks: list[Any] = [
        DividerBlock(),
        SectionBlock(text=f"*Waiting for your decision* ({len(home.awaiting)})"),
    ]
    for gate, project in home.awaiting:
        where = f" in {mrkdwn.channel(project.channel_id)}" if project.channel_id else ""
        blocks.append(
            SectionBlock(
                text=f":hourglass: *{gate_label(gate, project)}* "
                f"{mrkdwn.escape(gate.from_phase)} → {mrkdwn.escape(gate.to_phase)}, "
                f"requested by {mrkdwn.mention(gate.requested_by)}{where}"
            )
        )
    if not home.awaiting:
        blocks.append(_note("No gate is waiting for you."))
    return blocks


def _risk_blocks(home: Home) -> list[Any]:
    blocks: list[Any] = [DividerBlock(), SectionBlock(text=f"*Risks you own* ({len(home.risks)})")]
    for risk, project, band in home.risks:
        label = risk_label(risk, project)
        text = f"{SEVERITY_EMOJI[band]} *{label}* {risk.score} · {mrkdwn.escape(risk.title)}"
        blocks.append(SectionBlock(text=mrkdwn.fit(text, 3000)))
    if not home.risks:
        blocks.append(_note("You own no open risk."))
    return blocks


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
    with db.session() as session:
        view = risk_form_for(session, who)
    client.views_open(trigger_id=payload.trigger_id(body), view=view)
