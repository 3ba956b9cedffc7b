"""Block Kit built once: the same dict as slack_sdk builds, never shared between callers."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import DividerBlock, InputBlock, PlainTextInputElement
from slack_sdk.models.views import View

from commands.block_cache import VIEW_BLOCKS_MAX, built_once, view_dict, with_initial_value

built: list[str] = []


@built_once
def note_block(label: str) -> InputBlock:
    built.append(label)
    return InputBlock(block_id="note", label=label, element=PlainTextInputElement(action_id="note"))


def test_a_block_is_built_once_per_arguments_and_each_caller_gets_its_own_copy() -> None:
    first = with_initial_value(note_block("Note"), "typed")
    second = note_block("Note")
    other = note_block("Other")

    assert built.count("Note") == 1 and built.count("Other") == 1
    assert first["element"]["initial_value"] == "typed"
    assert "initial_value" not in second["element"]
    assert (
        second
        == InputBlock(
            block_id="note", label="Note", element=PlainTextInputElement(action_id="note")
        ).to_dict()
    )
    assert other["label"]["text"] == "Other"


def test_a_bad_block_fails_when_built_as_slack_sdk_would() -> None:
    with pytest.raises(SlackObjectFormationError):
        note_block("x" * 2001)  # labels hold at most 2,000 characters


def test_view_dict_matches_slack_sdk_and_keeps_its_limits() -> None:
    blocks = [DividerBlock(), note_block("Note")]
    fields = {"type": "modal", "callback_id": "c", "title": "Form", "submit": "Save"}

    assert view_dict(blocks, **fields) == View(blocks=blocks, **fields).to_dict()
    assert view_dict(blocks, private_metadata="k=1", **fields) == (
        View(blocks=blocks, private_metadata="k=1", **fields).to_dict()
    )
    with pytest.raises(ValueError, match="private_metadata"):
        view_dict(blocks, private_metadata="x" * 3001, **fields)
    with pytest.raises(ValueError, match="1 to 100 blocks"):
        view_dict([DividerBlock()] * (VIEW_BLOCKS_MAX + 1), **fields)
    with pytest.raises(ValueError):
        view_dict([], **fields)
    with pytest.raises(SlackObjectFormationError):
        view_dict(blocks, **{**fields, "title": "t" * 25})  # titles hold 24
