"""Project types: the lifecycles PMO leads define ("Software", "Facilities"), each with its
ordered phases, the gate checklist into each phase, the default approval rule and SLA, and
the status dimensions to ask.

PMO leads (and Slack's workspace admins) create and change them; a phase that active
projects of the type are in can't be removed. Phases and checklists are typed as text:
phases one per line, checklist lines `Phase: item`, ending `(required)` when it must be
ticked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from storage import audit
from storage.models import ProjectType
from storage.project_type_log import (
    DIMENSIONS,
    find_type,
    projects_in_phases,
    type_by_id,
    types_of,
)
from storage.workspaces import ensure_workspace
from workflows.actor import Actor
from workflows.errors import InvalidInput, NotPermitted, PmoError
from workflows.markup import mentions
from workflows.outgoing import Outgoing
from workflows.projects import GATE_RULES

NAME_MAX = 50
PHASES_MIN, PHASES_MAX = 2, 12
PHASE_MAX = 50
ITEM_MAX = 200
SLA_DAYS = range(1, 31)
REQUIRED = re.compile(r"\s*\(required\)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class TypeDraft:
    """What a PMO lead asks a type to be, before the rules have looked at it."""

    name: str
    phases: list[str]
    # Phase to its entry checklist: [{"item": "...", "required": True}, ...].
    checklists: dict[str, list[dict[str, Any]]]
    gate_rule: str = "all"
    gate_sla_days: int = 2
    dimensions: list[str] = field(default_factory=lambda: list(DIMENSIONS))


@dataclass(frozen=True)
class TypeSaved:
    """A type as created or changed (nothing to announce)."""

    project_type: ProjectType
    messages: list[Outgoing] = field(default_factory=list)


def parse_phases(text: str) -> list[str]:
    """The phases typed one per line, blank lines left out."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def parse_checklists(text: str) -> dict[str, list[dict[str, Any]]]:
    """Checklist lines `Phase: item (required)` grouped by phase, in the order typed;
    ValueError naming the first line that is not of that form."""
    checklists: dict[str, list[dict[str, Any]]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        phase, colon, item = line.partition(":")
        required = bool(REQUIRED.search(item))
        item = REQUIRED.sub("", item).strip()
        if not colon or not phase.strip() or not item:
            raise ValueError(
                f"Line {number} should read `Phase: item`, with `(required)` at the end "
                "when it must be ticked."
            )
        checklists.setdefault(phase.strip(), []).append({"item": item, "required": required})
    return checklists


def checklists_text(project_type: ProjectType) -> str:
    """The type's checklists as the form shows them, phase by phase."""
    return "\n".join(
        f"{phase}: {entry['item']}" + (" (required)" if entry.get("required") else "")
        for phase in project_type.phases
        for entry in project_type.checklists.get(phase, [])
    )


def check_type(
    *, session: Session, team_id: str, draft: TypeDraft, editing: ProjectType | None = None
) -> dict[str, str]:
    """What is wrong with the draft, field by field (empty when it may be saved)."""
    errors: dict[str, str] = {}
    name = draft.name.strip()
    other = find_type(session=session, team_id=team_id, name=name) if name else None
    if not name or len(name) > NAME_MAX:
        errors["name"] = f"A type's name is 1 to {NAME_MAX} characters."
    elif other is not None and (editing is None or other.id != editing.id):
        errors["name"] = f"There is already a type called {other.name}."
    if problem := _phase_problem(draft.phases):
        errors["phases"] = problem
    elif editing is not None and (occupied := _occupied(session, editing, draft.phases)):
        errors["phases"] = occupied
    if problem := _checklist_problem(draft.checklists, draft.phases):
        errors["checklists"] = problem
    if draft.gate_rule not in GATE_RULES:
        errors["gate_rule"] = "Pick one of the approval rules."
    if draft.gate_sla_days not in SLA_DAYS:
        errors["gate_sla_days"] = "Approvers get 1 to 30 working days to decide."
    if not draft.dimensions or not set(draft.dimensions) <= set(DIMENSIONS):
        errors["dimensions"] = "Ask about at least one of " + ", ".join(DIMENSIONS) + "."
    return errors


def _phase_problem(phases: list[str]) -> str | None:
    if not PHASES_MIN <= len(phases) <= PHASES_MAX:
        return f"Give {PHASES_MIN} to {PHASES_MAX} phases, one per line, in order."
    if any(len(p) > PHASE_MAX for p in phases):
        return f"A phase's name is at most {PHASE_MAX} characters."
    if len({p.lower() for p in phases}) != len(phases):
        return "Each phase appears once."
    return None


def _checklist_problem(
    checklists: dict[str, list[dict[str, Any]]], phases: list[str]
) -> str | None:
    unknown = [p for p in checklists if p not in phases]
    if unknown:
        return f"{', '.join(unknown)}: not one of the phases above (they are spelled the same)."
    if any(len(e["item"]) > ITEM_MAX for items in checklists.values() for e in items):
        return f"A checklist item is at most {ITEM_MAX} characters."
    return None


def _occupied(session: Session, editing: ProjectType, phases: list[str]) -> str | None:
    # A phase that active projects of this type are in stays: they would have nowhere to be.
    assert editing.id is not None
    removed = [p for p in editing.phases if p not in phases]
    stuck = projects_in_phases(
        session=session, team_id=editing.team_id, type_id=editing.id, phases=removed
    )
    if not stuck:
        return None
    named = ", ".join(f"{p.key} ({p.phase})" for p in stuck)
    return f"Projects are in phases this removes: {named}. Move them on first, or keep the phase."


def may_define_types(*, session: Session, team_id: str, user_id: str, is_slack_admin: bool) -> bool:
    """The PMO leads and Slack's workspace admins and owners may."""
    return is_slack_admin or user_id in ensure_workspace(session=session, team_id=team_id).pmo_leads


def require_may_define_types(
    *, session: Session, team_id: str, user_id: str, is_slack_admin: bool
) -> None:
    """Raise NotPermitted naming who may define project types, unless `user_id` may."""
    if may_define_types(
        session=session, team_id=team_id, user_id=user_id, is_slack_admin=is_slack_admin
    ):
        return
    leads = ensure_workspace(session=session, team_id=team_id).pmo_leads
    who = (
        f"the PMO leads ({mentions(leads)}) or a Slack workspace admin"
        if leads
        else ("a Slack workspace admin")
    )
    raise NotPermitted(f"Only {who} can define project types.")


def type_named(*, session: Session, team_id: str, name: str) -> ProjectType:
    """The type with this name, or PmoError naming the workspace's types."""
    found = find_type(session=session, team_id=team_id, name=name)
    if found is None:
        names = ", ".join(t.name for t in types_of(session=session, team_id=team_id))
        raise PmoError(f"No project type is called {name.strip()[:NAME_MAX]}. The types: {names}.")
    return found


def save_type(
    *,
    session: Session,
    actor: Actor,
    is_slack_admin: bool,
    editing: int | None,
    draft: TypeDraft,
    now: datetime,
) -> TypeSaved:
    """The actor creates a type from the draft, or changes the type with id `editing`, if
    they may (asked again at saving: rights can change while a form is open). Audited with
    what changed; InvalidInput names every wrong field."""
    team_id = actor.team_id
    require_may_define_types(
        session=session, team_id=team_id, user_id=actor.user_id, is_slack_admin=is_slack_admin
    )
    kind = None
    if editing is not None:
        kind = type_by_id(session=session, team_id=team_id, type_id=editing)
        if kind is None:
            raise PmoError("That project type is not this workspace's.")
    errors = check_type(session=session, team_id=team_id, draft=draft, editing=kind)
    if errors:
        raise InvalidInput(errors)
    before = _describe(kind) if kind else None
    if kind is None:
        kind = ProjectType(team_id=team_id, name="", created_by=actor.user_id, created_at=now)
    kind.name = draft.name.strip()
    kind.phases = list(draft.phases)
    kind.checklists = {p: list(draft.checklists[p]) for p in draft.phases if p in draft.checklists}
    kind.gate_rule = draft.gate_rule
    kind.gate_sla_days = draft.gate_sla_days
    kind.dimensions = [d for d in DIMENSIONS if d in draft.dimensions]
    try:
        with session.begin_nested():
            session.add(kind)
    except IntegrityError:
        # Someone saved a type of that name since the check above.
        raise InvalidInput({"name": f"There is already a type called {kind.name}."}) from None
    after = _describe(kind)
    detail = (
        after
        if before is None
        else {"changes": {k: [before[k], after[k]] for k in after if before[k] != after[k]}}
    )
    audit.record(
        session=session,
        team_id=team_id,
        actor=actor.user_id,
        action="project_type.updated" if before else "project_type.created",
        entity="project_type",
        entity_id=kind.id or 0,
        at=now,
        detail={"name": kind.name, **detail},
    )
    return TypeSaved(kind)


def _describe(kind: ProjectType) -> dict[str, Any]:
    # JSON-safe snapshot of what the audit row should show.
    return {
        "name": kind.name,
        "phases": list(kind.phases),
        "checklists": dict(kind.checklists),
        "gate_rule": kind.gate_rule,
        "gate_sla_days": kind.gate_sla_days,
        "dimensions": list(kind.dimensions),
    }
