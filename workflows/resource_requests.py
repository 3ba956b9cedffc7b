"""Requests for people: a PM who has no one asks the PMO leads for someone with a skill,
some hours a week, between two dates (APOLLO-RQ1).

`request_person` checks and stores the request and returns its card for the PMO leads:
in the workspace's resource channel, else its digest channel, else a copy to each lead
by direct message. The card suggests people with the skill who have free hours in those
weeks, most free first (a few bulk reads and workflows/load.py). Deciding it (assign,
propose someone else, decline: workflows/request_decisions.py) edits the card in place
and answers in its thread.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from storage import audit, capacity, outbox
from storage.models import Project, RequestStatus, ResourceRequest, Role, Workspace
from storage.projects import holders
from storage.workspaces import ensure_workspace, people_of
from workflows import message_keys
from workflows.actor import Actor
from workflows.capacity import (
    LONGEST_ALLOCATION,
    may_allocate,
    parse_hours,
    parse_skills,
    today_of,
)
from workflows.errors import InvalidInput, NotPermitted, PmoError, too_long
from workflows.load import ZERO, loads_of, monday, working_days
from workflows.markup import mentions, quoted
from workflows.outgoing import Outgoing
from workflows.projects import resolve_project

NOTE_MAX = 1000
REASON_MAX = 3000
SUGGESTIONS_MAX = 5
# A request may start a little in the past (asked late for work already begun), no more.
BACKDATE_MAX = timedelta(days=7)
KNOWN_SKILLS_SHOWN = 10
# Two PMs of one project asking at the same moment: each gets its own number.
NUMBER_ATTEMPTS = 3


class Change(StrEnum):
    """What happened to a request after it was made."""

    ASSIGNED = "assigned"
    PROPOSED = "proposed"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class RequestDraft:
    """A request as the PM fills it in: the skill and the hours as typed."""

    skill: str
    hours: str
    start_date: date | None
    end_date: date | None
    note: str = ""


@dataclass(frozen=True)
class Suggestion:
    """Someone with the skill, and their free hours over the request's weeks (each week
    counted for the working days the request covers in it): in all, and in its tightest
    week."""

    user_id: str
    free_hours: Decimal
    least_weekly: Decimal

    def fits(self, hours_per_week: Decimal) -> bool:
        """Free enough in every week of the request."""
        return self.least_weekly >= hours_per_week


@dataclass(frozen=True)
class RequestNews:
    """A request and its project: what every message about a request needs. Each kind
    of message is its own subclass, as commands/rendering.py picks a builder by type."""

    request: ResourceRequest
    project: Project


@dataclass(frozen=True)
class RequestCard(RequestNews):
    """The request as the PMO leads see it, with its buttons while open (message content)."""

    suggestions: list[Suggestion] = field(default_factory=list)


@dataclass(frozen=True)
class RequestChange(RequestNews):
    """One change to a request: who made it, the person it names (assigned or proposed),
    their words (a note or a reason), and whether the card has a link to read it at."""

    change: Change
    by: str
    person: str | None = None
    words: str = ""
    linked: bool = False


class RequestReply(RequestChange):
    """The change, as a reply in the thread of the request's card (message content)."""


class RequestNotice(RequestChange):
    """The change, by direct message to the PM who asked (message content)."""


class AssignmentNotice(RequestChange):
    """A person's word that they were assigned to the project (message content)."""


@dataclass(frozen=True)
class RequestMade:
    """The stored request, its suggestions, and the cards it sends to the PMO leads."""

    request: ResourceRequest
    project: Project
    suggestions: list[Suggestion]
    messages: list[Outgoing] = field(default_factory=list)


def request_label(request: ResourceRequest, project: Project) -> str:
    """APOLLO-RQ1."""
    return f"{project.key}-RQ{request.number}"


# -- asking ----------------------------------------------------------------------------------


def check_may_request(*, session: Session, actor: Actor, project: Project) -> Workspace:
    """The workspace, if the actor may ask for people for the project (its PM or a PMO
    lead) and there are PMO leads to ask; refusals say why not."""
    assert project.id is not None
    workspace = ensure_workspace(session=session, team_id=actor.team_id)
    if not may_allocate(
        session=session, workspace=workspace, project=project, user_id=actor.user_id
    ):
        pms = holders(session=session, team_id=project.team_id, project_id=project.id, role=Role.PM)
        who = mentions(pms, joiner=" or ") if pms else "its PM"
        raise NotPermitted(
            f"Only the PM of {project.key} ({who}) or a PMO lead asks for people for it."
        )
    return require_pmo_leads(workspace)


def require_pmo_leads(workspace: Workspace) -> Workspace:
    """The workspace, if it names PMO leads to decide requests for people."""
    if not workspace.pmo_leads:
        raise PmoError(
            "Requests for people go to the PMO leads, and this workspace names none yet. "
            "A Slack admin names them in `/pmo settings`."
        )
    return workspace


def check_draft(draft: RequestDraft, *, known_skills: set[str], today: date) -> dict[str, str]:
    """What is wrong with the request, by field (empty when it may be stored). The skill
    must be one somebody in the workspace has (any tag while nobody's are recorded)."""
    errors: dict[str, str] = {}
    if problem := _skill_problem(draft.skill, known_skills):
        errors["skill"] = problem
    if problem := _hours_problem(draft.hours):
        errors["hours"] = problem
    start, end = draft.start_date, draft.end_date
    if start is None:
        errors["start"] = "Give the first day you need them."
    elif start < today - BACKDATE_MAX:
        errors["start"] = "The first day can be at most a week ago."
    if end is None:
        errors["end"] = "Give the last day you need them."
    elif start is not None and end < start:
        errors["end"] = "The last day is before the first."
    elif start is not None and end - start > LONGEST_ALLOCATION:
        errors["end"] = "A request may run at most three years."
    if problem := too_long("The note", draft.note, NOTE_MAX):
        errors["note"] = problem
    return errors


def _skill_problem(text: str, known: set[str]) -> str | None:
    try:
        skills = parse_skills(text)
    except ValueError as exc:
        return str(exc)
    if not skills:
        return "Give the skill you need, such as `backend`."
    if len(skills) > 1:
        return "One skill per request: ask again for the others."
    if not known or skills[0] in known:
        return None
    problem = f"Nobody here has the skill `{quoted(skills[0])}`."
    close = difflib.get_close_matches(skills[0], sorted(known), n=3, cutoff=0.6)
    if close:
        return problem + " Did you mean " + " or ".join(f"`{s}`" for s in close) + "?"
    shown = sorted(known)[:KNOWN_SKILLS_SHOWN]
    more = ", …" if len(known) > KNOWN_SKILLS_SHOWN else ""
    return problem + " Skills people have: " + ", ".join(shown) + more + "."


def _hours_problem(text: str) -> str | None:
    try:
        hours = parse_hours(text)
    except ValueError as exc:
        return str(exc)
    return None if hours > 0 else "Hours must be between 0 and 168 a week."


def workspace_skills(*, session: Session, team_id: str) -> set[str]:
    """Every skill somebody in the workspace has."""
    people = people_of(session=session, team_id=team_id)
    return {skill for person in people.values() for skill in person.skills}


def request_person(
    *,
    session: Session,
    actor: Actor,
    key: str | None,
    draft: RequestDraft,
    now: datetime,
    usage: str = "/capacity request KEY",
) -> RequestMade:
    """Ask the PMO leads for someone for the project named by `key` (else the actor's
    channel's project): its PM or a PMO lead may. Checked field by field, stored with the
    project's next number, audited; the card goes to the resource channel, else the
    digest channel, else to each PMO lead by direct message."""
    project = resolve_project(
        session=session, team_id=actor.team_id, key=key, channel_id=actor.channel_id, usage=usage
    )
    workspace = check_may_request(session=session, actor=actor, project=project)
    today = today_of(workspace, now)
    skills = workspace_skills(session=session, team_id=actor.team_id)
    errors = check_draft(draft, known_skills=skills, today=today)
    if errors:
        raise InvalidInput(errors)
    request = _store(session, project, actor.user_id, draft, now)
    audit.record(
        session=session,
        team_id=actor.team_id,
        actor=actor.user_id,
        action="resource_request.created",
        entity="resource_request",
        entity_id=request.id or 0,
        at=now,
        detail={
            "project": project.key,
            "request": request_label(request, project),
            "skill": request.skill,
            "hours_per_week": str(request.hours_per_week),
            "start": request.start_date.isoformat(),
            "end": request.end_date.isoformat(),
        },
    )
    found = suggestions(session=session, workspace=workspace, request=request, now=now)
    card = RequestCard(request, project, found)
    assert request.id is not None
    messages = [
        Outgoing(team_id=actor.team_id, key=key, to=to, content=card)
        for key, to in _destinations(workspace, request.id)
    ]
    return RequestMade(request, project, found, messages)


def _store(
    session: Session, project: Project, requester: str, draft: RequestDraft, now: datetime
) -> ResourceRequest:
    # The next number of the project; a PM who asked at the same moment took it: the next.
    assert project.id is not None and draft.start_date and draft.end_date
    for _ in range(NUMBER_ATTEMPTS):
        request = ResourceRequest(
            team_id=project.team_id,
            project_id=project.id,
            number=capacity.next_request_number(session=session, project_id=project.id),
            skill=parse_skills(draft.skill)[0],
            hours_per_week=parse_hours(draft.hours),
            start_date=draft.start_date,
            end_date=draft.end_date,
            note=draft.note.strip(),
            requested_by=requester,
            requested_at=now,
        )
        try:
            with session.begin_nested():
                session.add(request)
        except IntegrityError:
            continue
        return request
    raise PmoError(f"Others asked for people for {project.key} just now: send yours again.")


def _destinations(workspace: Workspace, request_id: int) -> list[tuple[str, str]]:
    # (card key, where): one post in the channel for requests, else a copy to each lead.
    channel = workspace.resource_channel or workspace.digest_channel
    if channel:
        return [(message_keys.resource_request(request_id), channel)]
    return [
        (message_keys.resource_request_copy(request_id, lead), lead) for lead in workspace.pmo_leads
    ]


def posted_cards(
    *, session: Session, workspace: Workspace, request_id: int
) -> list[tuple[str, str]]:
    """The request's cards that were sent, as (key, where): its post in a channel, or
    the copies of the current PMO leads (a change edits and answers each)."""
    post = message_keys.resource_request(request_id)
    copies = [message_keys.resource_request_copy(request_id, lead) for lead in workspace.pmo_leads]
    for keys in ([post], copies):
        found = [outbox.find(session=session, team_id=workspace.team_id, key=k) for k in keys]
        cards = [(message.key, message.channel) for message in found if message is not None]
        if cards:
            return cards
    return []


# -- suggestions -----------------------------------------------------------------------------


def request_weeks(request: ResourceRequest) -> list[date]:
    """The Mondays of the weeks the request covers."""
    first, last = monday(request.start_date), monday(request.end_date)
    return [first + timedelta(weeks=n) for n in range((last - first).days // 7 + 1)]


def suggestions(
    *,
    session: Session,
    workspace: Workspace,
    request: ResourceRequest,
    now: datetime,
    limit: int = SUGGESTIONS_MAX,
) -> list[Suggestion]:
    """People on the workspace's projects who have the request's skill and free hours in
    its weeks, most free first (two reads, whatever the number of people)."""
    people = capacity.people_on_projects(session=session, team_id=workspace.team_id)
    skilled = [person for person in people if request.skill in person.skills]
    if not skilled:
        return []
    weeks = request_weeks(request)
    allocations = capacity.allocations_between(
        session=session,
        team_id=workspace.team_id,
        start=weeks[0],
        end=weeks[-1] + timedelta(days=6),
        user_ids=[person.user_id for person in skilled],
    )
    found = []
    for load in loads_of(skilled, allocations, weeks, today_of(workspace, now)):
        free_total, least = ZERO, None
        for week in load.weeks:
            days = working_days(request.start_date, request.end_date, week.week)
            free = max(week.capacity - week.allocated, ZERO)
            free_total += free * days / 5
            least = free if least is None else min(least, free)
        if free_total > 0:
            found.append(Suggestion(load.person.user_id, free_total, least or ZERO))
    found.sort(key=lambda s: (-s.free_hours, s.user_id))
    return found[:limit]


# -- the open requests -----------------------------------------------------------------------


@dataclass(frozen=True)
class OpenRequests:
    """The workspace's open requests for people, oldest first, as of `now`."""

    rows: list[tuple[ResourceRequest, Project]]
    now: datetime


def open_requests(*, session: Session, actor: Actor, now: datetime) -> OpenRequests:
    """Every open request of the workspace, for anyone in it to see."""
    rows = capacity.requests_with_projects(session=session, team_id=actor.team_id)
    return OpenRequests(rows=rows, now=now)


def card_after_change(
    *,
    session: Session,
    workspace: Workspace,
    request: ResourceRequest,
    project: Project,
    now: datetime,
) -> RequestCard:
    """The card as it reads after a change: still open, with fresh suggestions; decided,
    without."""
    if request.status != RequestStatus.OPEN:
        return RequestCard(request, project)
    found = suggestions(session=session, workspace=workspace, request=request, now=now)
    return RequestCard(request, project, found)
