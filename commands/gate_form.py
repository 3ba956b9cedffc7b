"""The gate request form, and the small form that asks an approver why."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    CheckboxesElement,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from commands import mrkdwn, payload
from commands.project_picker import ProjectChoice, project_picker
from commands.view_state import (
    ViewState,
    metadata_id,
    metadata_text,
    pack_metadata,
    unpack_metadata,
)
from storage.models import Verdict
from workflows.errors import InvalidInput
from workflows.gates import TEXT_MAX, GateDraft, GatePlan, rule_words

CALLBACK_ID = "gate.request"
REASON_CALLBACK_ID = "gate.reason"
PROJECT = "gate_project"
PROJECT_ACTION = "gate.project"
EVIDENCE = "evidence"
CHECKLIST = "checklist"
REASON = "reason"

REASON_TITLES = {Verdict.REJECT: "Reject the gate", Verdict.CHANGES: "Request changes"}


def gate_modal(
    *,
    choices: list[ProjectChoice],
    selected: ProjectChoice | None,
    plan: GatePlan | None,
    problem: str | None = None,
) -> dict[str, Any]:
    """The request form: the picked project's next gate, its rule and entry criteria."""
    blocks: list[Any] = []
    if choices:
        blocks.append(
            project_picker(
                choices, selected, block_id=PROJECT, action_id=PROJECT_ACTION, refills=True
            )
        )
    if problem:
        blocks.append(SectionBlock(text=f":no_entry: {problem}"))
    if plan is not None:
        blocks += _plan_blocks(plan)
    return View(
        type="modal",
        callback_id=CALLBACK_ID,
        title="Request a gate",
        # Slack wants a submit button whenever a modal has inputs.
        submit="Request" if any(isinstance(b, InputBlock) for b in blocks) else None,
        close="Cancel",
        blocks=blocks,
        private_metadata=pack_metadata(key=plan.project.key if plan else None),
    ).to_dict()


def _plan_blocks(plan: GatePlan) -> list[Any]:
    # The gate, who decides it (and who may not), then the evidence and checklist inputs.
    blocks: list[Any] = []
    who = mrkdwn.mentions(plan.approvers)
    rule = rule_words(plan.rule, plan.required, len(plan.approvers))
    text = (
        f"*{plan.project.key}* · {mrkdwn.escape(plan.project.name)}\n"
        f"*Gate:* {mrkdwn.escape(plan.from_phase)} → {mrkdwn.escape(plan.to_phase)}\n"
        f"*Decided by:* {rule}: {who}"
    )
    blocks.append(SectionBlock(text=mrkdwn.fit(text, 3000)))
    if plan.left_out:
        blocks.append(
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text="Separation of duties: "
                        + mrkdwn.mentions(plan.left_out)
                        + " can't decide this gate."
                    )
                ]
            )
        )
    blocks += [
        InputBlock(
            block_id=EVIDENCE,
            label="Evidence",
            hint="What shows the project is ready; paste links to plans and documents.",
            element=PlainTextInputElement(action_id=EVIDENCE, multiline=True, max_length=TEXT_MAX),
        ),
        InputBlock(
            block_id=CHECKLIST,
            label="Entry criteria",
            hint="Tick what is done. Required ones must be ticked to request the gate.",
            optional=True,
            element=CheckboxesElement(
                action_id=CHECKLIST,
                options=[
                    Option(value=str(i), label=(text + (" (required)" if mandatory else ""))[:75])
                    for i, (text, mandatory) in enumerate(plan.criteria)
                ],
            ),
        ),
    ]
    return blocks


def requested_key(view: dict[str, Any]) -> str | None:
    """The project the form is for."""
    return metadata_text(view, "key")


def read_gate_form(view: dict[str, Any]) -> GateDraft:
    """The evidence and the ticked criteria."""
    state = ViewState(view)
    # Which criteria there are is the workflow's to check; here, that each is a number.
    try:
        ticked = [payload.whole_number(value) for value in state.options(CHECKLIST, None)]
    except ValueError:
        raise InvalidInput({CHECKLIST: "Tick only the criteria offered."}) from None
    return GateDraft(evidence=state.text(EVIDENCE), ticked=ticked)


def reason_modal(*, gate_id: int, verdict: Verdict, label: str) -> dict[str, Any]:
    """Asks why the approver rejects or wants changes (required)."""
    return View(
        type="modal",
        callback_id=REASON_CALLBACK_ID,
        title=REASON_TITLES[verdict],
        submit="Send",
        close="Cancel",
        blocks=[
            InputBlock(
                block_id=REASON,
                label="Reason",
                hint=f"Posted in the {label} thread for the requester.",
                element=PlainTextInputElement(
                    action_id=REASON, multiline=True, max_length=TEXT_MAX
                ),
            )
        ],
        private_metadata=pack_metadata(gate_id=gate_id, verdict=verdict.value),
    ).to_dict()


def read_reason_form(view: dict[str, Any]) -> tuple[int | None, Verdict | None, str]:
    """Which gate, which verdict, and the reason typed."""
    verdict = unpack_metadata(view).get("verdict")
    known = isinstance(verdict, str) and verdict in REASON_TITLES
    return (
        metadata_id(view, "gate_id"),
        Verdict(verdict) if known else None,
        ViewState(view).text(REASON),
    )
