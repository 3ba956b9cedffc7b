"""The goal forms: "New goal" / "Edit GOAL" (building them and reading them back), and
"Check in GOAL" for the measure's latest value."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DatePickerElement,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from commands import goal_message
from commands.view_state import ViewState, metadata_text, pack_metadata
from storage.models import Goal
from workflows.goals import MEASURE_MAX, NOTE_MAX, TITLE_MAX, UNIT_MAX, GoalDraft
from workflows.markup import unescape

GOAL_CALLBACK = "goal.save"
CHECKIN_CALLBACK = "goal.checkin_save"

# Block ids double as the field names workflows/goals.py uses in its errors.
KEY = "key"
TITLE = "title"
OWNER = "owner"
TARGET_DATE = "target_date"
MEASURE = "measure"
UNIT = "unit"
BASELINE = "baseline"
TARGET = "target"
VALUE = "value"
NOTE = "note"
NUMBER_TYPED_MAX = 40


def goal_modal(*, owner: str, draft: GoalDraft | None = None) -> dict[str, Any]:
    """The form to create a goal (its owner preset to `owner`), or to change one when
    `draft` is the goal as it is."""
    blocks: list[Block] = [
        _key_block(draft),
        InputBlock(
            block_id=TITLE,
            label="Title",
            hint="What the organisation wants, e.g. Keep our customers.",
            element=PlainTextInputElement(
                action_id=TITLE, max_length=TITLE_MAX, initial_value=draft.title if draft else None
            ),
        ),
        InputBlock(
            block_id=OWNER,
            label="Owner",
            hint="The leader who answers for it and checks in its measure.",
            element=UserSelectElement(
                action_id=OWNER, initial_user=draft.owner if draft else owner
            ),
        ),
        InputBlock(
            block_id=TARGET_DATE,
            label="Target date",
            optional=True,
            element=DatePickerElement(
                action_id=TARGET_DATE,
                initial_date=draft.target_date.isoformat() if draft and draft.target_date else None,
            ),
        ),
        _text(MEASURE, "Measure", draft and draft.measure, MEASURE_MAX, "e.g. Monthly churn"),
        _text(UNIT, "Unit", draft and draft.unit, UNIT_MAX, "e.g. %, customers, days"),
        _text(BASELINE, "Baseline", draft and draft.baseline, NUMBER_TYPED_MAX, "Now, e.g. 8 %"),
        _text(TARGET, "Target", draft and draft.target, NUMBER_TYPED_MAX, "To reach, e.g. 5 %"),
    ]
    return View(
        type="modal",
        callback_id=GOAL_CALLBACK,
        title=f"Edit {draft.key}" if draft else "New goal",
        submit="Save" if draft else "Create",
        close="Cancel",
        blocks=blocks,
        private_metadata=pack_metadata(key=draft.key if draft else None),
    ).to_dict()


def _key_block(draft: GoalDraft | None) -> Block:
    # A new goal asks for its key; a goal being changed only shows it (a key never changes).
    if draft is not None:
        note = f"Key *{draft.key}* (a key never changes). A measure is optional: its name, "
        note += "baseline and target go together."
        return ContextBlock(elements=[MarkdownTextObject(text=note)])
    return InputBlock(
        block_id=KEY,
        label="Key",
        hint="2 to 10 letters or digits, e.g. CHURN. Commands use it: /goal CHURN",
        element=PlainTextInputElement(action_id=KEY, max_length=10, min_length=2),
    )


def _text(block_id: str, label: str, value: str | None, limit: int, hint: str) -> InputBlock:
    # An optional line of text, prefilled when there is something.
    return InputBlock(
        block_id=block_id,
        label=label,
        hint=hint,
        optional=True,
        element=PlainTextInputElement(
            action_id=block_id, max_length=limit, initial_value=value or None
        ),
    )


def editing_key(view: dict[str, Any]) -> str | None:
    """The key of the goal being changed, or None for a new goal."""
    return metadata_text(view, "key")


def read_goal_form(view: dict[str, Any]) -> GoalDraft:
    """The goal the person entered (the rules in workflows/goals.py check it)."""
    state = ViewState(view)
    return GoalDraft(
        key=editing_key(view) or state.text(KEY),
        title=state.text(TITLE),
        owner=state.user(OWNER),
        target_date=state.date(TARGET_DATE),
        measure=state.text(MEASURE),
        unit=state.text(UNIT),
        baseline=state.text(BASELINE),
        target=state.text(TARGET),
    )


def checkin_modal(goal: Goal) -> dict[str, Any]:
    """The form for the measure's latest value, and a note on what moved it."""
    measure = goal_message.measure_line(goal, None, None).removesuffix(" · no check-in yet")
    return View(
        type="modal",
        callback_id=CHECKIN_CALLBACK,
        title=f"Check in {goal.key}",
        submit="Check in",
        close="Cancel",
        blocks=[
            InputBlock(
                block_id=VALUE,
                label="Latest value",
                hint=unescape(measure.replace("*", "")),
                element=PlainTextInputElement(action_id=VALUE, max_length=NUMBER_TYPED_MAX),
            ),
            InputBlock(
                block_id=NOTE,
                label="Note",
                hint="What moved it, for the digest and whoever reads the goal.",
                optional=True,
                element=PlainTextInputElement(action_id=NOTE, multiline=True, max_length=NOTE_MAX),
            ),
        ],
        private_metadata=pack_metadata(key=goal.key),
    ).to_dict()


def read_checkin_form(view: dict[str, Any]) -> tuple[str | None, str, str]:
    """The goal's key, the value and the note the person entered."""
    state = ViewState(view)
    return editing_key(view), state.text(VALUE), state.text(NOTE)
