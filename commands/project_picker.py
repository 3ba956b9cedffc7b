"""The "Project" picker at the top of forms: your projects first, searchable past 100."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    ExternalDataSelectElement,
    InputBlock,
    Option,
    OptionGroup,
    StaticSelectElement,
)
from sqlmodel import Session

from storage.models import Role
from storage.projects import projects_with_role

STATIC_SELECT_MAX = 100


@dataclass(frozen=True)
class ProjectChoice:
    """A project the person may pick, and whether they run it (those come first)."""

    key: str
    name: str
    runs_it: bool

    def option(self) -> Option:
        return Option(value=self.key, label=f"{self.key} · {self.name}"[:75])


def project_choices(
    *, session: Session, team_id: str, user_id: str, roles: set[Role]
) -> list[ProjectChoice]:
    """Projects where the person holds one of `roles`: those they run (PM) first."""
    run = projects_with_role(session=session, team_id=team_id, user_id=user_id, roles={Role.PM})
    run_keys = {p.key for p in run} if Role.PM in roles else set()
    others = projects_with_role(
        session=session, team_id=team_id, user_id=user_id, roles=roles - {Role.PM}
    )
    return [ProjectChoice(p.key, p.name, True) for p in run if p.key in run_keys] + [
        ProjectChoice(p.key, p.name, False) for p in others if p.key not in run_keys
    ]


def project_picker(
    choices: list[ProjectChoice],
    selected: ProjectChoice | None,
    *,
    block_id: str,
    action_id: str,
    refills: bool = False,
) -> InputBlock:
    """A static select grouped by role, or an external (searched) one past 100 projects.

    `refills`: picking a project sends an action, so the form can refill for it.
    """
    initial = selected.option() if selected else None
    element: Any
    if len(choices) > STATIC_SELECT_MAX:
        element = ExternalDataSelectElement(
            action_id=action_id,
            placeholder="Type a key or name",
            min_query_length=0,
            initial_option=initial,
        )
    else:
        groups = [
            OptionGroup(label=label, options=[c.option() for c in choices if c.runs_it is runs])
            for label, runs in (("Projects you run", True), ("Your other projects", False))
            if any(c.runs_it is runs for c in choices)
        ]
        if selected is not None and selected.key not in {c.key for c in choices}:
            groups.append(OptionGroup(label="This channel's project", options=[selected.option()]))
        element = StaticSelectElement(
            action_id=action_id, option_groups=groups, initial_option=initial
        )
    return InputBlock(
        block_id=block_id, label="Project", element=element, dispatch_action=refills or None
    )


def project_options(choices: list[ProjectChoice], typed: str) -> list[dict[str, Any]]:
    """Options for the external picker: matches on key or name, at most 100."""
    needle = typed.strip().lower()
    found = [c for c in choices if needle in c.key.lower() or needle in c.name.lower()]
    return [c.option().to_dict() for c in found[:STATIC_SELECT_MAX]]
