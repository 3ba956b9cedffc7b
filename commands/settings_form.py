"""The "pmo-bot settings" modal: building it, its time-zone search, and reading it back."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ConversationFilter,
    ConversationSelectElement,
    ExternalDataSelectElement,
    HeaderBlock,
    InputBlock,
    NumberInputElement,
    Option,
    RadioButtonsElement,
    StaticSelectElement,
    TimePickerElement,
)
from slack_sdk.models.views import View

from commands import payload
from commands.labels import CADENCE_LABELS
from commands.project_form import users_input
from commands.view_state import ViewState
from storage.models import Cadence, NudgeStyle
from workflows.workspace_policy import (
    OVERALLOCATION_THRESHOLD_MAX,
    PRIORITY_PARTS,
    PRIORITY_TOTAL,
    RISK_SCORE_MAX,
    RISK_SCORE_MIN,
    WorkspaceSettings,
    time_zones,
)

CALLBACK_ID = "settings.save"
TIME_ZONE_ACTION = "settings.time_zone"

# Block ids are the settings' own field names, so a workflow's errors land on their field.
DIGEST_CHANNEL = "digest_channel"
DIGEST_LEADERS = "digest_leaders"
DIGEST_WEEKDAY = "digest_weekday"
DIGEST_TIME = "digest_time"
TIME_ZONE = "time_zone"
STATUS_DUE = "status_due_weekday"
CADENCE = "default_cadence"
QUIET_START = "quiet_start"
QUIET_END = "quiet_end"
NUDGE_STYLE = "nudge_style"
PMO_LEADS = "pmo_leads"
RISK_MEDIUM = "risk_medium_from"
RISK_HIGH = "risk_high_from"
RISK_CRITICAL = "risk_critical_from"
OVERALLOCATION = "overallocation_threshold"
RESOURCE_CHANNEL = "resource_channel"
# The ranking's weights, one input per part: `priority_goal`, `priority_health`, …
PRIORITY_LABELS = {
    "goal": "Goal alignment weight",
    "health": "Health weight",
    "budget": "Remaining budget weight",
    "risk": "Low open risk weight",
}

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAY_VALUES = [str(number) for number in range(len(WEEKDAYS))]
NUDGE_STYLES = {
    NudgeStyle.GENTLE: ("Gentle", "One reminder."),
    NudgeStyle.FIRM: ("Firm", "A reminder, then the sponsor is told after 2 working days."),
}
OPTIONS_MAX = 100


def settings_modal(settings: WorkspaceSettings) -> dict[str, Any]:
    """The settings form, prefilled with the workspace's settings as they are."""
    blocks = [
        *_digest_blocks(settings),
        *_time_blocks(settings),
        *_nudge_blocks(settings),
        *_risk_band_blocks(settings),
        *_capacity_blocks(settings),
        *_ranking_blocks(settings),
        *_who_blocks(settings),
    ]
    view = View(
        type="modal",
        callback_id=CALLBACK_ID,
        title="pmo-bot settings",
        submit="Save",
        close="Cancel",
        blocks=blocks,
    )
    return view.to_dict()


def _digest_blocks(settings: WorkspaceSettings) -> list[Block]:
    # Where the Monday digest goes, to whom, and when.
    return [
        HeaderBlock(text="Monday digest"),
        InputBlock(
            block_id=DIGEST_CHANNEL,
            label="Digest channel",
            hint="Where the weekly digest is posted. Leave empty to send it by DM only.",
            optional=True,
            element=ConversationSelectElement(
                action_id=DIGEST_CHANNEL,
                initial_conversation=settings.digest_channel,
                filter=ConversationFilter(include=["public", "private"], exclude_bot_users=True),
            ),
        ),
        users_input(DIGEST_LEADERS, "Leaders who get the digest by DM", settings.digest_leaders),
        _weekday_input(DIGEST_WEEKDAY, "Digest day", settings.digest_weekday),
        _time_input(DIGEST_TIME, "Digest time", settings.digest_time),
    ]


def _time_blocks(settings: WorkspaceSettings) -> list[Block]:
    # The workspace's time zone (searched, there are hundreds), and when status is due.
    return [
        HeaderBlock(text="Time and status"),
        InputBlock(
            block_id=TIME_ZONE,
            label="Workspace time zone",
            hint="Weeks, due days and the digest time follow it. Type a city, e.g. London.",
            element=ExternalDataSelectElement(
                action_id=TIME_ZONE_ACTION,
                placeholder="Type a city or region",
                min_query_length=1,
                initial_option=Option(value=settings.time_zone, label=settings.time_zone),
            ),
        ),
        _weekday_input(STATUS_DUE, "Status updates due on", settings.status_due_weekday),
        InputBlock(
            block_id=CADENCE,
            label="New projects report",
            hint="How often a new project owes a status update; each project can change it.",
            element=StaticSelectElement(
                action_id=CADENCE,
                options=[Option(value=c.value, label=text) for c, text in CADENCE_LABELS.items()],
                initial_option=Option(
                    value=settings.default_cadence.value,
                    label=CADENCE_LABELS[settings.default_cadence],
                ),
            ),
        ),
    ]


def _nudge_blocks(settings: WorkspaceSettings) -> list[Block]:
    # Quiet hours and how firmly late status updates are chased.
    return [
        HeaderBlock(text="Nudges"),
        _time_input(
            QUIET_START,
            "Quiet hours start",
            settings.quiet_start,
            hint="No nudges from this time until quiet hours end, in each person's own time.",
        ),
        _time_input(QUIET_END, "Quiet hours end", settings.quiet_end),
        _nudge_style_input(settings.nudge_style),
    ]


def _risk_band_blocks(settings: WorkspaceSettings) -> list[Block]:
    # The scores where medium, high and critical start.
    return [
        HeaderBlock(text="Risk bands"),
        _score_input(RISK_MEDIUM, "Medium risk from score", settings.risk_medium_from),
        _score_input(RISK_HIGH, "High risk from score", settings.risk_high_from),
        _score_input(RISK_CRITICAL, "Critical risk from score", settings.risk_critical_from),
    ]


def _capacity_blocks(settings: WorkspaceSettings) -> list[Block]:
    # When a person counts as over-allocated, and where requests for people go.
    return [
        HeaderBlock(text="Capacity"),
        InputBlock(
            block_id=OVERALLOCATION,
            label="Over-allocated above capacity plus (%)",
            hint="A person's PMs and the PMO leads are told when a week goes over.",
            element=NumberInputElement(
                action_id=OVERALLOCATION,
                is_decimal_allowed=False,
                min_value="0",
                max_value=str(OVERALLOCATION_THRESHOLD_MAX),
                initial_value=str(settings.overallocation_threshold),
            ),
        ),
        InputBlock(
            block_id=RESOURCE_CHANNEL,
            label="Channel for requests for people",
            hint="Where PMO leads get requests. Empty: the digest channel, else their DMs.",
            optional=True,
            element=ConversationSelectElement(
                action_id=RESOURCE_CHANNEL,
                initial_conversation=settings.resource_channel,
                filter=ConversationFilter(include=["public", "private"], exclude_bot_users=True),
            ),
        ),
    ]


def _ranking_blocks(settings: WorkspaceSettings) -> list[Block]:
    # How much each part of a project's score counts in `/goal portfolio`.
    hint = (
        "How much each part counts in /goal portfolio's score; "
        f"all four add up to {PRIORITY_TOTAL}."
    )
    return [
        HeaderBlock(text="Portfolio ranking"),
        *(
            InputBlock(
                block_id=f"priority_{part}",
                label=PRIORITY_LABELS[part],
                hint=hint if n == 0 else None,
                element=NumberInputElement(
                    action_id=f"priority_{part}",
                    is_decimal_allowed=False,
                    min_value="0",
                    max_value=str(PRIORITY_TOTAL),
                    initial_value=str(settings.priority_weights.get(part, 0)),
                ),
            )
            for n, part in enumerate(PRIORITY_PARTS)
        ),
    ]


def _who_blocks(settings: WorkspaceSettings) -> list[Block]:
    # Slack's admins may always; the PMO leads named here may too.
    return [
        HeaderBlock(text="Who may change these settings"),
        users_input(
            PMO_LEADS,
            "PMO leads",
            settings.pmo_leads,
            hint="Who besides Slack admins may change these settings.",
        ),
    ]


def _weekday_input(block_id: str, label: str, weekday: int) -> InputBlock:
    options = [Option(value=str(number), label=name) for number, name in enumerate(WEEKDAYS)]
    return InputBlock(
        block_id=block_id,
        label=label,
        element=StaticSelectElement(
            action_id=block_id,
            options=options,
            initial_option=options[weekday] if weekday in range(7) else None,
        ),
    )


def _time_input(block_id: str, label: str, value: str, hint: str | None = None) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=label,
        hint=hint,
        element=TimePickerElement(action_id=block_id, initial_time=value),
    )


def _score_input(block_id: str, label: str, score: int) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=label,
        hint="A risk's score is probability × impact, from 1 to 25.",
        element=NumberInputElement(
            action_id=block_id,
            is_decimal_allowed=False,
            min_value=RISK_SCORE_MIN,
            max_value=RISK_SCORE_MAX,
            initial_value=str(score),
        ),
    )


def _nudge_style_input(style: NudgeStyle) -> InputBlock:
    options = [
        Option(value=value.value, label=label, description=description)
        for value, (label, description) in NUDGE_STYLES.items()
    ]
    return InputBlock(
        block_id=NUDGE_STYLE,
        label="Nudge style",
        hint="When a status update is late.",
        element=RadioButtonsElement(
            action_id=NUDGE_STYLE,
            options=options,
            initial_option=next(o for o in options if o.value == style.value),
        ),
    )


def time_zone_options(typed: str) -> list[dict[str, Any]]:
    """Zones matching what was typed ("new york" finds America/New_York), at most 100:
    those where a part of the name starts with it come first."""
    needle = typed.strip().lower().replace(" ", "_")
    found = [name for name in time_zones() if needle in name.lower()]
    found.sort(key=lambda name: (not _starts_a_part(name, needle), name))
    return [Option(value=name, label=name).to_dict() for name in found[:OPTIONS_MAX]]


def _starts_a_part(name: str, needle: str) -> bool:
    return any(part.lower().startswith(needle) for part in name.split("/"))


def read_settings_form(view: dict[str, Any]) -> tuple[WorkspaceSettings, dict[str, str]]:
    """The settings the person entered, and the fields that could not even be read."""
    state = ViewState(view)
    errors: dict[str, str] = {}

    def whole_number(block_id: str, raw: str | None, fallback: int, problem: str) -> int:
        try:
            return payload.whole_number(raw or "")
        except ValueError:
            errors[block_id] = problem
            return fallback

    def choice(block_id: str, kind: type[Cadence] | type[NudgeStyle], problem: str) -> Any:
        try:
            return kind(state.option(block_id, [member.value for member in kind]))
        except ValueError:
            errors[block_id] = problem
            return next(iter(kind))

    day = "Pick a day of the week."
    score = f"Give a whole number from {RISK_SCORE_MIN} to {RISK_SCORE_MAX}."
    draft = WorkspaceSettings(
        # A zone searched for: check_settings checks it is one.
        time_zone=state.option(TIME_ZONE, None) or "",
        status_due_weekday=whole_number(
            STATUS_DUE, state.option(STATUS_DUE, WEEKDAY_VALUES), 4, day
        ),
        risk_medium_from=whole_number(RISK_MEDIUM, state.text(RISK_MEDIUM), 0, score),
        risk_high_from=whole_number(RISK_HIGH, state.text(RISK_HIGH), 0, score),
        risk_critical_from=whole_number(RISK_CRITICAL, state.text(RISK_CRITICAL), 0, score),
        digest_channel=state.conversation(DIGEST_CHANNEL),
        digest_leaders=state.users(DIGEST_LEADERS),
        digest_weekday=whole_number(
            DIGEST_WEEKDAY, state.option(DIGEST_WEEKDAY, WEEKDAY_VALUES), 0, day
        ),
        digest_time=state.time(DIGEST_TIME),
        default_cadence=choice(CADENCE, Cadence, "Pick how often new projects report."),
        quiet_start=state.time(QUIET_START),
        quiet_end=state.time(QUIET_END),
        nudge_style=choice(NUDGE_STYLE, NudgeStyle, "Pick gentle or firm."),
        pmo_leads=state.users(PMO_LEADS),
        overallocation_threshold=whole_number(
            OVERALLOCATION,
            state.text(OVERALLOCATION),
            10,
            f"Give a whole number from 0 to {OVERALLOCATION_THRESHOLD_MAX}.",
        ),
        resource_channel=state.conversation(RESOURCE_CHANNEL),
        priority_weights={
            part: whole_number(
                f"priority_{part}",
                state.text(f"priority_{part}"),
                0,
                f"Give a whole number from 0 to {PRIORITY_TOTAL}.",
            )
            for part in PRIORITY_PARTS
        },
    )
    return draft, errors
