"""The form that promotes a retro item to a lesson learned."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import InputBlock, PlainTextInputElement
from slack_sdk.models.views import View

from commands.view_state import ViewState, pack_metadata
from workflows.lessons import (
    RECOMMENDATION,
    TAGS,
    TEXT_MAX,
    TITLE,
    TITLE_MAX,
    WHAT_HAPPENED,
    LessonAsk,
    LessonDraft,
)

CALLBACK_ID = "retro.lesson_save"


def lesson_modal(asked: LessonAsk) -> dict[str, Any]:
    """Title, what happened (prefilled from the item), the recommendation and tags."""
    return View(
        type="modal",
        callback_id=CALLBACK_ID,
        title="Promote to a lesson",
        submit="Save",
        close="Cancel",
        blocks=[
            InputBlock(
                block_id=TITLE,
                label="Title",
                element=PlainTextInputElement(action_id=TITLE, max_length=TITLE_MAX),
            ),
            InputBlock(
                block_id=WHAT_HAPPENED,
                label="What happened",
                element=PlainTextInputElement(
                    action_id=WHAT_HAPPENED,
                    multiline=True,
                    max_length=TEXT_MAX,
                    initial_value=asked.what_happened or None,
                ),
            ),
            InputBlock(
                block_id=RECOMMENDATION,
                label="Recommendation",
                element=PlainTextInputElement(
                    action_id=RECOMMENDATION, multiline=True, max_length=TEXT_MAX
                ),
            ),
            InputBlock(
                block_id=TAGS,
                label="Tags",
                optional=True,
                hint="Words that will find it again, such as vendor, contracts.",
                element=PlainTextInputElement(action_id=TAGS, max_length=300),
            ),
        ],
        private_metadata=pack_metadata(item_id=asked.item_id),
    ).to_dict()


def read_lesson_form(view: dict[str, Any]) -> LessonDraft:
    """The lesson as typed (checked by the workflow)."""
    state = ViewState(view)
    return LessonDraft(
        state.text(TITLE), state.text(WHAT_HAPPENED), state.text(RECOMMENDATION), state.text(TAGS)
    )
