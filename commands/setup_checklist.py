"""The setup checklist atop the App Home of whoever may change the settings, while a new
workspace still lacks a digest channel, a time zone, a first project or a PMO lead: each
step done or not, with the button and the command that does it.

Its buttons open the same forms as `/pmo settings` and `/pmo new`, saved the same way,
under callback ids of their own so that the Home tab is shown again once saved (the
step ticked off, or the list gone).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.models.blocks import (
    ButtonElement,
    ContextBlock,
    DividerBlock,
    MarkdownTextObject,
    SectionBlock,
)

from commands import mrkdwn, payload, pmo
from commands.context import Clock, Delivery
from storage.db import Database
from workflows.workspace_setup import SetupProgress, SetupStep

OPEN_SETTINGS_ACTION = "setup.open_settings"
NEW_PROJECT_ACTION = "setup.new_project"
SAVE_SETTINGS_CALLBACK = "setup.settings_save"
SAVE_PROJECT_CALLBACK = "setup.project_save"
# commands/home.py's refresh_home (home shows this list, so it is handed in, not imported).
RefreshHome = Callable[..., None]
DONE_EMOJI = ":white_check_mark:"
TO_DO_EMOJI = ":white_large_square:"
# What each step is, why it matters, and the command that does it.
STEPS: dict[SetupStep, tuple[str, str, str]] = {
    SetupStep.DIGEST_CHANNEL: (
        "Digest channel",
        "until one is set, the Monday digest goes nowhere",
        "/pmo settings",
    ),
    SetupStep.TIME_ZONE: (
        "Time zone",
        "the digest's hour and the weeks' boundaries",
        "/pmo settings",
    ),
    SetupStep.FIRST_PROJECT: (
        "First project",
        "with its PM, sponsor, approvers and home channel",
        "/pmo new",
    ),
    SetupStep.PMO_LEADS: (
        "PMO leads",
        "who may change these settings besides Slack's admins",
        "/pmo settings",
    ),
}


def register(app: App, refresh_home: RefreshHome) -> None:
    """Attach the checklist's buttons, and its forms' saving followed by `refresh_home`."""
    app.action(OPEN_SETTINGS_ACTION)(open_settings)
    app.action(NEW_PROJECT_ACTION)(new_project)

    def save_settings(
        ack: Ack,
        body: dict[str, Any],
        view: dict[str, Any],
        client: WebClient,
        db: Database,
        clock: Clock,
    ) -> None:
        """Saved as from `/pmo settings`; then the Home tab, shown again."""
        pmo.save_settings(ack, body, view, client, db, clock)
        _refresh(refresh_home, body, client, db, clock)

    def save_project(
        ack: Ack,
        body: dict[str, Any],
        view: dict[str, Any],
        client: WebClient,
        db: Database,
        clock: Clock,
        delivery: Delivery,
    ) -> None:
        """Created as from `/pmo new`; then the Home tab, shown again."""
        pmo.save_project(ack, body, view, delivery)
        _refresh(refresh_home, body, client, db, clock)

    app.view(SAVE_SETTINGS_CALLBACK)(save_settings)
    app.view(SAVE_PROJECT_CALLBACK)(save_project)


def _refresh(
    refresh_home: RefreshHome, body: dict[str, Any], client: WebClient, db: Database, clock: Clock
) -> None:
    who = payload.sender(body)
    refresh_home(client=client, db=db, team_id=who.team_id, user_id=who.user_id, now=clock())


def checklist_blocks(progress: SetupProgress) -> list[Any]:
    """The checklist (seven blocks): a title with how many steps are done, one line per
    step, and who sees it. Empty once every step is done."""
    done = progress.done
    if all(done.values()):
        return []
    count = sum(done.values())
    blocks: list[Any] = [
        SectionBlock(text=f"*Set up pmo-bot* ({count} of {len(done)} done)"),
    ]
    for step, finished in done.items():
        blocks.append(_step_block(step, finished, progress))
    blocks.append(
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="Only PMO leads and Slack admins see this list; "
                    "it goes away once every step is done."
                )
            ]
        )
    )
    blocks.append(DividerBlock())
    return blocks


def _step_block(step: SetupStep, finished: bool, progress: SetupProgress) -> SectionBlock:
    title, why, command = STEPS[step]
    if finished:
        return SectionBlock(text=f"{DONE_EMOJI} *{title}*: {_current(step, progress)}")
    action = NEW_PROJECT_ACTION if step is SetupStep.FIRST_PROJECT else OPEN_SETTINGS_ACTION
    label = "New project" if step is SetupStep.FIRST_PROJECT else "Open settings"
    return SectionBlock(
        text=f"{TO_DO_EMOJI} *{title}*: {why}. `{command}`",
        accessory=ButtonElement(text=label, action_id=action, value=step.value),
    )


def _current(step: SetupStep, progress: SetupProgress) -> str:
    # What is set, shown beside a step that is done.
    if step is SetupStep.DIGEST_CHANNEL:
        return mrkdwn.channel(progress.digest_channel)
    if step is SetupStep.TIME_ZONE:
        return mrkdwn.escape(progress.time_zone)
    if step is SetupStep.PMO_LEADS:
        return mrkdwn.fit(mrkdwn.mentions(progress.pmo_leads), 2000)
    return "done"


def open_settings(ack: Ack, body: dict[str, Any], client: WebClient, db: Database) -> None:
    """ "Open settings": the same form as `/pmo settings` (refused, as there, to someone
    who may not change the settings)."""
    ack()
    pmo.open_settings_form(
        client=client,
        db=db,
        actor=payload.sender(body),
        trigger_id=payload.trigger_id(body),
        callback_id=SAVE_SETTINGS_CALLBACK,
    )


def new_project(ack: Ack, body: dict[str, Any], client: WebClient, db: Database) -> None:
    """ "New project": the same form as `/pmo new`."""
    ack()
    who = payload.sender(body)
    view = pmo.new_project_form(db=db, team_id=who.team_id, user_id=who.user_id)
    view = {**view, "callback_id": SAVE_PROJECT_CALLBACK}
    client.views_open(trigger_id=payload.trigger_id(body), view=view)
