"""The "New project type" / "Edit project type" modal: building it and reading it back."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    InputBlock,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from commands import payload
from commands.labels import GATE_RULE_LABELS
from commands.view_state import ViewState, metadata_id, pack_metadata
from storage.models import ProjectType
from storage.project_type_log import DIMENSIONS
from workflows.errors import InvalidInput
from workflows.project_types import (
    NAME_MAX,
    TypeDraft,
    checklists_text,
    parse_checklists,
    parse_phases,
)

CALLBACK_ID = "project_type.save"

# Block ids double as the field names workflows/project_types.py uses in its errors.
NAME = "name"
PHASES = "phases"
CHECKLISTS = "checklists"
GATE_RULE = "gate_rule"
GATE_SLA = "gate_sla_days"
DIMENSIONS_BLOCK = "dimensions"
TEXT_MAX = 3000


def type_modal(project_type: ProjectType | None = None) -> dict[str, Any]:
    """The modal to create a project type, or to edit `project_type` as it is."""
    kind = project_type
    rule = kind.gate_rule if kind and kind.gate_rule in GATE_RULE_LABELS else "all"
    dimensions = [Option(value=d, label=d.capitalize()) for d in DIMENSIONS]
    asked = set(kind.dimensions) if kind else set(DIMENSIONS)
    blocks: list[Block] = [
        _text(NAME, "Name", kind.name if kind else None, NAME_MAX, hint="e.g. Software"),
        _text(
            PHASES,
            "Phases",
            "\n".join(kind.phases) if kind else None,
            TEXT_MAX,
            hint="2 to 12, one per line, in order.",
            multiline=True,
        ),
        _text(
            CHECKLISTS,
            "Gate checklists",
            checklists_text(kind) if kind else None,
            TEXT_MAX,
            hint="What a gate into each phase checks, one per line: `Build: Design reviewed "
            "(required)`. `(required)` must be ticked to ask for the gate.",
            multiline=True,
            optional=True,
        ),
        InputBlock(
            block_id=GATE_RULE,
            label="Gate approval",
            hint="How many approvers must approve a gate; each project may change it.",
            element=StaticSelectElement(
                action_id=GATE_RULE,
                options=[Option(value=v, label=text) for v, text in GATE_RULE_LABELS.items()],
                initial_option=Option(value=rule, label=GATE_RULE_LABELS[rule]),
            ),
        ),
        InputBlock(
            block_id=GATE_SLA,
            label="Days to decide a gate",
            element=NumberInputElement(
                action_id=GATE_SLA,
                is_decimal_allowed=False,
                initial_value=str(kind.gate_sla_days if kind else 2),
            ),
        ),
        InputBlock(
            block_id=DIMENSIONS_BLOCK,
            label="Status dimensions",
            hint="What status updates rate as red, amber or green.",
            element=CheckboxesElement(
                action_id=DIMENSIONS_BLOCK,
                options=dimensions,
                initial_options=[o for o in dimensions if o.value in asked] or None,
            ),
        ),
    ]
    view = View(
        type="modal",
        callback_id=CALLBACK_ID,
        title="Edit project type" if kind else "New project type",
        submit="Save" if kind else "Create",
        close="Cancel",
        blocks=blocks,
        private_metadata=pack_metadata(type_id=kind.id if kind else None),
    )
    return view.to_dict()


def _text(
    block_id: str,
    label: str,
    value: str | None,
    max_length: int,
    *,
    hint: str,
    multiline: bool = False,
    optional: bool = False,
) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=label,
        hint=hint,
        optional=optional,
        element=PlainTextInputElement(
            action_id=block_id,
            max_length=max_length,
            multiline=multiline,
            initial_value=value or None,
        ),
    )


def editing_id(view: dict[str, Any]) -> int | None:
    """The id of the type being edited, or None for a new one."""
    return metadata_id(view, "type_id")


def read_type_form(view: dict[str, Any]) -> TypeDraft:
    """The draft the person entered; InvalidInput for the fields that can't even be read."""
    state = ViewState(view)
    errors: dict[str, str] = {}
    checklists: dict[str, list[dict[str, Any]]] = {}
    try:
        checklists = parse_checklists(state.text(CHECKLISTS))
    except ValueError as exc:
        errors[CHECKLISTS] = str(exc)
    sla = 0
    try:
        sla = payload.whole_number(state.text(GATE_SLA))
    except ValueError:
        errors[GATE_SLA] = "Give a whole number of working days."
    if errors:
        raise InvalidInput(errors)
    return TypeDraft(
        name=state.text(NAME),
        phases=parse_phases(state.text(PHASES)),
        checklists=checklists,
        gate_rule=state.option(GATE_RULE, GATE_RULE_LABELS) or "",
        gate_sla_days=sla,
        dimensions=state.options(DIMENSIONS_BLOCK, DIMENSIONS),
    )
