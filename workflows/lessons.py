"""Lessons learned: a retro item promoted to a lesson anyone in the workspace can find.

Anyone on the project (or its retro's facilitator, or a PMO lead) promotes an item: a
title, what happened, the recommendation and tags (lower-case words, like skills). The
promotion is audited; the item's author, if it had one, is not copied anywhere.
`/retro lessons words` searches every project's lessons, best match first
(storage/lesson_search.py); new projects are offered those whose tags match them
(workflows/lesson_suggestions.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from storage import audit, lesson_search, retro_action_log
from storage.lesson_search import Found
from storage.models import Lesson, Project, Retro, RetroItem
from storage.workspaces import ensure_workspace
from workflows.actor import Actor
from workflows.capacity import SKILL, is_pmo_lead
from workflows.errors import InvalidInput, NotPermitted, PmoError, too_long
from workflows.markup import quoted
from workflows.outgoing import Outgoing
from workflows.retro_actions import project_people

TITLE_MAX = 200
TEXT_MAX = 3000
TAGS_MAX = 10
SHOWN = 10
TITLE, WHAT_HAPPENED, RECOMMENDATION, TAGS = "title", "what_happened", "recommendation", "tags"


@dataclass(frozen=True)
class LessonDraft:
    """What the form gives, as typed."""

    title: str
    what_happened: str
    recommendation: str
    tags: str


@dataclass(frozen=True)
class LessonAsk:
    """What the form for a lesson shows: the item it comes from, prefilled."""

    item_id: int
    project: Project
    what_happened: str


@dataclass(frozen=True)
class LessonPromoted:
    """A stored lesson (no message: the form says so)."""

    lesson: Lesson
    project: Project
    messages: list[Outgoing] = field(default_factory=list)


def parse_tags(text: str) -> list[str]:
    """Tags such as `vendor, contracts` (lower case; letters, digits, + # . -); ValueError
    in words for the person otherwise."""
    tags = list(dict.fromkeys(t for t in re.split(r"[,\s]+", text.strip().lower()) if t))
    bad = [t for t in tags if not SKILL.fullmatch(t)]
    if bad:
        raise ValueError(
            f"`{quoted(bad[0], 40)}` is not a tag: use letters, digits and - (e.g. `vendor`)."
        )
    if len(tags) > TAGS_MAX:
        raise ValueError(f"At most {TAGS_MAX} tags.")
    return tags


def lesson_form(*, session: Session, actor: Actor, item_id: int) -> LessonAsk:
    """The form's contents for promoting an item, if the actor may."""
    item, retro, project = _item(session, actor, item_id)
    _require_may_promote(session, actor, retro, project)
    return LessonAsk(item_id, project, item.text.strip()[:TEXT_MAX])


def promote(
    *, session: Session, actor: Actor, item_id: int, draft: LessonDraft, now: datetime
) -> LessonPromoted:
    """Promote a retro item to a lesson, audited; InvalidInput names each wrong field."""
    item, retro, project = _item(session, actor, item_id)
    _require_may_promote(session, actor, retro, project)
    errors: dict[str, str] = {}
    for name, what, text, limit in (
        (TITLE, "The title", draft.title, TITLE_MAX),
        (WHAT_HAPPENED, "What happened", draft.what_happened, TEXT_MAX),
        (RECOMMENDATION, "The recommendation", draft.recommendation, TEXT_MAX),
    ):
        if not text.strip():
            errors[name] = f"{what} cannot be empty."
        elif problem := too_long(what, text, limit):
            errors[name] = problem
    tags: list[str] = []
    try:
        tags = parse_tags(draft.tags)
    except ValueError as exc:
        errors[TAGS] = str(exc)
    if errors:
        raise InvalidInput(errors)
    lesson = Lesson(
        team_id=actor.team_id,
        project_id=project.id,
        item_id=item.id,
        title=draft.title.strip(),
        what_happened=draft.what_happened.strip(),
        recommendation=draft.recommendation.strip(),
        tags=tags,
        created_by=actor.user_id,
        created_at=now,
    )
    session.add(lesson)
    session.flush()
    audit.record(
        session=session,
        team_id=actor.team_id,
        actor=actor.user_id,
        action=retro_action_log.LESSON_PROMOTED,
        entity="lesson",
        entity_id=lesson.id or 0,
        at=now,
        detail={"project": project.key, "item_id": item.id, "title": lesson.title, "tags": tags},
    )
    return LessonPromoted(lesson, project)


def find_lessons(*, session: Session, actor: Actor, words: str) -> list[Found]:
    """Every project's lessons matching `words`, best first (the newest with no words)."""
    if not words.strip():
        return lesson_search.newest(session=session, team_id=actor.team_id, limit=SHOWN)
    return lesson_search.search(session=session, team_id=actor.team_id, query=words, limit=SHOWN)


def _require_may_promote(session: Session, actor: Actor, retro: Retro, project: Project) -> None:
    people = project_people(session, project) | {retro.facilitator}
    workspace = ensure_workspace(session=session, team_id=actor.team_id)
    if actor.user_id in people or is_pmo_lead(workspace, actor.user_id):
        return
    raise NotPermitted(
        f"Only the people of {project.key} or a PMO lead promote its retro items to lessons."
    )


def _item(session: Session, actor: Actor, item_id: int) -> tuple[RetroItem, Retro, Project]:
    found = retro_action_log.find_item(session=session, team_id=actor.team_id, item_id=item_id)
    if found is None:
        raise PmoError("That retro item is no longer there.")
    return found
