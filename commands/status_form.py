"""The `/status` form: a project picker and the update, prefilled from the last one."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from slack_sdk.models.blocks import (
    ContextBlock,
    DividerBlock,
    InputBlock,
    MarkdownTextObject,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    StaticSelectElement,
)

from commands import payload
from commands.block_cache import built_once, view_dict, with_initial_value
from commands.labels import DIMENSION_LABELS, RAG_EMOJI, TEAM_CAPACITY_LABELS
from commands.project_picker import ProjectChoice, project_picker
from commands.view_state import ViewState, metadata_text, pack_metadata
from storage.models import Rag, TeamCapacity
from workflows.money import TYPED_MAX, NotMoney, format_money, parse_money
from workflows.status import DIMENSIONS, TEXT_MAX, StatusDraft

CALLBACK_ID = "status.save"
PROJECT = "status_project"
PROJECT_ACTION = "status.project"
OVERALL = "overall"
PERCENT = "percent_complete"
SUMMARY = "summary"
ACCOMPLISHMENTS = "accomplishments"
NEXT_STEPS = "next_steps"
BLOCKERS = "blockers"
PATH = "path_to_green"
SPENT = "spent_to_date"
FORECAST = "forecast_at_completion"
TEAM_CAPACITY = "team_capacity"
RAGS = [rag.value for rag in Rag]
TEAM_CAPACITIES = [capacity.value for capacity in TeamCapacity]


def rag_option(rag: Rag) -> Option:
    """A RAG colour as a select option: emoji and words."""
    return Option(value=rag.value, label=f"{RAG_EMOJI[rag]} {rag.label}")


def status_modal(
    *,
    choices: list[ProjectChoice],
    selected: ProjectChoice | None,
    draft: StatusDraft | None,
    budget: Decimal | None = None,
    dimensions: tuple[str, ...] = DIMENSIONS,
) -> dict[str, Any]:
    """The form; with a project selected, prefilled from its last update (`draft`), asking
    the `dimensions` its type asks."""
    blocks = [
        *_project_blocks(choices, selected, draft, budget),
        _divider(),
        *_rag_blocks(draft, dimensions),
        _team_capacity_block(draft),
        *_detail_blocks(draft),
    ]
    return view_dict(
        blocks,
        type="modal",
        callback_id=CALLBACK_ID,
        title="Status update",
        submit="Post update",
        close="Cancel",
        private_metadata=pack_metadata(key=selected.key if selected else None),
    )


def _project_blocks(
    choices: list[ProjectChoice],
    selected: ProjectChoice | None,
    draft: StatusDraft | None,
    budget: Decimal | None,
) -> list[Any]:
    # The picker, and once a project is chosen, what the form was prefilled from.
    blocks: list[Any] = [_picker(tuple(choices), selected)]
    if selected is not None:
        note = (
            "Prefilled from the last update: change what moved, then post."
            if draft
            else "First update for this project."
        )
        if budget is not None:
            note += f" Approved budget: {format_money(budget)}."
        blocks.append(_note(note))
    return blocks


@built_once
def _picker(choices: tuple[ProjectChoice, ...], selected: ProjectChoice | None) -> InputBlock:
    return project_picker(
        list(choices), selected, block_id=PROJECT, action_id=PROJECT_ACTION, refills=True
    )


@built_once
def _note(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=text)])


@built_once
def _divider() -> DividerBlock:
    return DividerBlock()


def _rag_blocks(draft: StatusDraft | None, dimensions: tuple[str, ...]) -> list[dict[str, Any]]:
    # Overall as radio buttons (one click), each dimension the project's type asks as a select.
    blocks = [_overall_block(draft.overall if draft else Rag.GREEN)]
    for name in dimensions:
        blocks.append(_dimension_block(name, getattr(draft, name) if draft else Rag.GREEN))
    return blocks


@built_once
def _overall_block(overall: Rag) -> InputBlock:
    return InputBlock(
        block_id=OVERALL,
        label="Overall",
        element=RadioButtonsElement(
            action_id=OVERALL,
            options=[rag_option(r) for r in Rag],
            initial_option=rag_option(overall),
        ),
    )


@built_once
def _dimension_block(name: str, value: Rag) -> InputBlock:
    return InputBlock(
        block_id=name,
        label=DIMENSION_LABELS[name],
        element=StaticSelectElement(
            action_id=name,
            options=[rag_option(r) for r in Rag],
            initial_option=rag_option(value),
        ),
    )


def _team_capacity_block(draft: StatusDraft | None) -> dict[str, Any]:
    # Optional: a PM who does not say leaves it out of the post and the digest.
    return _capacity_block(draft.team_capacity if draft else None)


@built_once
def _capacity_block(said: TeamCapacity | None) -> InputBlock:
    options = [_capacity_option(capacity) for capacity in TeamCapacity]
    return InputBlock(
        block_id=TEAM_CAPACITY,
        label="Team capacity for the next two weeks",
        optional=True,
        element=StaticSelectElement(
            action_id=TEAM_CAPACITY,
            placeholder="Enough, stretched or short?",
            options=options,
            initial_option=_capacity_option(said) if said else None,
        ),
    )


def _capacity_option(capacity: TeamCapacity) -> Option:
    return Option(value=capacity.value, label=TEAM_CAPACITY_LABELS[capacity])


def _detail_blocks(draft: StatusDraft | None) -> list[dict[str, Any]]:
    # Progress, the texts and the money, prefilled from `draft` when there is one.
    percent = draft.percent_complete if draft else None
    return [
        with_initial_value(_percent_block(), str(percent) if percent is not None else None),
        _text(SUMMARY, "Summary", draft.summary if draft else "", optional=False),
        _text(ACCOMPLISHMENTS, "Accomplishments", draft.accomplishments if draft else ""),
        _text(NEXT_STEPS, "Next steps", draft.next_steps if draft else ""),
        _text(BLOCKERS, "Blockers", draft.blockers if draft else "", hint="One per line."),
        _text(
            PATH,
            "Path to green",
            draft.path_to_green if draft else "",
            hint="Required when the project is at risk or off track.",
        ),
        _money(SPENT, "Spent to date", draft.spent_to_date if draft else None),
        _money(FORECAST, "Forecast at completion", draft.forecast_at_completion if draft else None),
    ]


@built_once
def _percent_block() -> InputBlock:
    return InputBlock(
        block_id=PERCENT,
        label="Percent complete",
        optional=True,
        element=NumberInputElement(action_id=PERCENT, is_decimal_allowed=False),
    )


def _text(
    block_id: str, label: str, value: str, optional: bool = True, hint: str | None = None
) -> dict[str, Any]:
    return with_initial_value(_text_block(block_id, label, optional, hint), value[:TEXT_MAX])


@built_once
def _text_block(block_id: str, label: str, optional: bool, hint: str | None) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=label,
        optional=optional,
        hint=hint,
        element=PlainTextInputElement(action_id=block_id, multiline=True, max_length=TEXT_MAX),
    )


def _money(block_id: str, label: str, value: Decimal | None) -> dict[str, Any]:
    typed = format_money(value) if value is not None else None
    return with_initial_value(_money_block(block_id, label), typed)


@built_once
def _money_block(block_id: str, label: str) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=label,
        optional=True,
        hint="An amount such as 120000, 120,000 or 120k.",
        element=PlainTextInputElement(action_id=block_id, max_length=TYPED_MAX),
    )


def selected_key(view: dict[str, Any]) -> str | None:
    """The project picked in the form (or fixed when it was opened)."""
    # The project is looked up (and the person's right to post checked) by the caller.
    return ViewState(view).option(PROJECT, None) or metadata_text(view, "key")


def read_status_form(view: dict[str, Any]) -> tuple[StatusDraft, dict[str, str]]:
    """The update as entered, and the fields that could not even be read."""
    state = ViewState(view)
    errors: dict[str, str] = {}
    percent: int | None = None
    if state.text(PERCENT):
        try:
            percent = payload.whole_number(state.text(PERCENT))
        except ValueError:
            errors[PERCENT] = "Percent complete is a whole number from 0 to 100."
    amounts: dict[str, Decimal | None] = {}
    for name in (SPENT, FORECAST):
        amounts[name] = None
        if state.text(name):
            try:
                amounts[name] = parse_money(state.text(name))
            except NotMoney as exc:
                errors[name] = str(exc)
    overall = Rag(state.option(OVERALL, RAGS) or Rag.GREEN)
    # A dimension the project's type does not ask takes the overall colour.
    dimensions = {name: Rag(state.option(name, RAGS) or overall) for name in DIMENSIONS}
    capacity = state.option(TEAM_CAPACITY, TEAM_CAPACITIES)
    draft = StatusDraft(
        overall=overall,
        summary=state.text(SUMMARY),
        percent_complete=percent,
        accomplishments=state.text(ACCOMPLISHMENTS),
        next_steps=state.text(NEXT_STEPS),
        blockers=state.text(BLOCKERS),
        path_to_green=state.text(PATH),
        spent_to_date=amounts[SPENT],
        forecast_at_completion=amounts[FORECAST],
        team_capacity=TeamCapacity(capacity) if capacity else None,
        **dimensions,
    )
    return draft, errors
