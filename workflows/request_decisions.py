"""What the buttons on a request for a person do: a PMO lead assigns someone, proposes
someone else, or declines; the PM who asked may withdraw it.

Each is one user action: it locks the request (so a double click, or two leads at once,
decide it once), checks the person may act on it now, records and audits the change,
bumps the request's version, and returns the edit of its cards, a reply in their threads
and the direct messages. Assigning allocates the person through workflows/capacity.py,
which reports any week it overloads. Asking is workflows/resource_requests.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session

from storage import audit, capacity
from storage.models import Allocation, Project, RequestStatus, ResourceRequest, Role, Workspace
from storage.projects import roles_of
from storage.workspaces import ensure_workspace
from workflows import message_keys
from workflows.actor import Actor
from workflows.capacity import AllocationDraft, Amount, allocate, is_pmo_lead
from workflows.errors import InvalidInput, NotPermitted, PmoError, too_long
from workflows.markup import is_user_id, mention, mentions
from workflows.outgoing import Outgoing
from workflows.resource_requests import (
    NOTE_MAX,
    REASON_MAX,
    AssignmentNotice,
    Change,
    RequestChange,
    RequestNotice,
    RequestReply,
    Suggestion,
    card_after_change,
    posted_cards,
    request_label,
    suggestions,
)


@dataclass(frozen=True)
class Deciding:
    """A request a PMO lead may decide now, with who would fit it best today."""

    request: ResourceRequest
    project: Project
    suggestions: list[Suggestion]


@dataclass(frozen=True)
class RequestDecided:
    """The request after the change, the allocation an assignment made, and the messages."""

    request: ResourceRequest
    project: Project
    allocation: Allocation | None = None
    messages: list[Outgoing] = field(default_factory=list)


def check_may_decide(*, session: Session, actor: Actor, request_id: int, now: datetime) -> Deciding:
    """The request, if the actor (a PMO lead) may decide it now, with fresh suggestions;
    refusals say why not."""
    request, project = _request_of(session, actor, request_id, lock=False)
    workspace = ensure_workspace(session=session, team_id=actor.team_id)
    _require_lead(workspace, actor.user_id, request, project)
    _require_open(request, project)
    found = suggestions(session=session, workspace=workspace, request=request, now=now)
    return Deciding(request, project, found)


def assign(
    *, session: Session, actor: Actor, request_id: int, user_id: str | None, now: datetime
) -> RequestDecided:
    """A PMO lead assigns someone to an open request: they are allocated to the project
    for its dates and hours (which may report over-allocation), the request is assigned,
    audited, its cards edited and answered, and the PM and the person told."""
    if not is_user_id(user_id):
        raise InvalidInput({"person": "Choose who to assign."})
    request, project, workspace = _decidable(session, actor, request_id)
    allocated = allocate(
        session=session,
        actor=actor,
        project=project,
        draft=AllocationDraft(
            user_id=user_id,
            start_date=request.start_date,
            end_date=request.end_date,
            amount=Amount(hours=request.hours_per_week),
        ),
        now=now,
        request_id=request.id,
    )
    _decide(request, RequestStatus.ASSIGNED, actor.user_id, now)
    request.assigned_to = user_id
    detail = {"person": user_id, "allocation": allocated.allocation.id}
    _record(session, request, project, actor, "resource_request.assigned", now, detail)
    messages = _change_messages(
        session, workspace, request, project, now, Change.ASSIGNED, by=actor.user_id, person=user_id
    )
    # workflows/capacity.py tells the person of the allocation; if it did not, we do.
    told = {message.to for message in allocated.messages}
    if user_id != actor.user_id and user_id not in told:
        notice = AssignmentNotice(request, project, Change.ASSIGNED, actor.user_id, user_id)
        key = message_keys.resource_request_told(request_id, request.version, user_id)
        messages.append(Outgoing(actor.team_id, key, user_id, notice))
    return RequestDecided(request, project, allocated.allocation, messages + allocated.messages)


def propose(
    *,
    session: Session,
    actor: Actor,
    request_id: int,
    user_id: str | None,
    note: str,
    now: datetime,
) -> RequestDecided:
    """A PMO lead proposes someone else for an open request, with an optional note: kept
    with the request (newest last), audited, answered in its thread and told to the PM.
    The request stays open."""
    errors = {}
    if not is_user_id(user_id):
        errors["person"] = "Choose who to propose."
    if problem := too_long("The note", note, NOTE_MAX):
        errors["note"] = problem
    if errors:
        raise InvalidInput(errors)
    assert user_id is not None
    request, project, workspace = _decidable(session, actor, request_id)
    request.proposed = [*(u for u in request.proposed if u != user_id), user_id]
    request.version += 1
    session.add(request)
    detail = {"person": user_id, "note": note.strip()}
    _record(session, request, project, actor, "resource_request.proposed", now, detail)
    messages = _change_messages(
        session,
        workspace,
        request,
        project,
        now,
        Change.PROPOSED,
        by=actor.user_id,
        person=user_id,
        words=note.strip(),
    )
    return RequestDecided(request, project, messages=messages)


def decline(
    *, session: Session, actor: Actor, request_id: int, reason: str, now: datetime
) -> RequestDecided:
    """A PMO lead declines an open request, saying why: audited, its cards edited and
    answered, and the PM told."""
    if not reason.strip():
        raise InvalidInput({"reason": "Say why, so the PM knows what to do next."})
    if problem := too_long("The reason", reason, REASON_MAX):
        raise InvalidInput({"reason": problem})
    request, project, workspace = _decidable(session, actor, request_id)
    _decide(request, RequestStatus.DECLINED, actor.user_id, now)
    request.reason = reason.strip()
    detail = {"reason": request.reason}
    _record(session, request, project, actor, "resource_request.declined", now, detail)
    messages = _change_messages(
        session,
        workspace,
        request,
        project,
        now,
        Change.DECLINED,
        by=actor.user_id,
        words=request.reason,
    )
    return RequestDecided(request, project, messages=messages)


def withdraw(*, session: Session, actor: Actor, request_id: int, now: datetime) -> RequestDecided:
    """The PM who asked (or another PM of the project) takes an open request back:
    audited, its cards edited and answered."""
    request, project = _request_of(session, actor, request_id, lock=True)
    assert project.id is not None
    held = roles_of(
        session=session, team_id=actor.team_id, project_id=project.id, user_id=actor.user_id
    )
    if actor.user_id != request.requested_by and Role.PM not in held:
        raise NotPermitted(
            f"Only {mention(request.requested_by)} or a PM of {project.key} can withdraw "
            f"{request_label(request, project)}."
        )
    _require_open(request, project)
    workspace = ensure_workspace(session=session, team_id=actor.team_id)
    _decide(request, RequestStatus.WITHDRAWN, actor.user_id, now)
    _record(session, request, project, actor, "resource_request.withdrawn", now, {})
    messages = _change_messages(
        session, workspace, request, project, now, Change.WITHDRAWN, by=actor.user_id
    )
    return RequestDecided(request, project, messages=messages)


def already_decided(request: ResourceRequest, project: Project) -> str:
    """What a click on a decided request is told."""
    label = request_label(request, project)
    by = mention(request.decided_by)
    words = {
        RequestStatus.ASSIGNED: f"is already assigned to {mention(request.assigned_to)} by {by}",
        RequestStatus.DECLINED: f"was already declined by {by}",
        RequestStatus.WITHDRAWN: f"was withdrawn by {by}",
    }.get(RequestStatus(request.status), "is already decided")
    return f"{label} {words}. Nothing changed."


def _request_of(
    session: Session, actor: Actor, request_id: int, *, lock: bool
) -> tuple[ResourceRequest, Project]:
    # Of the actor's workspace only: an id from another one is no request at all.
    request = capacity.get_request(
        session=session, team_id=actor.team_id, request_id=request_id, lock=lock
    )
    if request is None:
        raise PmoError("That request for a person no longer exists.")
    project = session.get(Project, request.project_id)
    assert project is not None
    return request, project


def _decidable(
    session: Session, actor: Actor, request_id: int
) -> tuple[ResourceRequest, Project, Workspace]:
    # Locked, so that simultaneous clicks are decided one after the other.
    request, project = _request_of(session, actor, request_id, lock=True)
    workspace = ensure_workspace(session=session, team_id=actor.team_id)
    _require_lead(workspace, actor.user_id, request, project)
    _require_open(request, project)
    return request, project, workspace


def _require_lead(
    workspace: Workspace, user_id: str, request: ResourceRequest, project: Project
) -> None:
    if not is_pmo_lead(workspace, user_id):
        raise NotPermitted(
            f"Only the PMO leads ({mentions(workspace.pmo_leads)}) decide requests for "
            f"people such as {request_label(request, project)}."
        )


def _require_open(request: ResourceRequest, project: Project) -> None:
    if request.status != RequestStatus.OPEN:
        raise PmoError(already_decided(request, project))


def _decide(request: ResourceRequest, status: RequestStatus, by: str, now: datetime) -> None:
    request.status = status
    request.decided_by = by
    request.decided_at = now
    request.version += 1


def _record(
    session: Session,
    request: ResourceRequest,
    project: Project,
    actor: Actor,
    action: str,
    now: datetime,
    detail: dict[str, Any],
) -> None:
    # One audit row naming the project and the request, so the history reads without a join.
    session.add(request)
    audit.record(
        session=session,
        team_id=request.team_id,
        actor=actor.user_id,
        action=action,
        entity="resource_request",
        entity_id=request.id or 0,
        at=now,
        detail={"project": project.key, "request": request_label(request, project), **detail},
    )


def _change_messages(
    session: Session,
    workspace: Workspace,
    request: ResourceRequest,
    project: Project,
    now: datetime,
    change: Change,
    *,
    by: str,
    person: str | None = None,
    words: str = "",
) -> list[Outgoing]:
    # Each card edited and answered in its thread; the PM told unless they made the change.
    assert request.id is not None
    cards = posted_cards(session=session, workspace=workspace, request_id=request.id)
    card = card_after_change(
        session=session, workspace=workspace, request=request, project=project, now=now
    )
    post = message_keys.resource_request(request.id)
    linked = [key for key, _ in cards] == [post]

    def said(kind: type[RequestChange]) -> RequestChange:
        return kind(request, project, change, by=by, person=person, words=words, linked=linked)

    reply = said(RequestReply)
    messages: list[Outgoing] = []
    for key, where in cards:
        edit_key = message_keys.resource_request_edit(key, request.version)
        reply_key = message_keys.resource_request_reply(key, request.version)
        messages += [
            Outgoing(request.team_id, edit_key, where, card, update_key=key),
            Outgoing(request.team_id, reply_key, where, reply, thread_key=key),
        ]
    if request.requested_by != by:
        told = message_keys.resource_request_told(request.id, request.version, request.requested_by)
        notice = said(RequestNotice)
        link = post if linked else None
        messages.append(
            Outgoing(request.team_id, told, request.requested_by, notice, link_key=link)
        )
    return messages
