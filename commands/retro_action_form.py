"""The forms of an improvement action: making one from a retro item, and closing one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.models.blocks import (
    ContextBlock,
    DatePickerElement,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from commands import mrkdwn
from commands.slack_person import NotAPerson, check_in_workspace
from commands.view_state import ViewState, pack_metadata
from storage.db import Database
from storage.models import RetroAction
from workflows.errors import InvalidInput
from workflows.retro_actions import (
    DUE_ON,
    OUTCOME,
    OUTCOME_MAX,
    OWNER,
    TITLE,
    TITLE_MAX,
    ActionAsk,
    ActionDraft,
)

MAKE_CALLBACK = "retro.action_save"
CLOSE_CALLBACK = "retro.action_close_save"


def action_modal(asked: ActionAsk) -> dict[str, Any]:
    """The action prefilled from the item, who owns it and when it is due."""
    return View(
        type="modal",
        callback_id=MAKE_CALLBACK,
        title="Make an action",
        submit="Save",
        close="Cancel",
        blocks=[
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text=f"From *{mrkdwn.escape(asked.project.key)}*'s retro "
                        f"#{asked.retro.number}."
                    )
                ]
            ),
            InputBlock(
                block_id=TITLE,
                label="Action",
                element=PlainTextInputElement(
                    action_id=TITLE, max_length=TITLE_MAX, initial_value=asked.title or None
                ),
            ),
            InputBlock(block_id=OWNER, label="Owner", element=UserSelectElement(action_id=OWNER)),
            InputBlock(
                block_id=DUE_ON,
                label="Due",
                element=DatePickerElement(action_id=DUE_ON, initial_date=asked.today.isoformat()),
            ),
        ],
        private_metadata=pack_metadata(item_id=asked.item_id),
    ).to_dict()


def read_action_form(view: dict[str, Any]) -> ActionDraft:
    """The action, owner and due date as submitted (checked by the workflow)."""
    state = ViewState(view)
    return ActionDraft(state.text(TITLE), state.user(OWNER) or "", state.date(DUE_ON))


def check_owner(client: WebClient, db: Database, team_id: str, user_id: str, now: datetime) -> None:
    """The owner must be a person of this workspace (not a bot, not gone): InvalidInput on
    `owner` otherwise. Their time zone is remembered, for their reminders."""
    refusal = check_in_workspace(client, db, team_id, user_id, now)
    if refusal is NotAPerson.UNKNOWN:
        raise InvalidInput({OWNER: "Slack knows no such person here."})
    if refusal is not None:
        raise InvalidInput({OWNER: "The owner must be a person of this workspace."})


def close_modal(action: RetroAction) -> dict[str, Any]:
    """Asks for the one-line outcome."""
    return View(
        type="modal",
        callback_id=CLOSE_CALLBACK,
        title="Close the action",
        submit="Close it",
        close="Cancel",
        blocks=[
            ContextBlock(elements=[MarkdownTextObject(text=mrkdwn.escape(action.title))]),
            InputBlock(
                block_id=OUTCOME,
                label="Outcome",
                hint="One line: what came of it.",
                element=PlainTextInputElement(action_id=OUTCOME, max_length=OUTCOME_MAX),
            ),
        ],
        private_metadata=pack_metadata(action_id=action.id),
    ).to_dict()
