"""The `/risk` form, and the small form that asks how a risk was resolved."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    DatePickerElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from commands.project_picker import ProjectChoice, project_picker
from commands.view_state import ViewState, metadata_id, metadata_text, pack_metadata
from storage.models import RiskKind
from workflows.risks import CATEGORIES, IMPACT, PROBABILITY, TEXT_MAX, TITLE_MAX, RiskDraft

CALLBACK_ID = "risk.save"
CLOSE_CALLBACK_ID = "risk.close_save"
PROJECT = "risk_project"
PROJECT_ACTION = "risk.project"
KIND = "kind"
TITLE = "title"
DESCRIPTION = "description"
PROBABILITY_FIELD = "probability"
IMPACT_FIELD = "impact"
CATEGORY = "category"
OWNER = "owner"
MITIGATION = "mitigation"
REVIEW = "review_date"
RESOLUTION = "resolution"

KIND_LABELS = {RiskKind.RISK: "Risk: it may happen", RiskKind.ISSUE: "Issue: it has happened"}
KINDS = [kind.value for kind in KIND_LABELS]
PROBABILITIES = [str(n) for n in PROBABILITY]
IMPACTS = [str(n) for n in IMPACT]


def scale_options(words: dict[int, str]) -> list[Option]:
    """`1 Rare` … `5 Almost certain`."""
    return [Option(value=str(n), label=f"{n} {word}") for n, word in words.items()]


def risk_modal(
    *, choices: list[ProjectChoice], selected: ProjectChoice | None, raiser: str
) -> dict[str, Any]:
    """The form to raise a risk or an issue, for the selected project or with a picker."""
    blocks: list[Any] = [
        project_picker(choices, selected, block_id=PROJECT, action_id=PROJECT_ACTION),
        *_what_blocks(),
        *_score_blocks(),
        *_handling_blocks(raiser),
    ]
    return View(
        type="modal",
        callback_id=CALLBACK_ID,
        title="Raise a risk",
        submit="Raise",
        close="Cancel",
        blocks=blocks,
        private_metadata=pack_metadata(key=selected.key if selected else None),
    ).to_dict()


def _what_blocks() -> list[InputBlock]:
    # What it is: risk or issue, its title and description.
    return [
        InputBlock(
            block_id=KIND,
            label="Kind",
            element=RadioButtonsElement(
                action_id=KIND,
                options=[Option(value=k.value, label=text) for k, text in KIND_LABELS.items()],
                initial_option=Option(value=RiskKind.RISK.value, label=KIND_LABELS[RiskKind.RISK]),
            ),
        ),
        InputBlock(
            block_id=TITLE,
            label="Title",
            element=PlainTextInputElement(action_id=TITLE, max_length=TITLE_MAX),
        ),
        InputBlock(
            block_id=DESCRIPTION,
            label="Description",
            optional=True,
            element=PlainTextInputElement(
                action_id=DESCRIPTION, multiline=True, max_length=TEXT_MAX
            ),
        ),
    ]


def _score_blocks() -> list[InputBlock]:
    # How likely and how bad, in words, and its category.
    return [
        InputBlock(
            block_id=PROBABILITY_FIELD,
            label="Probability",
            element=StaticSelectElement(
                action_id=PROBABILITY_FIELD, options=scale_options(PROBABILITY)
            ),
        ),
        InputBlock(
            block_id=IMPACT_FIELD,
            label="Impact",
            element=StaticSelectElement(action_id=IMPACT_FIELD, options=scale_options(IMPACT)),
        ),
        InputBlock(
            block_id=CATEGORY,
            label="Category",
            element=StaticSelectElement(
                action_id=CATEGORY,
                options=[Option(value=c, label=c) for c in CATEGORIES],
                initial_option=Option(value="Other", label="Other"),
            ),
        ),
    ]


def _handling_blocks(raiser: str) -> list[InputBlock]:
    # Who owns it, how it is mitigated, and when it is looked at again.
    return [
        InputBlock(
            block_id=OWNER,
            label="Owner",
            hint="Who watches it and acts on it.",
            element=UserSelectElement(action_id=OWNER, initial_user=raiser),
        ),
        InputBlock(
            block_id=MITIGATION,
            label="Mitigation",
            optional=True,
            element=PlainTextInputElement(
                action_id=MITIGATION, multiline=True, max_length=TEXT_MAX
            ),
        ),
        InputBlock(
            block_id=REVIEW,
            label="Review date",
            hint="Its owner is reminded if it is still open by then.",
            optional=True,
            element=DatePickerElement(action_id=REVIEW),
        ),
    ]


def selected_key(view: dict[str, Any]) -> str | None:
    """The project picked in the form (or fixed when it was opened)."""
    # The project is looked up (and the person's place on it checked) by the caller.
    return ViewState(view).option(PROJECT, None) or metadata_text(view, "key")


def read_risk_form(view: dict[str, Any]) -> RiskDraft:
    """The entry as described in the form."""
    state = ViewState(view)
    probability = state.option(PROBABILITY_FIELD, PROBABILITIES)
    impact = state.option(IMPACT_FIELD, IMPACTS)
    return RiskDraft(
        kind=RiskKind(state.option(KIND, KINDS) or RiskKind.RISK),
        title=state.text(TITLE),
        description=state.text(DESCRIPTION),
        probability=int(probability) if probability else None,
        impact=int(impact) if impact else None,
        category=state.option(CATEGORY, CATEGORIES) or "Other",
        owner=state.user(OWNER),
        mitigation=state.text(MITIGATION),
        review_date=state.date(REVIEW),
    )


def close_modal(*, risk_id: int, label: str, title: str) -> dict[str, Any]:
    """Asks how the risk was resolved before closing it."""
    return View(
        type="modal",
        callback_id=CLOSE_CALLBACK_ID,
        title=f"Close {label}"[:24],
        submit="Close it",
        close="Cancel",
        blocks=[
            InputBlock(
                block_id=RESOLUTION,
                label="Resolution",
                hint=f"How was “{title[:100]}” resolved?",
                element=PlainTextInputElement(
                    action_id=RESOLUTION, multiline=True, max_length=TEXT_MAX
                ),
            )
        ],
        private_metadata=pack_metadata(risk_id=risk_id),
    ).to_dict()


def closing_risk_id(view: dict[str, Any]) -> int | None:
    """Which risk the resolution form is about."""
    return metadata_id(view, "risk_id")


def read_resolution(view: dict[str, Any]) -> str:
    """The resolution note as typed."""
    return ViewState(view).text(RESOLUTION)
