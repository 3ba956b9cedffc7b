"""Benefits as Slack shows them: a project's list with its buttons, the *Record value*
button of the check-in nudge, and the figures of the digest's Benefits section."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from commands import mrkdwn
from storage.models import Benefit, BenefitStatus
from workflows.benefits import BenefitLine, ProjectBenefits
from workflows.digest_benefits import BenefitNote, BenefitsReview
from workflows.quantity import format_quantity

ADD_ACTION = "benefit.add"
RECORD_ACTION = "benefit.record"
REMOVE_ACTION = "benefit.remove"
STATUS_WORDS = {
    BenefitStatus.EXPECTED: ":seedling: Expected",
    BenefitStatus.DUE: ":hourglass_flowing_sand: Due: awaiting the value realised",
    BenefitStatus.REALISED: ":white_check_mark: Realised",
    BenefitStatus.MISSED: ":x: Missed",
}


def target_text(benefit: Benefit) -> str:
    """`5 %`, `1,200,000 EUR`: the target with its unit."""
    return format_quantity(benefit.target, benefit.unit)


def realised_text(benefit: Benefit) -> str:
    """The value recorded with its unit, or a dash."""
    if benefit.realised is None:
        return "—"
    return format_quantity(benefit.realised, benefit.unit)


def benefit_text(benefit: Benefit) -> str:
    """`*Fewer cancellations* · monthly churn: target *5 %* by Tue 1 Jun 2027` (escaped)."""
    return (
        f"*{mrkdwn.escape(benefit.title)}* · {mrkdwn.escape(benefit.measure)}: "
        f"target *{mrkdwn.escape(target_text(benefit))}* by {mrkdwn.day(benefit.realise_on)}"
    )


def record_button(benefit: Benefit) -> ButtonElement:
    """*Record value*: opens the form for the value realised."""
    return ButtonElement(
        text="Record value", action_id=RECORD_ACTION, value=str(benefit.id), style="primary"
    )


# -- a project's list -----------------------------------------------------------------------


def benefits_blocks(listed: ProjectBenefits) -> list[dict[str, Any]]:
    """The project's benefits with their standing; *Record value* and *Remove* for those
    who may, and *Add benefit*."""
    project = listed.project
    blocks: list[Any] = [HeaderBlock(text=mrkdwn.fit(f"{project.key} · benefits", 150))]
    if not listed.lines:
        blocks.append(SectionBlock(text=f"{project.key} states no expected benefit yet."))
    for line in listed.lines:
        blocks.append(SectionBlock(text=mrkdwn.fit(_line_text(line), 3000)))
        buttons = []
        if listed.may_record and line.recordable:
            buttons.append(record_button(line.benefit))
        if listed.may_manage:
            buttons.append(_remove_button(line.benefit))
        if buttons:
            blocks.append(ActionsBlock(elements=buttons))
    recorders = mrkdwn.mentions(listed.recorders) if listed.recorders else "its sponsor"
    blocks.append(
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=f"Once {project.key} closes (archived, or in its "
                    f"{mrkdwn.escape(listed.closing_phase)} phase), each benefit is checked on "
                    f"its date: {recorders} is asked for the value realised."
                )
            ]
        )
    )
    if listed.may_manage:
        blocks.append(
            ActionsBlock(
                elements=[
                    ButtonElement(text="Add benefit", action_id=ADD_ACTION, value=project.key)
                ]
            )
        )
    return [block.to_dict() for block in blocks]


def _line_text(line: BenefitLine) -> str:
    benefit = line.benefit
    state = STATUS_WORDS[line.status]
    if line.status in (BenefitStatus.REALISED, BenefitStatus.MISSED):
        state += (
            f": {mrkdwn.escape(realised_text(benefit))}, recorded by "
            f"{mrkdwn.mention(benefit.recorded_by)}"
        )
    return f"{benefit_text(benefit)}\n{state}"


def _remove_button(benefit: Benefit) -> ButtonElement:
    return ButtonElement(
        text="Remove",
        action_id=REMOVE_ACTION,
        value=str(benefit.id),
        confirm=ConfirmObject(
            title="Remove this benefit?",
            text=mrkdwn.fit(f"“{benefit.title}” will no longer be tracked.", 300),
            confirm="Remove",
            deny="Keep it",
        ),
    )


# -- the check-in nudge and the digest ------------------------------------------------------


def check_in_context(benefit: Benefit) -> dict[str, Any]:
    """What the check-in nudge's template names: the benefit, its target, its date."""
    return {"benefit": benefit, "target": target_text(benefit)}


def digest_context(review: BenefitsReview) -> dict[str, Any]:
    """The Benefits section's lines, with plain dates ("1 Dec") and figures ("5 %")."""
    return {
        "any": not review.empty,
        "due": [_note(note) for note in review.due],
        "unrecorded": [_note(note) for note in review.unrecorded],
        "realised": [_note(note) for note in review.realised],
        "missed": [_note(note) for note in review.missed],
    }


def _note(note: BenefitNote) -> dict[str, Any]:
    return {
        "project": note.project,
        "benefit": note.benefit,
        "target": target_text(note.benefit),
        "realised": realised_text(note.benefit),
        "since": mrkdwn.day(note.since),
        "ask": note.ask,
    }
