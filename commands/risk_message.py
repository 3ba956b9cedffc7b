"""How risks look in Slack: the card in the project channel, the escalation, the lists."""

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
from commands.labels import RISK_STATUS_WORDS, SEVERITY_EMOJI
from storage.models import Risk, RiskKind, RiskStatus
from storage.watchlist import UnattendedRisk
from workflows.risks import (
    IMPACT,
    PROBABILITY,
    RiskCard,
    RiskEscalation,
    RiskRegister,
    Severity,
    is_scored,
    risk_label,
)

OWN_ACTION = "risk.own"
MITIGATING_ACTION = "risk.mitigating"
CLOSE_ACTION = "risk.close"
CONVERT_ACTION = "risk.convert"
EDIT_ACTION = "risk.edit"
# On the review reminder (commands/nudge_message.py), handled with the card's buttons.
REVIEW_ACTION = "risk.review_date"
KIND_WORDS = {
    RiskKind.RISK: "Risk",
    RiskKind.ISSUE: "Issue",
    RiskKind.ASSUMPTION: "Assumption",
    RiskKind.DECISION: "Decision",
}
SECTION_MAX = 3000
MESSAGE_BLOCKS_MAX = 50


def severity_text(risk: Risk | UnattendedRisk, band: Severity) -> str:
    """`:red_circle: Critical · P4 Likely × I5 Severe = 20`."""  # noqa: RUF002
    return (
        f"{SEVERITY_EMOJI[band]} {band.value.capitalize()} · P{risk.probability} "
        f"{PROBABILITY[risk.probability]} × I{risk.impact} {IMPACT[risk.impact]} = {risk.score}"
    )


def risk_card(card: RiskCard) -> tuple[str, list[dict[str, Any]]]:
    """The entry as posted in the channel, with buttons while it is active."""
    risk, project, band, today = card.risk, card.project, card.band, card.today
    kind = KIND_WORDS[RiskKind(risk.kind)]
    status = RiskStatus(risk.status)
    review = mrkdwn.day(risk.review_date)
    if risk.review_date and status.is_active and risk.review_date < today:
        review += " :alarm_clock: overdue"
    first = (
        f"*Severity*\n{severity_text(risk, band)}"
        if is_scored(risk.kind)
        else f"*Decided by*\n{mrkdwn.mention(risk.decided_by)}"
        if risk.kind == RiskKind.DECISION
        else "*Severity*\nNot scored"
    )
    fields = [
        first,
        f"*Status*\n{RISK_STATUS_WORDS[status]}",
        f"*Owner*\n{mrkdwn.mention(risk.owner)}",
        f"*Category*\n{mrkdwn.escape(risk.category)}",
        f"*Review by*\n{review}",
        f"*Raised by*\n{mrkdwn.mention(risk.raised_by)}",
    ]
    blocks: list[Any] = [
        HeaderBlock(text=mrkdwn.fit(f"{risk_label(risk, project)} · {risk.title}", 150)),
        ContextBlock(elements=[MarkdownTextObject(text=_where(card, kind))]),
        SectionBlock(fields=fields),
    ]
    for heading, text in (
        ("Description", risk.description),
        ("Mitigation", risk.mitigation),
        ("Options considered", risk.options),
        ("Rationale", risk.rationale),
    ):
        if text.strip():
            blocks.append(
                SectionBlock(text=mrkdwn.fit(f"*{heading}*\n{mrkdwn.escape(text)}", SECTION_MAX))
            )
    if risk.resolution and not status.is_active:
        blocks.append(
            SectionBlock(
                text=mrkdwn.fit(f"*Resolution*\n{mrkdwn.escape(risk.resolution)}", SECTION_MAX)
            )
        )
    if status.is_active:
        blocks.append(_buttons(risk))
    graded = f" ({band.value})" if is_scored(risk.kind) else ""
    text = f"{kind} {risk_label(risk, project)}{graded}: {mrkdwn.escape(risk.title)}"
    return mrkdwn.fit(text, 3000), [block.to_dict() for block in blocks]


def _where(card: RiskCard, kind: str) -> str:
    # Risks, issues, assumptions and decisions share one numbering per project, so an issue
    # raised from APOLLO-R1 is APOLLO-I2: the card names its risk and says why.
    project = card.project
    where = f"{kind} on *{project.key}* · {mrkdwn.escape(project.name)}"
    if card.source is None:
        return where
    return (
        f"{where} · raised from {card.source} · {project.key}'s risks, issues, assumptions "
        "and decisions share one numbering"
    )


def _buttons(risk: Risk) -> ActionsBlock:
    value = str(risk.id)
    elements = [
        ButtonElement(text="Take ownership", action_id=OWN_ACTION, value=value),
    ]
    if risk.status == RiskStatus.OPEN and is_scored(risk.kind):
        elements.append(ButtonElement(text="Mitigating", action_id=MITIGATING_ACTION, value=value))
    elements.append(ButtonElement(text="Edit", action_id=EDIT_ACTION, value=value))
    elements.append(ButtonElement(text="Close", action_id=CLOSE_ACTION, value=value))
    if risk.kind == RiskKind.RISK:
        elements.append(
            ButtonElement(
                text="Became an issue",
                action_id=CONVERT_ACTION,
                value=value,
                style="danger",
                confirm=ConfirmObject(
                    title="It happened?",
                    text="This risk is closed and a new issue is raised in its place.",
                    confirm="Yes, it's an issue",
                    deny="Cancel",
                ),
            )
        )
    return ActionsBlock(elements=elements)


def escalation(note: RiskEscalation) -> tuple[str, list[dict[str, Any]]]:
    """The direct message a sponsor (or PM) gets for a high or critical entry."""
    risk, project, band = note.risk, note.project, note.band
    kind = "issue" if risk.kind == RiskKind.ISSUE else "risk"
    where = f" in {mrkdwn.channel(project.channel_id)}" if project.channel_id else ""
    text = (
        f":rotating_light: {band.value.capitalize()} {kind} on {project.key}: "
        f"*{risk_label(risk, project)} · {mrkdwn.escape(risk.title)}*"
    )
    detail = (
        f"{severity_text(risk, band)}\nRaised by {mrkdwn.mention(risk.raised_by)} · "
        f"owner {mrkdwn.mention(risk.owner)}. It is posted{where}."
    )
    blocks = [
        SectionBlock(text=mrkdwn.fit(text, SECTION_MAX)),
        ContextBlock(elements=[MarkdownTextObject(text=detail)]),
    ]
    return mrkdwn.fit(text, 3000), [block.to_dict() for block in blocks]


def risk_list(register: RiskRegister, *, title: str, empty: str) -> list[dict[str, Any]]:
    """A list of entries, highest score first, one line each, within one message."""
    entries, today = register.entries, register.today
    if not entries:
        return [SectionBlock(text=empty).to_dict()]
    lines = []
    for risk, project, band in entries:
        owner = f"owner {mrkdwn.mention(risk.owner)}" if risk.owner else "no owner"
        status = RISK_STATUS_WORDS[RiskStatus(risk.status)].lower()
        review = ""
        if risk.review_date is not None:
            late = " :alarm_clock:" if risk.review_date < today else ""
            review = f" · review {mrkdwn.day(risk.review_date)}{late}"
        score = f"{SEVERITY_EMOJI[band]} *{risk_label(risk, project)}* {risk.score}"
        if not is_scored(risk.kind):
            score = f":memo: *{risk_label(risk, project)}* {risk.kind}"
        lines.append(f"{score} · {mrkdwn.escape(risk.title)} · {owner} · {status}{review}")
    blocks: list[Any] = [HeaderBlock(text=mrkdwn.fit(title, 150))]
    chunk: list[str] = []
    for line in lines:
        line = mrkdwn.fit(line, SECTION_MAX)
        if chunk and len("\n".join([*chunk, line])) > SECTION_MAX:
            blocks.append(SectionBlock(text="\n".join(chunk)))
            chunk = []
            if len(blocks) == MESSAGE_BLOCKS_MAX - 1:
                break
        chunk.append(line)
    if chunk and len(blocks) < MESSAGE_BLOCKS_MAX:
        blocks.append(SectionBlock(text="\n".join(chunk)))
    return [block.to_dict() for block in blocks]
