"""The forms of requests for people: asking for someone, and the three a PMO lead fills
in from the card (assign, propose someone else, decline)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from slack_sdk.models.blocks import (
    ContextBlock,
    DatePickerElement,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    SectionBlock,
    UserSelectElement,
)
from slack_sdk.models.views import View

from commands import mrkdwn
from commands.project_picker import ProjectChoice, project_picker
from commands.resource_request_message import asked_for, suggestion_lines
from commands.view_state import ViewState, metadata_id, metadata_text, pack_metadata
from storage.models import Project
from workflows.load import monday
from workflows.request_decisions import Deciding
from workflows.resource_requests import NOTE_MAX, REASON_MAX, RequestDraft, request_label

CALLBACK_ID = "resource_request.ask"
ASSIGN_CALLBACK = "resource_request.assign_save"
PROPOSE_CALLBACK = "resource_request.propose_save"
DECLINE_CALLBACK = "resource_request.decline_save"
PROJECT = "request_project"
PROJECT_ACTION = "resource_request.project"
# Block ids are the workflows' field names, so their errors show on the right input.
SKILL = "skill"
HOURS = "hours"
START = "start"
END = "end"
NOTE = "note"
PERSON = "person"
REASON = "reason"
SKILLS_HINTED = 15
HINT_MAX = 150


def request_modal(
    *,
    project: Project | None,
    choices: list[ProjectChoice],
    skills: set[str],
    today: date,
) -> dict[str, Any]:
    """The request form, for `project` (else a pick of the person's projects)."""
    blocks: list[Any] = []
    if project is not None:
        text = f"For *{project.key}* · {mrkdwn.escape(project.name)}"
        blocks.append(SectionBlock(text=mrkdwn.fit(text, 3000)))
    else:
        blocks.append(project_picker(choices, None, block_id=PROJECT, action_id=PROJECT_ACTION))
    blocks += [
        InputBlock(
            block_id=SKILL,
            label="Skill",
            hint=_skills_hint(skills),
            element=PlainTextInputElement(action_id=SKILL, placeholder="backend", max_length=40),
        ),
        InputBlock(
            block_id=HOURS,
            label="Hours a week",
            hint="More than 0 and at most 168, such as 20h or 7.5.",
            element=PlainTextInputElement(action_id=HOURS, placeholder="20h", max_length=10),
        ),
        InputBlock(
            block_id=START,
            label="From",
            element=DatePickerElement(
                action_id=START, initial_date=(monday(today) + timedelta(weeks=1)).isoformat()
            ),
        ),
        InputBlock(
            block_id=END, label="Until (inclusive)", element=DatePickerElement(action_id=END)
        ),
        InputBlock(
            block_id=NOTE,
            label="Note",
            optional=True,
            hint="What the work is, and anything the PMO leads should know.",
            element=PlainTextInputElement(action_id=NOTE, multiline=True, max_length=NOTE_MAX),
        ),
    ]
    return View(
        type="modal",
        callback_id=CALLBACK_ID,
        title="Ask for a person",
        submit="Ask the PMO",
        close="Cancel",
        blocks=blocks,
        private_metadata=pack_metadata(key=project.key if project else None),
    ).to_dict()


def _skills_hint(skills: set[str]) -> str:
    # The skills people have, so the PM asks in the workspace's words.
    if not skills:
        return "One skill tag, such as backend."
    shown = sorted(skills)[:SKILLS_HINTED]
    hint = "One skill. People here have: " + ", ".join(shown)
    hint += ", …" if len(skills) > SKILLS_HINTED else "."
    return hint if len(hint) <= HINT_MAX else hint[: HINT_MAX - 1] + "…"


def read_request_form(view: dict[str, Any]) -> tuple[str | None, RequestDraft]:
    """The project (from the form, else the one picked) and the request as typed."""
    state = ViewState(view)
    key = metadata_text(view, "key") or state.option(PROJECT, None)
    draft = RequestDraft(
        skill=state.text(SKILL),
        hours=state.text(HOURS),
        start_date=state.date(START),
        end_date=state.date(END),
        note=state.text(NOTE),
    )
    return key, draft


def assign_modal(deciding: Deciding) -> dict[str, Any]:
    """Who to assign: the suggestions, and a pick prefilled with the newest proposal or
    the most free suggestion."""
    request, project = deciding.request, deciding.project
    label = request_label(request, project)
    first = None
    if request.proposed:
        first = request.proposed[-1]
    elif deciding.suggestions:
        first = deciding.suggestions[0].user_id
    lines = suggestion_lines(deciding.suggestions, request)
    blocks = [
        SectionBlock(text=mrkdwn.fit(f"*{label}* for *{project.key}*\n{asked_for(request)}", 3000)),
        SectionBlock(text=mrkdwn.fit(f"*Suggestions*\n{lines}", 3000)),
        InputBlock(
            block_id=PERSON,
            label="Assign",
            hint="They are allocated to the project for these dates and hours.",
            element=UserSelectElement(action_id=PERSON, initial_user=first),
        ),
    ]
    return _decision_view(ASSIGN_CALLBACK, "Assign someone", "Assign", blocks, request.id)


def propose_modal(deciding: Deciding) -> dict[str, Any]:
    """Who to propose instead, and why (optional)."""
    request, project = deciding.request, deciding.project
    blocks = [
        SectionBlock(
            text=mrkdwn.fit(
                f"*{request_label(request, project)}* for *{project.key}*\n{asked_for(request)}",
                3000,
            )
        ),
        InputBlock(
            block_id=PERSON,
            label="Propose",
            element=UserSelectElement(action_id=PERSON),
        ),
        InputBlock(
            block_id=NOTE,
            label="Note for the PM",
            optional=True,
            element=PlainTextInputElement(action_id=NOTE, multiline=True, max_length=NOTE_MAX),
        ),
        ContextBlock(elements=[MarkdownTextObject(text="The request stays open; the PM is told.")]),
    ]
    return _decision_view(PROPOSE_CALLBACK, "Propose someone else", "Propose", blocks, request.id)


def decline_modal(deciding: Deciding) -> dict[str, Any]:
    """Why the request is declined (required)."""
    label = request_label(deciding.request, deciding.project)
    blocks = [
        InputBlock(
            block_id=REASON,
            label="Reason",
            hint=f"Told to the PM and shown on {label}.",
            element=PlainTextInputElement(action_id=REASON, multiline=True, max_length=REASON_MAX),
        )
    ]
    return _decision_view(
        DECLINE_CALLBACK, "Decline the request", "Decline", blocks, deciding.request.id
    )


def _decision_view(
    callback_id: str, title: str, submit: str, blocks: list[Any], request_id: int | None
) -> dict[str, Any]:
    return View(
        type="modal",
        callback_id=callback_id,
        title=title,
        submit=submit,
        close="Cancel",
        blocks=blocks,
        private_metadata=pack_metadata(request_id=request_id),
    ).to_dict()


def read_decision_form(view: dict[str, Any]) -> tuple[int | None, str | None, str, str]:
    """Which request, the person picked, the note and the reason (each as given)."""
    state = ViewState(view)
    return (
        metadata_id(view, "request_id"),
        state.user(PERSON),
        state.text(NOTE),
        state.text(REASON),
    )
