"""Lessons offered when a project starts: up to three whose tags match words of the
project's name, key and phase (or the phases its first gate joins).

A module of its own, on storage only: workflows/projects.py and workflows/gates.py call
it, and workflows/lessons.py depends on them, so it can't live there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import Session

from storage import lesson_search
from storage.lesson_search import Found
from storage.models import Project
from workflows import message_keys
from workflows.outgoing import Outgoing

SUGGESTED = 3
CREATED, FIRST_GATE = "created", "gate1"


@dataclass(frozen=True)
class LessonSuggestions:
    """Lessons from other work that may help a project now (message content)."""

    project: Project
    found: list[Found]
    occasion: str


def suggested_lessons(
    *, session: Session, project: Project, to: str, occasion: str, words: list[str]
) -> list[Outgoing]:
    """A direct message to `to` with up to three lessons whose tags match `words` (with the
    project's name and key); none when no lesson matches."""
    wanted = {
        w.lower() for text in (project.name, project.key, *words) for w in re.findall(r"\w+", text)
    }
    found = lesson_search.tagged(
        session=session, team_id=project.team_id, words=wanted, limit=SUGGESTED
    )
    if not found or project.id is None:
        return []
    return [
        Outgoing(
            team_id=project.team_id,
            key=message_keys.lessons_suggested(project.id, occasion),
            to=to,
            content=LessonSuggestions(project, found, occasion),
        )
    ]
