"""How lessons learned read in Slack: search results and the suggestions to a new project."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import ContextBlock, HeaderBlock, MarkdownTextObject, SectionBlock

from commands import mrkdwn
from storage.lesson_search import Found
from workflows.lesson_suggestions import CREATED, LessonSuggestions


def lesson_text(lesson: Any, project: Any) -> str:
    """The title, where it comes from and its tags, then the recommendation."""
    where = f"*{mrkdwn.escape(project.key)}*" if project is not None else "a removed project"
    tags = " ".join(f"`{mrkdwn.escape(t)}`" for t in lesson.tags)
    return mrkdwn.fit(
        f"*{mrkdwn.escape(lesson.title)}* · {where}{' · ' + tags if tags else ''}\n"
        f"{mrkdwn.escape(lesson.recommendation)}",
        3000,
    )


def search_results(words: str, found: list[Found]) -> list[dict[str, Any]]:
    """The lessons found (best first), or the newest when nothing was asked."""
    title = f"Lessons: {words.strip()}" if words.strip() else "Newest lessons"
    blocks: list[Any] = [HeaderBlock(text=title[:150])]
    blocks += [SectionBlock(text=lesson_text(lesson, project)) for lesson, project in found]
    if not found:
        said = "No lesson matches those words." if words.strip() else "No lessons yet."
        blocks.append(
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text=f"{said} Promote a retro item to a lesson from its summary's menu."
                    )
                ]
            )
        )
    return [block.to_dict() for block in blocks]


def suggestions(offered: LessonSuggestions) -> tuple[str, list[dict[str, Any]]]:
    """The direct message offering a project's lessons from other work."""
    project = offered.project
    moment = "starts" if offered.occasion == CREATED else "asks for its first gate"
    text = (
        f":bulb: As *{mrkdwn.escape(project.key)}* {moment}, lessons from other work that may help:"
    )
    blocks: list[Any] = [SectionBlock(text=text)]
    blocks += [SectionBlock(text=lesson_text(lesson, where)) for lesson, where in offered.found]
    blocks.append(
        ContextBlock(elements=[MarkdownTextObject(text="`/retro lessons words` finds more.")])
    )
    return text, [block.to_dict() for block in blocks]
