"""How status updates look in Slack: the channel post, the last update, the history."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from commands import mrkdwn
from commands.labels import (
    DIMENSION_LABELS,
    RAG_EMOJI,
    TEAM_CAPACITY_EMOJI,
    TEAM_CAPACITY_LABELS,
)
from storage.models import Acknowledgement, Project, Rag, StatusUpdate, TeamCapacity
from workflows.acknowledgements import AcknowledgementNotice
from workflows.money import format_money
from workflows.status import DIMENSIONS, Changes, HistoryLine, StatusPost, StatusRetired
from workflows.wording import count, last, period_words

HISTORY_ACTION = "status.history"
UPDATE_AGAIN_ACTION = "status.update_again"
# The buttons for the sponsor, PMO leads and digest leaders; their value is the update's id.
ACKNOWLEDGE_ACTION = "status.acknowledge"
COMMENT_ACTION = "status.comment"
SECTION_MAX = 3000
FIELD_MAX = 2000
# The post stays within Slack's 50 blocks however many leaders acknowledge and comment.
NAMED_MAX = 20
COMMENTS_MAX = 20


def rag_words(rag: Rag | str) -> str:
    """`:red_circle: Off track`."""
    rag = Rag(rag)
    return f"{RAG_EMOJI[rag]} {rag.label}"


def status_post(post: StatusPost) -> tuple[str, list[dict[str, Any]]]:
    """The message posted to the project's channel: (notification text, blocks)."""
    project, update = post.project, post.update
    header = mrkdwn.fit(f"{project.key} · {project.name} — {Rag(update.overall).label}", 150)
    author = mrkdwn.mention(update.author)
    byline = f"{RAG_EMOJI[Rag(update.overall)]} Status by {author} · {period_words(update.period)}"
    if update.percent_complete is not None:
        byline += f" · {update.percent_complete}% complete"
    if post.replaced:
        byline += " · replaces the earlier update of this period"
    blocks: list[Any] = [
        HeaderBlock(text=header),
        ContextBlock(elements=[MarkdownTextObject(text=byline)]),
    ]
    blocks += _flag_sections(update)
    # A replacement is compared with the update before the one it replaces; with none, the
    # first of its period says nothing of what changed (it is not the project's first).
    if not (post.replaced and post.changes.first_update):
        blocks.append(SectionBlock(text=mrkdwn.fit(changes_text(post.changes), SECTION_MAX)))
    blocks.append(_dimension_fields(update))
    blocks += _team_capacity_blocks(update)
    blocks += _text_sections(update)
    money = _money_line(project, update)
    if money:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=money)]))
    blocks += _acknowledgement_blocks(post.acknowledgements)
    blocks.append(_actions(project, update))
    summary = mrkdwn.fit(mrkdwn.escape(update.summary), 200)
    text = f"{project.key} status: {Rag(update.overall).label} — {summary}"
    return text, [block.to_dict() for block in blocks]


def retired_post(retired: StatusRetired) -> tuple[str, list[dict[str, Any]]]:
    """What an update's message becomes once a newer one in the same period replaces it."""
    update, newer = retired.update, retired.newer
    text = (
        f":arrows_counterclockwise: This {retired.project.key} update was replaced by a newer "
        f"one from {mrkdwn.mention(newer.author)} {mrkdwn.when(newer.created_at)}."
    )
    blocks = [
        ContextBlock(elements=[MarkdownTextObject(text=text)]),
        SectionBlock(
            text=mrkdwn.fit(
                f"~{rag_words(update.overall)}~ {mrkdwn.escape(update.summary)}", SECTION_MAX
            )
        ),
    ]
    return text, [block.to_dict() for block in blocks]


def changes_text(changes: Changes) -> str:
    """What changed since the last update of an earlier period, in a few lines."""
    if changes.first_update:
        return "*What changed:* first update for this project."
    lines = []
    for name, before, after in changes.rag_moves:
        label = "Overall" if name == "overall" else DIMENSION_LABELS[name]
        lines.append(f"{label}: {rag_words(before)} → {rag_words(after)}")
    if changes.percent_delta:
        lines.append(f"Progress: {changes.percent_delta:+d} points")
    for blocker in changes.new_blockers:
        lines.append(f"New blocker: {mrkdwn.escape(blocker)}")
    if not lines:
        return "*What changed since last time:* no change in RAG, progress or blockers."
    return "*What changed since last time:*\n" + "\n".join(f"• {line}" for line in lines)


def _flag_sections(update: StatusUpdate) -> list[SectionBlock]:
    if not update.flagged:
        return []
    flags = "; ".join(mrkdwn.escape(flag) for flag in update.flags)
    return [SectionBlock(text=mrkdwn.fit(f":warning: *Flagged:* {flags}", SECTION_MAX))]


def _dimension_fields(update: StatusUpdate) -> SectionBlock:
    return SectionBlock(
        fields=[
            f"*{DIMENSION_LABELS[name]}*\n{rag_words(getattr(update, name))}" for name in DIMENSIONS
        ]
    )


def _team_capacity_blocks(update: StatusUpdate) -> list[ContextBlock]:
    # What the PM said of the team's next two weeks; nothing when they did not say.
    if update.team_capacity is None:
        return []
    label = TEAM_CAPACITY_LABELS[TeamCapacity(update.team_capacity)].lower()
    text = f"{TEAM_CAPACITY_EMOJI} Team capacity for the next two weeks: *{label}*"
    return [ContextBlock(elements=[MarkdownTextObject(text=text)])]


def _actions(project: Project, update: StatusUpdate | None = None) -> ActionsBlock:
    # A channel post (`update` given) is also where leaders acknowledge the update.
    buttons = [
        ButtonElement(text="View history", action_id=HISTORY_ACTION, value=project.key),
        ButtonElement(text="Update again", action_id=UPDATE_AGAIN_ACTION, value=project.key),
    ]
    if update is not None:
        value = str(update.id)
        buttons.append(ButtonElement(text="Acknowledge", action_id=ACKNOWLEDGE_ACTION, value=value))
        buttons.append(ButtonElement(text="Comment", action_id=COMMENT_ACTION, value=value))
    return ActionsBlock(elements=buttons)


def _acknowledgement_blocks(given: tuple[Acknowledgement, ...]) -> list[Any]:
    # Who acknowledged and when, on one line; then each comment in its own section.
    if not given:
        return []
    named = ", ".join(
        f"{mrkdwn.mention(a.user_id)} ({mrkdwn.when(a.created_at)})" for a in given[:NAMED_MAX]
    )
    more = f" and {len(given) - NAMED_MAX} more" if len(given) > NAMED_MAX else ""
    line = f":white_check_mark: Acknowledged by {named}{more}"
    blocks: list[Any] = [ContextBlock(elements=[MarkdownTextObject(text=line)])]
    commented = [a for a in given if a.comment]
    for a in commented[:COMMENTS_MAX]:
        text = f":speech_balloon: {mrkdwn.mention(a.user_id)}: {mrkdwn.escape(a.comment)}"
        blocks.append(SectionBlock(text=mrkdwn.fit(text, SECTION_MAX)))
    if len(commented) > COMMENTS_MAX:
        hidden = len(commented) - COMMENTS_MAX
        note = f"{count(hidden, 'more comment')} not shown."
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=note)]))
    return blocks


def acknowledgement_notice(notice: AcknowledgementNotice) -> tuple[str, list[dict[str, Any]]]:
    """The direct message telling the PM that a leader read their update, with the comment."""
    project, update = notice.project, notice.update
    verb = "commented on" if notice.again else "acknowledged"
    where = f" in {mrkdwn.channel(project.channel_id)}" if project.channel_id else ""
    head = (
        f":white_check_mark: {mrkdwn.mention(notice.by)} {verb} the {project.key} status for "
        f"{period_words(update.period, the=True)} ({rag_words(update.overall)}){where}."
    )
    blocks: list[Any] = [SectionBlock(text=head)]
    text = head
    if notice.comment:
        said = mrkdwn.escape(notice.comment)
        quote = "\n".join(f">{line}" for line in said.splitlines())
        blocks.append(SectionBlock(text=mrkdwn.fit(quote, SECTION_MAX)))
        text += f" “{mrkdwn.fit(said, 200)}”"
    return text, [block.to_dict() for block in blocks]


def _text_sections(update: StatusUpdate) -> list[SectionBlock]:
    sections = []
    for label, value in (
        ("Summary", update.summary),
        ("Accomplishments", update.accomplishments),
        ("Next steps", update.next_steps),
        ("Blockers", update.blockers),
        ("Path to green", update.path_to_green),
    ):
        if value.strip():
            text = f"*{label}*\n{mrkdwn.escape(value)}"
            sections.append(SectionBlock(text=mrkdwn.fit(text, SECTION_MAX)))
    return sections


def _money_line(project: Project, update: StatusUpdate) -> str:
    parts = []
    if update.spent_to_date is not None:
        parts.append(f"Spent to date {format_money(update.spent_to_date)}")
    if update.forecast_at_completion is not None:
        parts.append(f"forecast at completion {format_money(update.forecast_at_completion)}")
    if parts and project.budget is not None:
        parts.append(f"budget {format_money(project.budget)}")
        if (
            update.forecast_at_completion is not None
            and update.forecast_at_completion > project.budget
        ):
            over = update.forecast_at_completion - project.budget
            parts.append(f":warning: {format_money(over)} over budget")
    return " · ".join(parts)


def last_update_blocks(*, project: Project, update: StatusUpdate | None) -> list[dict[str, Any]]:
    """`/status KEY`: the last update as a card, or how to post the first one."""
    if update is None:
        return [
            SectionBlock(
                text=f"*{project.key}* has no status update yet. `/status {project.key}` "
                "alone shows this; `/status` opens the form to post one."
            ).to_dict()
        ]
    byline = (
        f"Last update by {mrkdwn.mention(update.author)} {mrkdwn.when(update.created_at)} · "
        f"{period_words(update.period)}"
    )
    if update.percent_complete is not None:
        byline += f" · {update.percent_complete}% complete"
    blocks: list[Any] = [
        HeaderBlock(
            text=mrkdwn.fit(f"{project.key} · {project.name} — {Rag(update.overall).label}", 150)
        ),
        ContextBlock(elements=[MarkdownTextObject(text=byline)]),
    ]
    blocks += _flag_sections(update)
    blocks.append(_dimension_fields(update))
    blocks += _team_capacity_blocks(update)
    blocks += _text_sections(update)
    blocks.append(_actions(project))
    return [block.to_dict() for block in blocks]


def history_blocks(*, project: Project, lines: list[HistoryLine]) -> list[dict[str, Any]]:
    """`/status history KEY`: the trend line, then one line per period, newest last."""
    if not lines:
        return last_update_blocks(project=project, update=None)
    trend = " ".join(RAG_EMOJI[Rag(line.update.overall)] for line in lines)
    rows = []
    for line in lines:
        update = line.update
        percent = f" {update.percent_complete}%" if update.percent_complete is not None else ""
        earlier = line.versions - 1
        edited = f" _(edited; {count(earlier, 'earlier version')} kept)_" if earlier else ""
        flag = " :warning:" if update.flagged else ""
        summary = mrkdwn.fit(mrkdwn.escape(" ".join(update.summary.split())), 120)
        rag = RAG_EMOJI[Rag(update.overall)]
        read = (
            f" · acknowledged by {mrkdwn.mentions(list(line.acknowledged_by))}"
            if line.acknowledged_by
            else ""
        )
        rows.append(
            f"{period_words(update.period)} · {rag}{percent}{flag} {summary} — "
            f"{mrkdwn.mention(update.author)}{edited}{read}"
        )
    blocks: list[Any] = [
        HeaderBlock(text=mrkdwn.fit(f"{project.key} · {last(len(lines), 'update')}", 150)),
        SectionBlock(text=f"*Trend* (oldest → newest)\n{trend}"),
        SectionBlock(text=mrkdwn.fit("\n".join(rows), SECTION_MAX)),
    ]
    return [block.to_dict() for block in blocks]
