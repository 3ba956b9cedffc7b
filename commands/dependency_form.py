"""The "Dependency" form of `/pmo depends`: which project waits, on which, for what, by when.

Both project menus list at most 100 projects; past that they are searched (external
selects, answered by commands/depends.py). Block ids are the draft's own field names, so
the rules' errors land on their field.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    DatePickerElement,
    ExternalDataSelectElement,
    InputBlock,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from commands import mrkdwn
from commands.dependency_message import need_words
from commands.project_picker import STATIC_SELECT_MAX, ProjectChoice
from commands.view_state import ViewState
from workflows.dependencies import DELIVERABLE_MAX, DependencyDraft, DependencySaved

CALLBACK_ID = "dependency.save"
DOWNSTREAM_ACTION = "dependency.downstream"
UPSTREAM_ACTION = "dependency.upstream"
DOWNSTREAM, UPSTREAM, DELIVERABLE, NEED_BY = "downstream", "upstream", "deliverable", "need_by"


def dependency_modal(
    *,
    waiting: list[ProjectChoice],
    upstream: list[ProjectChoice],
    selected: ProjectChoice | None,
    today: date,
) -> dict[str, Any]:
    """The empty form; the project that waits preselected when the command named one (or
    was typed in its channel)."""
    return View(
        type="modal",
        callback_id=CALLBACK_ID,
        title="Add a dependency",
        submit="Save",
        close="Cancel",
        blocks=[
            _project_select(DOWNSTREAM, DOWNSTREAM_ACTION, "Project that waits", waiting, selected),
            _project_select(UPSTREAM, UPSTREAM_ACTION, "Waits on project", upstream, None),
            InputBlock(
                block_id=DELIVERABLE,
                label="For what",
                hint="The deliverable it needs, such as “payment API”.",
                element=PlainTextInputElement(
                    action_id=DELIVERABLE, max_length=DELIVERABLE_MAX, placeholder="payment API"
                ),
            ),
            InputBlock(
                block_id=NEED_BY,
                label="Needed by",
                element=DatePickerElement(action_id=NEED_BY, initial_date=today.isoformat()),
            ),
        ],
    ).to_dict()


def _project_select(
    block_id: str,
    action_id: str,
    label: str,
    choices: list[ProjectChoice],
    selected: ProjectChoice | None,
) -> InputBlock:
    # A static menu of up to 100 projects, else one searched as the person types.
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
        options = [choice.option() for choice in choices]
        if selected is not None and selected.key not in {c.key for c in choices}:
            options.insert(0, selected.option())
        element = StaticSelectElement(
            action_id=action_id,
            placeholder="Pick a project",
            options=options,
            initial_option=initial,
        )
    return InputBlock(block_id=block_id, label=label, element=element)


def read_dependency_form(view: dict[str, Any]) -> DependencyDraft:
    """The dependency as entered; a value Slack's own form could not have sent is refused
    inline on its field (InvalidInput)."""
    state = ViewState(view)
    return DependencyDraft(
        # Projects picked from menus (or searched): the workflow checks they exist.
        downstream=state.option(DOWNSTREAM, None) or "",
        upstream=state.option(UPSTREAM, None) or "",
        deliverable=state.text(DELIVERABLE),
        need_by=state.date(NEED_BY),
    )


def recorded_view(done: DependencySaved) -> dict[str, Any]:
    """The form, once saved: what was stored."""
    need = need_words(done.dependency, done.downstream, done.upstream, mrkdwn.day)
    text = (
        f":white_check_mark: Recorded #{done.dependency.id}: {need}. "
        f"`/pmo depends {done.downstream.key}` lists what it waits on."
    )
    return View(
        type="modal",
        title="Dependency saved",
        close="Done",
        blocks=[SectionBlock(text=mrkdwn.fit(text, 3000))],
    ).to_dict()
