"""The benefit forms: stating an expected benefit, and recording the value realised.

Block ids are the field names the rules use (workflows/benefits.py), so each refusal
shows on its own field.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    DatePickerElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from commands import mrkdwn, project_picker
from commands.benefit_message import benefit_text
from commands.project_picker import PickerForm, ProjectChoice
from commands.view_state import ViewState, metadata_id, pack_metadata
from storage.models import Role
from workflows import benefits
from workflows.benefits import (
    DIRECTION,
    MEASURE,
    NOTE,
    PROJECT,
    REALISE_ON,
    TARGET,
    TITLE,
    UNIT,
    VALUE,
    BenefitDraft,
    Direction,
    ValueAsk,
)

ADD_CALLBACK = "benefit.add_save"
VALUE_CALLBACK = "benefit.value_save"
PICKER = PickerForm(action_id="benefit.project", roles=frozenset({Role.PM, Role.SPONSOR}))
DIRECTIONS = {
    Direction.HIGHER: "Higher is better: the target or more realises it",
    Direction.LOWER: "Lower is better: the target or less realises it",
}


def add_modal(choices: list[ProjectChoice], selected: ProjectChoice | None) -> dict[str, Any]:
    """Which project, what benefit, measured how, to which target, by when."""
    return View(
        type="modal",
        callback_id=ADD_CALLBACK,
        title="Add a benefit",
        submit="Add",
        close="Cancel",
        blocks=[
            project_picker.project_picker(
                choices, selected, block_id=PROJECT, action_id=PICKER.action_id
            ),
            _text_input(TITLE, "Benefit", "Fewer customers cancel", benefits.TITLE_MAX),
            _text_input(MEASURE, "Measure", "Monthly churn", benefits.MEASURE_MAX),
            _text_input(
                TARGET,
                "Target value",
                "5 %",
                40,
                hint="A number: 5 %, 12.5, 80k or 1.2m.",
            ),
            _text_input(
                UNIT,
                "Unit",
                "%, EUR, hours",
                benefits.UNIT_MAX,
                optional=True,
                hint="Left blank, a target typed as 5 % is in %.",
            ),
            InputBlock(
                block_id=REALISE_ON,
                label="Realised by",
                hint="Its sponsor is asked for the value from this day, once the project has "
                "closed.",
                element=DatePickerElement(action_id=REALISE_ON),
            ),
        ],
    ).to_dict()


def read_add_form(view: dict[str, Any]) -> tuple[str | None, BenefitDraft]:
    """The project picked (checked by the rules) and the benefit as typed."""
    state = ViewState(view)
    draft = BenefitDraft(
        title=state.text(TITLE),
        measure=state.text(MEASURE),
        target=state.text(TARGET),
        unit=state.text(UNIT),
        realise_on=state.date(REALISE_ON),
    )
    return state.option(PROJECT, offered=None), draft


def value_modal(asked: ValueAsk) -> dict[str, Any]:
    """The value realised, whether higher or lower is better, and a note."""
    benefit, project = asked.benefit, asked.project
    intro = f"*{project.key}* · {benefit_text(benefit)}"
    options = [Option(value=d.value, label=label) for d, label in DIRECTIONS.items()]
    return View(
        type="modal",
        callback_id=VALUE_CALLBACK,
        title="Record the value",
        submit="Record",
        close="Cancel",
        blocks=[
            SectionBlock(text=mrkdwn.fit(intro, 3000)),
            _text_input(
                VALUE,
                "Value realised",
                "4.2",
                40,
                hint=f"In {benefit.unit}." if benefit.unit else "A number, such as 4.2 or 80k.",
            ),
            InputBlock(
                block_id=DIRECTION,
                label="Against the target",
                element=RadioButtonsElement(
                    action_id=DIRECTION, options=options, initial_option=options[0]
                ),
            ),
            _text_input(
                NOTE,
                "Note",
                "How it was measured",
                benefits.NOTE_MAX,
                optional=True,
                multiline=True,
            ),
        ],
        private_metadata=pack_metadata(benefit_id=benefit.id),
    ).to_dict()


def read_value_form(view: dict[str, Any]) -> tuple[int | None, str, str, str]:
    """The benefit the form is about, the value, the direction and the note as given."""
    state = ViewState(view)
    direction = state.option(DIRECTION, offered=[d.value for d in Direction]) or ""
    return metadata_id(view, "benefit_id"), state.text(VALUE), direction, state.text(NOTE)


def _text_input(
    block_id: str,
    label: str,
    placeholder: str,
    max_length: int,
    *,
    optional: bool = False,
    multiline: bool = False,
    hint: str | None = None,
) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=label,
        optional=optional,
        hint=hint,
        element=PlainTextInputElement(
            action_id=block_id,
            placeholder=placeholder,
            max_length=max_length,
            multiline=multiline,
        ),
    )
