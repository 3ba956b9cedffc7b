"""The *Contribute* form of a retrospective: three optional texts and an anonymity box."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    CheckboxesElement,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
)
from slack_sdk.models.views import View

from commands import mrkdwn
from commands.view_state import ViewState, pack_metadata
from workflows.retros import TEXT_MAX, Contribution

CALLBACK_ID = "retro.contribute_save"
WENT_WELL, DID_NOT, IDEAS, ANONYMOUS = "went_well", "did_not", "ideas", "anonymous"
TITLE_MAX = 24


def contribute_modal(*, retro_id: int, label: str) -> dict[str, Any]:
    """The form for one retro (its id in the metadata); each text optional, at most
    1,000 characters, and a box to leave one's name off."""
    fields = [
        (WENT_WELL, "What went well?"),
        (DID_NOT, "What didn't go well?"),
        (IDEAS, "Ideas to try"),
    ]
    blocks: list[Any] = [
        InputBlock(
            block_id=block_id,
            label=label_text,
            optional=True,
            element=PlainTextInputElement(action_id=block_id, multiline=True, max_length=TEXT_MAX),
        )
        for block_id, label_text in fields
    ]
    blocks += [
        InputBlock(
            block_id=ANONYMOUS,
            label="Your name",
            optional=True,
            element=CheckboxesElement(
                action_id=ANONYMOUS,
                options=[Option(text="Contribute anonymously", value=ANONYMOUS)],
            ),
        ),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="Anonymous items are stored with no name and only the date: nobody, "
                    "not even the PMO, can tell who wrote them."
                )
            ]
        ),
    ]
    return View(
        type="modal",
        callback_id=CALLBACK_ID,
        title=mrkdwn.fit(label, TITLE_MAX, note="…"),
        submit="Contribute",
        close="Cancel",
        private_metadata=pack_metadata(retro=retro_id),
        blocks=blocks,
    ).to_dict()


def read_contribution(view: dict[str, Any]) -> Contribution:
    """What the person entered, each value checked for the shape Slack gives it."""
    state = ViewState(view)
    return Contribution(
        went_well=state.text(WENT_WELL),
        did_not=state.text(DID_NOT),
        ideas=state.text(IDEAS),
        anonymous=ANONYMOUS in state.options(ANONYMOUS, {ANONYMOUS}),
    )


def thanks_view(label: str, anonymous: bool) -> dict[str, Any]:
    """What the form turns into once stored: no message is sent, so nothing records it."""
    said = "anonymously: your name is stored nowhere" if anonymous else "with your name"
    return View(
        type="modal",
        title="Thank you",
        close="Done",
        blocks=[
            ContextBlock(
                elements=[MarkdownTextObject(text=f"Your contribution to {label} is in, {said}.")]
            )
        ],
    ).to_dict()
