"""The `/risk` form (to raise an entry, or to edit one from its card), and the small forms
that ask how a risk was resolved and when it is reviewed next."""

from __future__ import annotations

from datetime import date
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
from storage.models import Risk, RiskKind
from workflows.risks import (
    CATEGORIES,
    IMPACT,
    PROBABILITY,
    TEXT_MAX,
    TITLE_MAX,
    RiskDraft,
    is_scored,
)

CALLBACK_ID = "risk.save"
CLOSE_CALLBACK_ID = "risk.close_save"
EDIT_CALLBACK_ID = "risk.edit_save"
REVIEW_CALLBACK_ID = "risk.review_save"
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
DECIDED_BY = "decided_by"
OPTIONS = "options"
RATIONALE = "rationale"

KIND_LABELS = {
    RiskKind.RISK: "Risk: it may happen",
    RiskKind.ISSUE: "Issue: it has happened",
    RiskKind.ASSUMPTION: "Assumption: taken as true",
    RiskKind.DECISION: "Decision: it was decided",
}
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
        _kind_block(),
        *_what_blocks(None),
        *_score_blocks(None),
        *_handling_blocks(raiser, None),
        *_decision_blocks(None),
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


def _kind_block() -> InputBlock:
    # Risk, issue, assumption or decision: chosen when raised, kept when edited.
    return InputBlock(
        block_id=KIND,
        label="Kind",
        element=RadioButtonsElement(
            action_id=KIND,
            options=[Option(value=k.value, label=text) for k, text in KIND_LABELS.items()],
            initial_option=Option(value=RiskKind.RISK.value, label=KIND_LABELS[RiskKind.RISK]),
        ),
    )


def _what_blocks(risk: Risk | None) -> list[InputBlock]:
    # Its title and description (as they stand, when edited).
    return [
        InputBlock(
            block_id=TITLE,
            label="Title",
            element=PlainTextInputElement(
                action_id=TITLE, max_length=TITLE_MAX, initial_value=risk.title if risk else None
            ),
        ),
        _long_text(DESCRIPTION, "Description", risk.description if risk else ""),
    ]


def _score_blocks(risk: Risk | None) -> list[InputBlock]:
    # How likely and how bad, in words (risks and issues only), and its category.
    def initial(words: dict[int, str], value: int | None) -> Option | None:
        return Option(value=str(value), label=f"{value} {words[value]}") if value else None

    category = risk.category if risk else "Other"
    return [
        InputBlock(
            block_id=PROBABILITY_FIELD,
            label="Probability",
            optional=True,
            hint="Risks and issues only.",
            element=StaticSelectElement(
                action_id=PROBABILITY_FIELD,
                options=scale_options(PROBABILITY),
                initial_option=initial(PROBABILITY, risk.probability if risk else None),
            ),
        ),
        InputBlock(
            block_id=IMPACT_FIELD,
            label="Impact",
            optional=True,
            hint="Risks and issues only.",
            element=StaticSelectElement(
                action_id=IMPACT_FIELD,
                options=scale_options(IMPACT),
                initial_option=initial(IMPACT, risk.impact if risk else None),
            ),
        ),
        InputBlock(
            block_id=CATEGORY,
            label="Category",
            element=StaticSelectElement(
                action_id=CATEGORY,
                options=[Option(value=c, label=c) for c in CATEGORIES],
                initial_option=Option(value=category, label=category),
            ),
        ),
    ]


def _handling_blocks(raiser: str, risk: Risk | None) -> list[InputBlock]:
    # Who owns it, how it is mitigated, and when it is looked at again.
    owner = risk.owner if risk else raiser
    return [
        InputBlock(
            block_id=OWNER,
            label="Owner",
            hint="Who watches it and acts on it.",
            element=UserSelectElement(action_id=OWNER, initial_user=owner),
        ),
        _long_text(MITIGATION, "Mitigation", risk.mitigation if risk else ""),
        InputBlock(
            block_id=REVIEW,
            label="Review date",
            hint="Its owner is reminded if it is still open by then.",
            optional=True,
            element=DatePickerElement(
                action_id=REVIEW,
                initial_date=risk.review_date.isoformat() if risk and risk.review_date else None,
            ),
        ),
    ]


def _decision_blocks(risk: Risk | None) -> list[InputBlock]:
    # A decision's: who decided (the person recording it when left empty), the options
    # considered and the rationale.
    return [
        InputBlock(
            block_id=DECIDED_BY,
            label="Decided by",
            hint="Decisions only; you, when left empty.",
            optional=True,
            element=UserSelectElement(
                action_id=DECIDED_BY, initial_user=risk.decided_by if risk else None
            ),
        ),
        _long_text(OPTIONS, "Options considered", risk.options if risk else ""),
        _long_text(RATIONALE, "Rationale", risk.rationale if risk else ""),
    ]


def _long_text(block_id: str, label: str, initial: str) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=label,
        optional=True,
        element=PlainTextInputElement(
            action_id=block_id,
            multiline=True,
            max_length=TEXT_MAX,
            initial_value=initial or None,
        ),
    )


def edit_modal(*, risk: Risk, label: str) -> dict[str, Any]:
    """The form with the entry as it stands, to edit and re-score it; its kind stays."""
    assert risk.id is not None
    blocks: list[Any] = [*_what_blocks(risk)]
    if is_scored(risk.kind):
        blocks += _score_blocks(risk)
    else:
        blocks += _score_blocks(risk)[2:]  # the category only
    blocks += _handling_blocks(risk.owner or risk.raised_by, risk)
    if risk.kind == RiskKind.DECISION:
        blocks += _decision_blocks(risk)
    return View(
        type="modal",
        callback_id=EDIT_CALLBACK_ID,
        title=f"Edit {label}"[:24],
        submit="Save",
        close="Cancel",
        blocks=blocks,
        private_metadata=pack_metadata(risk_id=risk.id),
    ).to_dict()


def review_modal(*, risk_id: int, label: str, title: str, today: date) -> dict[str, Any]:
    """Asks for the entry's next review date (today or later)."""
    return View(
        type="modal",
        callback_id=REVIEW_CALLBACK_ID,
        title=f"Review {label}"[:24],
        submit="Save",
        close="Cancel",
        blocks=[
            InputBlock(
                block_id=REVIEW,
                label="Next review date",
                hint=f"When to look at “{title[:100]}” again.",
                element=DatePickerElement(action_id=REVIEW, initial_date=today.isoformat()),
            )
        ],
        private_metadata=pack_metadata(risk_id=risk_id),
    ).to_dict()


def edited_risk_id(view: dict[str, Any]) -> int | None:
    """Which entry the edit form (or the review date form) is about."""
    return metadata_id(view, "risk_id")


def read_review_date(view: dict[str, Any]) -> date | None:
    """The review date picked."""
    return ViewState(view).date(REVIEW)


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
        decided_by=state.user(DECIDED_BY),
        options=state.text(OPTIONS),
        rationale=state.text(RATIONALE),
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
