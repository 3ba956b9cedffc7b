"""The "New project" / "Edit project" modal: building it and reading it back."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    ContextBlock,
    ConversationFilter,
    ConversationSelectElement,
    DatePickerElement,
    InputBlock,
    MarkdownTextObject,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
    UserMultiSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from commands import payload
from commands.labels import CADENCE_LABELS, GATE_RULE_LABELS
from commands.view_state import ViewState, metadata_text, pack_metadata
from storage.models import Cadence
from workflows.money import NotMoney, parse_money
from workflows.project_goals import TYPED_MAX, GoalLink, links_text, parse_links
from workflows.projects import NAME_MAX, ProjectDraft

CALLBACK_ID = "project.save"

# Block ids double as the field names workflows use in their errors.
KEY = "key"
NAME = "name"
PM = "pm"
SPONSOR = "sponsor"
APPROVERS = "approvers"
MEMBERS = "members"
CHANNEL = "channel"
PHASE = "phase"
START = "start_date"
TARGET = "target_date"
BUDGET = "budget"
CADENCE = "status_cadence"
GATE_RULE = "gate_rule"
GATE_OPTIONS = "gate_options"
GATE_SLA = "gate_sla_days"
GOALS = "goals"
TYPE = "type"
FIELDS = (
    KEY,
    NAME,
    PM,
    SPONSOR,
    APPROVERS,
    MEMBERS,
    CHANNEL,
    PHASE,
    START,
    TARGET,
    BUDGET,
    CADENCE,
    GATE_RULE,
    GATE_OPTIONS,
    GATE_SLA,
    GOALS,
    TYPE,
)
PM_MAY_APPROVE = "pm_may_approve"
REJECT_ENDS = "reject_ends"
GATE_OPTION_LABELS = {
    REJECT_ENDS: "One rejection ends the gate",
    PM_MAY_APPROVE: "The PM may approve gates (if listed as an approver)",
}
CADENCE_VALUES = [cadence.value for cadence in CADENCE_LABELS]


def project_modal(
    *,
    phases: list[str],
    creator: str,
    draft: ProjectDraft | None = None,
    default_cadence: Cadence = Cadence.WEEKLY,
    with_goals: bool = False,
    types: dict[int, str] | None = None,
) -> dict[str, Any]:
    """The modal to create a project (reporting at the workspace's `default_cadence`), or to
    edit one when `draft` is the project as it is. It asks which goals the project serves
    `with_goals` (the workspace has some) or when it serves some already. A new project
    picks one of `types` (id to name) when there are several; its phase, gate rule and
    days to decide may then be left blank for the type's."""
    editing = draft is not None
    links = draft.goals if draft and draft.goals else []
    choosing = not editing and len(types or {}) > 1
    blocks = [
        _key_block(draft),
        *([_type_block(types or {})] if choosing else []),
        *_people_blocks(draft, creator),
        *_home_blocks(draft, phases, choosing),
        *_plan_blocks(draft, default_cadence),
        *([_goals_block(links)] if with_goals or links else []),
        *_gate_blocks(draft, choosing),
    ]
    view = View(
        type="modal",
        callback_id=CALLBACK_ID,
        title=f"Edit {draft.key}" if draft else "New project",
        submit="Save" if editing else "Create",
        close="Cancel",
        blocks=blocks,
        private_metadata=pack_metadata(key=draft.key if draft else None),
    )
    return view.to_dict()


def _key_block(draft: ProjectDraft | None) -> Block:
    # A new project asks for its key; an edited one only shows it (a key never changes).
    if draft is not None:
        return ContextBlock(
            elements=[MarkdownTextObject(text=f"Key *{draft.key}* (a key never changes)")]
        )
    return InputBlock(
        block_id=KEY,
        label="Key",
        hint="2 to 10 letters or digits, e.g. APOLLO. Commands use it: /status APOLLO",
        element=PlainTextInputElement(action_id=KEY, max_length=10, min_length=2),
    )


def _type_block(types: dict[int, str]) -> InputBlock:
    # The default type is listed first, and picked until the person picks another.
    options = [Option(value=str(i), label=name) for i, name in types.items()]
    return InputBlock(
        block_id=TYPE,
        label="Type",
        hint="Its lifecycle: phases, gate checklists, approval rule. `/pmo types` lists them.",
        element=StaticSelectElement(action_id=TYPE, options=options, initial_option=options[0]),
    )


def _people_blocks(draft: ProjectDraft | None, creator: str) -> list[Block]:
    # The name, then who holds each role (a new project's PM is whoever creates it).
    return [
        InputBlock(
            block_id=NAME,
            label="Name",
            element=PlainTextInputElement(
                action_id=NAME, max_length=NAME_MAX, initial_value=draft.name if draft else None
            ),
        ),
        InputBlock(
            block_id=PM,
            label="Project manager (PM)",
            element=UserSelectElement(
                action_id=PM, initial_user=(draft.pm if draft else creator) or None
            ),
        ),
        InputBlock(
            block_id=SPONSOR,
            label="Sponsor",
            hint="Hears about high risks and gate decisions.",
            optional=True,
            element=UserSelectElement(action_id=SPONSOR, initial_user=draft and draft.sponsor),
        ),
        users_input(
            APPROVERS,
            "Approvers",
            draft and draft.approvers,
            hint="Decide the project's stage gates.",
        ),
        users_input(
            MEMBERS, "Members", draft and draft.members, hint="May post status updates with the PM."
        ),
    ]


def _home_blocks(draft: ProjectDraft | None, phases: list[str], choosing: bool) -> list[Block]:
    # A new project's home channel defaults to where `/pmo new` was typed; picking a type,
    # its phase may be left blank for the type's first.
    phase = draft.phase if draft and draft.phase in phases else phases[0]
    initial = None if choosing else Option(value=phase, label=phase)
    return [
        InputBlock(
            block_id=CHANNEL,
            label="Home channel",
            hint="Updates are posted there, and commands typed there default to this project.",
            optional=True,
            element=ConversationSelectElement(
                action_id=CHANNEL,
                initial_conversation=draft.channel_id if draft else None,
                default_to_current_conversation=draft is None,
                filter=ConversationFilter(include=["public", "private"], exclude_bot_users=True),
            ),
        ),
        InputBlock(
            block_id=PHASE,
            label="Phase",
            hint="Blank: the type's first phase." if choosing else None,
            optional=choosing,
            element=StaticSelectElement(
                action_id=PHASE,
                options=[Option(value=p, label=p) for p in phases],
                initial_option=initial,
            ),
        ),
    ]


def _plan_blocks(draft: ProjectDraft | None, default_cadence: Cadence) -> list[Block]:
    # Dates, budget and how often status is due (a new project: the workspace's default).
    cadence = draft.status_cadence if draft else Cadence(default_cadence)
    budget = draft.budget if draft else None
    return [
        _date_input(START, "Start date", draft and draft.start_date),
        _date_input(TARGET, "Target date", draft and draft.target_date),
        InputBlock(
            block_id=BUDGET,
            label="Budget",
            hint="The approved budget, in the workspace's currency.",
            optional=True,
            element=NumberInputElement(
                action_id=BUDGET,
                is_decimal_allowed=True,
                initial_value=str(budget) if budget is not None else None,
            ),
        ),
        InputBlock(
            block_id=CADENCE,
            label="Status updates due",
            element=StaticSelectElement(
                action_id=CADENCE,
                options=[Option(value=c.value, label=label) for c, label in CADENCE_LABELS.items()],
                initial_option=Option(value=cadence.value, label=CADENCE_LABELS[cadence]),
            ),
        ),
    ]


def _goals_block(links: list[GoalLink]) -> InputBlock:
    # The goals it serves as the person writes them, prefilled with those it serves now.
    return InputBlock(
        block_id=GOALS,
        label="Goals",
        hint="The strategic goals it serves and how much of it is for each, 0 to 100: "
        "CHURN 60, NPS 40. `/goal list` shows them.",
        optional=True,
        element=PlainTextInputElement(
            action_id=GOALS,
            max_length=TYPED_MAX,
            placeholder="CHURN 60, NPS 40",
            initial_value=links_text(links) or None,
        ),
    )


def _gate_blocks(draft: ProjectDraft | None, choosing: bool = False) -> list[Block]:
    # A new project: all approvers must approve, one rejection ends it, 2 days to decide;
    # picking a type, the rule and days may be left blank for the type's.
    rule = draft.gate_rule if draft and draft.gate_rule in GATE_RULE_LABELS else "all"
    sla = draft.gate_sla_days if draft and draft.gate_sla_days else 2
    gate_options = [Option(value=v, label=text) for v, text in GATE_OPTION_LABELS.items()]
    ticked = {REJECT_ENDS} if draft is None or draft.gate_reject_ends else set()
    if draft is not None and draft.gate_pm_may_approve:
        ticked.add(PM_MAY_APPROVE)
    return [
        InputBlock(
            block_id=GATE_RULE,
            label="Gate approval",
            hint="How many approvers must approve a stage gate."
            + (" Blank: the type's rule." if choosing else ""),
            optional=choosing,
            element=StaticSelectElement(
                action_id=GATE_RULE,
                options=[Option(value=v, label=text) for v, text in GATE_RULE_LABELS.items()],
                initial_option=None
                if choosing
                else Option(value=rule, label=GATE_RULE_LABELS[rule]),
            ),
        ),
        InputBlock(
            block_id=GATE_OPTIONS,
            label="Gate rules",
            hint="The requester never decides their own gate.",
            optional=True,
            element=CheckboxesElement(
                action_id=GATE_OPTIONS,
                options=gate_options,
                initial_options=[o for o in gate_options if o.value in ticked] or None,
            ),
        ),
        InputBlock(
            block_id=GATE_SLA,
            label="Days to decide a gate",
            hint="Working days before approvers are reminded, then the sponsor is told."
            + (" Blank: the type's." if choosing else ""),
            optional=choosing,
            element=NumberInputElement(
                action_id=GATE_SLA,
                is_decimal_allowed=False,
                initial_value=None if choosing else str(sla),
            ),
        ),
    ]


def users_input(
    block_id: str, label: str, users: list[str] | None, hint: str | None = None
) -> InputBlock:
    """An optional pick of several people, prefilled with `users` when there are any."""
    return InputBlock(
        block_id=block_id,
        label=label,
        hint=hint,
        optional=True,
        element=UserMultiSelectElement(action_id=block_id, initial_users=users or None),
    )


def _date_input(block_id: str, label: str, day: date | None) -> InputBlock:
    # An optional date, prefilled when there is one.
    return InputBlock(
        block_id=block_id,
        label=label,
        optional=True,
        element=DatePickerElement(
            action_id=block_id, initial_date=day.isoformat() if day else None
        ),
    )


def editing_key(view: dict[str, Any]) -> str | None:
    """The key of the project being edited, or None for a new project."""
    return metadata_text(view, "key")


def read_project_form(view: dict[str, Any]) -> tuple[ProjectDraft, dict[str, str]]:
    """The draft the person entered, and the fields that could not even be read."""
    state = ViewState(view)
    errors: dict[str, str] = {}
    budget: Decimal | None = None
    if state.text(BUDGET):
        try:
            budget = parse_money(state.text(BUDGET))
        except NotMoney as exc:
            errors[BUDGET] = str(exc)
    goals: list[GoalLink] | None = None
    if _asks_goals(view):
        try:
            goals = parse_links(state.text(GOALS))
        except ValueError as exc:
            errors[GOALS] = str(exc)
    ticked = state.options(GATE_OPTIONS, GATE_OPTION_LABELS)
    sla: int | None = None
    if state.text(GATE_SLA):
        try:
            sla = payload.whole_number(state.text(GATE_SLA))
        except ValueError:
            errors[GATE_SLA] = "Give a whole number of working days."
    draft = ProjectDraft(
        key=editing_key(view) or state.text(KEY),
        name=state.text(NAME),
        pm=state.user(PM),
        sponsor=state.user(SPONSOR),
        approvers=state.users(APPROVERS),
        members=state.users(MEMBERS),
        channel_id=state.conversation(CHANNEL),
        # The workflow checks the phase is one of the workspace's.
        phase=state.option(PHASE, None) or "",
        start_date=state.date(START),
        target_date=state.date(TARGET),
        budget=budget,
        status_cadence=Cadence(state.option(CADENCE, CADENCE_VALUES) or Cadence.WEEKLY),
        gate_rule=state.option(GATE_RULE, GATE_RULE_LABELS),
        gate_pm_may_approve=PM_MAY_APPROVE in ticked,
        gate_reject_ends=REJECT_ENDS in ticked,
        gate_sla_days=sla,
        goals=goals,
        # The workflow checks the type is one of the workspace's.
        type_id=_picked_type(state, errors),
    )
    if not draft.pm:
        errors[PM] = "Name the project manager."
    return draft, errors


def _picked_type(state: ViewState, errors: dict[str, str]) -> int | None:
    # The type picked, by id (None: the form offered no choice, or none was picked).
    picked = state.option(TYPE, None)
    type_id = payload.record_id(picked) if picked else None
    if picked and type_id is None:
        errors[TYPE] = "Pick one of the project types."
    return type_id


def _asks_goals(view: dict[str, Any]) -> bool:
    # A form without the Goals field (the workspace had no goals) leaves them as they are.
    blocks = view.get("blocks") if isinstance(view, dict) else None
    return any(
        isinstance(block, dict) and block.get("block_id") == GOALS
        for block in (blocks if isinstance(blocks, list) else [])
    )
