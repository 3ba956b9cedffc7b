"""People's capacity and their allocations to projects, and the over-allocation alert.

A person's weekly capacity (40 h unless set), skills and cost rate are set by them or a
PMO lead. A project's PM (or a PMO lead) allocates people to it for a date range, as
hours a week or a share of their capacity. Every change that adds load (an allocation,
an assigned request, a lower capacity) checks the person's next weeks: a week over
capacity plus the workspace's threshold is reported once, to the PMs of the projects
in it and the PMO leads, never as the person's fault.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from sqlmodel import Session

from storage import audit, capacity
from storage.models import Allocation, Person, Project, Role, Workspace
from storage.projects import holders, roles_of
from storage.workspaces import ensure_people, ensure_workspace, update_profile
from workflows import message_keys
from workflows.actor import Actor
from workflows.errors import InvalidInput, NotPermitted, too_long
from workflows.load import HOURS_MAX, PersonLoad, WeekLoad, person_load, weeks_from
from workflows.markup import is_user_id, mention, mentions, quoted
from workflows.outgoing import Outgoing
from workflows.periods import zone

# How far ahead allocations are checked for over-allocation, and the forecast looks.
HORIZON_WEEKS = 12
# An allocation may run at most this long (a typo of a year, 2062 for 2026, is caught).
LONGEST_ALLOCATION = timedelta(days=3 * 366)
SKILL = re.compile(r"[a-z0-9][a-z0-9+#.\-]{0,39}")
SKILLS_MAX = 20
COST_RATE_MAX = Decimal("100000")
HOURS = re.compile(r"(\d{1,3}(?:\.\d{1,2})?)\s*h?", re.IGNORECASE)
PERCENT = re.compile(r"(\d{1,3})\s*%")


@dataclass(frozen=True)
class Amount:
    """How much of a person an allocation takes: hours a week, or a share of capacity."""

    hours: Decimal | None = None
    percent: int | None = None

    def words(self) -> str:
        """`32 h a week` or `50 %`."""
        if self.hours is not None:
            return f"{_hours(self.hours)} h a week"
        return f"{self.percent} % of their week"


def parse_hours(text: str, *, what: str = "Hours") -> Decimal:
    """`32h`, `32` or `7.5 h` as hours a week, 0 to 168 (else ValueError, in words to
    show the person)."""
    match = HOURS.fullmatch(text.strip())
    if not match:
        raise ValueError(f"{what}: give hours a week, such as `32h`.")
    hours = Decimal(match.group(1))
    if hours > HOURS_MAX:
        raise ValueError(f"{what} must be between 0 and 168 a week.")
    return hours


def parse_amount(text: str) -> Amount:
    """`20h` (hours a week, 0 to 168) or `50%` (of the person's capacity, 0 to 100)."""
    text = text.strip()
    if match := PERCENT.fullmatch(text):
        percent = int(match.group(1))
        if percent > 100:
            raise ValueError("A share of someone's week must be between 0 % and 100 %.")
        return Amount(percent=percent)
    return Amount(hours=parse_hours(text))


def parse_cost_rate(text: str) -> Decimal:
    """An hour's cost, such as `85` or `85.50`."""
    try:
        rate = Decimal(text.strip().lstrip("$€£"))
    except InvalidOperation:
        raise ValueError("The cost rate is an amount per hour, such as `85`.") from None
    if not rate.is_finite() or rate < 0 or rate > COST_RATE_MAX:
        raise ValueError(f"The cost rate must be between 0 and {COST_RATE_MAX:,} an hour.")
    return rate.quantize(Decimal("0.01"))


def parse_skills(text: str) -> list[str]:
    """Tags such as `backend, design` (lower case; letters, digits, + # . -)."""
    skills = [s for s in re.split(r"[,\s]+", text.strip().lower()) if s]
    bad = [s for s in skills if not SKILL.fullmatch(s)]
    if bad:
        raise ValueError(
            f"`{quoted(bad[0], 40)}` is not a skill tag: use letters, digits and - "
            "(e.g. `backend`)."
        )
    skills = list(dict.fromkeys(skills))
    if len(skills) > SKILLS_MAX:
        raise ValueError(f"At most {SKILLS_MAX} skills.")
    return skills


def _hours(value: Decimal) -> str:
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:.1f}"


# -- capacity ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CapacityDraft:
    """What to change of a person: each None is left as it is."""

    capacity_hours: Decimal | None = None
    skills: list[str] | None = None
    cost_rate: Decimal | None = None


@dataclass(frozen=True)
class CapacitySet:
    """The person as they now stand, and any over-allocation alert the change caused."""

    person: Person
    changed: bool
    messages: list[Outgoing] = field(default_factory=list)


def is_pmo_lead(workspace: Workspace, user_id: str) -> bool:
    """A PMO lead may set anyone's capacity and see the whole workspace's."""
    return user_id in workspace.pmo_leads


def set_capacity(
    *, session: Session, actor: Actor, user_id: str, draft: CapacityDraft, now: datetime
) -> CapacitySet:
    """The person (or a PMO lead for them) sets their capacity, skills or cost rate."""
    if not is_user_id(user_id):
        raise InvalidInput({"person": "Name a person with an @mention."})
    workspace = ensure_workspace(session=session, team_id=actor.team_id)
    if user_id != actor.user_id and not is_pmo_lead(workspace, actor.user_id):
        leads = f" ({mentions(workspace.pmo_leads)})" if workspace.pmo_leads else ""
        raise NotPermitted(
            f"Only {mention(user_id)} or a PMO lead{leads} can change {mention(user_id)}'s "
            "capacity."
        )
    person = ensure_people(session=session, team_id=actor.team_id, user_ids=[user_id])[user_id]
    capacity.lock_person(session=session, team_id=actor.team_id, user_id=user_id)
    session.refresh(person)
    before = _described(person)
    if draft.capacity_hours is not None:
        person.capacity_hours = draft.capacity_hours
    if draft.skills is not None:
        person.skills = list(draft.skills)
    if draft.cost_rate is not None:
        person.cost_rate = draft.cost_rate
    after = _described(person)
    if after == before:
        return CapacitySet(person, changed=False)
    session.add(person)
    session.flush()
    audit.record(
        session=session,
        team_id=actor.team_id,
        actor=actor.user_id,
        action="person.capacity_set",
        entity="person",
        entity_id=user_id,
        at=now,
        detail={"before": before, "after": after},
    )
    messages = overallocation_alerts(session=session, workspace=workspace, user_id=user_id, now=now)
    return CapacitySet(person, changed=True, messages=messages)


def _described(person: Person) -> dict[str, object]:
    # What the audit keeps of a person's capacity, to the cent (32 and 32.00 are equal).
    cent = Decimal("0.01")
    rate = person.cost_rate
    return {
        "capacity_hours": str(Decimal(person.capacity_hours).quantize(cent)),
        "skills": list(person.skills),
        "cost_rate": None if rate is None else str(Decimal(rate).quantize(cent)),
    }


# -- allocations ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AllocationDraft:
    """An allocation as a PM fills it in."""

    user_id: str
    start_date: date | None
    end_date: date | None
    amount: Amount | None


@dataclass(frozen=True)
class AllocationNotice:
    """The person's word that someone allocated them to a project (message content)."""

    allocation: Allocation
    project: Project


@dataclass(frozen=True)
class Allocated:
    """The stored allocation, the person's load over it, and the alerts it caused."""

    allocation: Allocation
    project: Project
    load: PersonLoad
    messages: list[Outgoing] = field(default_factory=list)


def check_allocation(draft: AllocationDraft) -> dict[str, str]:
    """What is wrong with the allocation, by field (empty when it may be stored)."""
    errors: dict[str, str] = {}
    if not is_user_id(draft.user_id):
        errors["person"] = "Choose who to allocate."
    if draft.start_date is None:
        errors["start"] = "Give the first day of the allocation."
    if draft.end_date is None:
        errors["end"] = "Give the last day of the allocation."
    if draft.start_date and draft.end_date:
        if draft.end_date < draft.start_date:
            errors["end"] = "The last day is before the first."
        elif draft.end_date - draft.start_date > LONGEST_ALLOCATION:
            errors["end"] = "An allocation may run at most three years."
    if draft.amount is None:
        errors["amount"] = "Give hours a week (`20h`) or a share of their week (`50%`)."
    return errors


def may_allocate(*, session: Session, workspace: Workspace, project: Project, user_id: str) -> bool:
    """The project's PMs and the PMO leads allocate people to it."""
    assert project.id is not None
    if is_pmo_lead(workspace, user_id):
        return True
    roles = roles_of(
        session=session, team_id=project.team_id, project_id=project.id, user_id=user_id
    )
    return Role.PM in roles


def require_may_allocate(
    *, session: Session, workspace: Workspace, project: Project, user_id: str
) -> None:
    """NotPermitted naming who may allocate people to the project, unless `user_id` may."""
    if may_allocate(session=session, workspace=workspace, project=project, user_id=user_id):
        return
    assert project.id is not None
    pms = holders(session=session, team_id=project.team_id, project_id=project.id, role=Role.PM)
    who = mentions([*pms, *workspace.pmo_leads]) or "its PM"
    raise NotPermitted(
        f"Only the PM of {project.key} or a PMO lead ({who}) can allocate people to it."
    )


def allocate(
    *,
    session: Session,
    actor: Actor,
    project: Project,
    draft: AllocationDraft,
    now: datetime,
    request_id: int | None = None,
) -> Allocated:
    """Allocate a person to the project: checked, stored, audited; then their weeks are
    checked for over-allocation (one person's allocations are made one at a time, so two
    PMs allocating them at once both succeed and the second sees the first)."""
    errors = check_allocation(draft)
    if errors:
        raise InvalidInput(errors)
    assert draft.start_date and draft.end_date and draft.amount and project.id is not None
    workspace = ensure_workspace(session=session, team_id=actor.team_id)
    if request_id is None:
        require_may_allocate(
            session=session, workspace=workspace, project=project, user_id=actor.user_id
        )
    person = ensure_people(session=session, team_id=actor.team_id, user_ids=[draft.user_id])[
        draft.user_id
    ]
    capacity.lock_person(session=session, team_id=actor.team_id, user_id=draft.user_id)
    allocation = Allocation(
        team_id=actor.team_id,
        project_id=project.id,
        user_id=draft.user_id,
        start_date=draft.start_date,
        end_date=draft.end_date,
        hours_per_week=draft.amount.hours,
        percent=draft.amount.percent,
        created_by=actor.user_id,
        created_at=now,
        request_id=request_id,
    )
    session.add(allocation)
    session.flush()
    assert allocation.id is not None
    audit.record(
        session=session,
        team_id=actor.team_id,
        actor=actor.user_id,
        action="allocation.created",
        entity="allocation",
        entity_id=allocation.id,
        at=now,
        detail={
            "project": project.key,
            "person": draft.user_id,
            "start": draft.start_date.isoformat(),
            "end": draft.end_date.isoformat(),
            "hours_per_week": None if draft.amount.hours is None else str(draft.amount.hours),
            "percent": draft.amount.percent,
        },
    )
    messages = overallocation_alerts(
        session=session, workspace=workspace, user_id=draft.user_id, now=now
    )
    if draft.user_id != actor.user_id:
        messages.insert(
            0,
            Outgoing(
                team_id=actor.team_id,
                key=message_keys.allocation_told(allocation.id),
                to=draft.user_id,
                content=AllocationNotice(allocation, project),
            ),
        )
    return Allocated(
        allocation=allocation,
        project=project,
        load=load_of(session=session, workspace=workspace, person=person, now=now),
        messages=messages,
    )


@dataclass(frozen=True)
class Removed:
    """The allocation taken away (nothing to send)."""

    allocation: Allocation
    project: Project
    messages: list[Outgoing] = field(default_factory=list)


def remove_allocation(
    *, session: Session, actor: Actor, allocation_id: int, now: datetime
) -> Removed:
    """The project's PM or a PMO lead ends an allocation: deleted, audited."""
    allocation = session.get(Allocation, allocation_id)
    if allocation is None or allocation.team_id != actor.team_id:
        raise InvalidInput({"allocation": "That allocation no longer exists."})
    project = session.get(Project, allocation.project_id)
    assert project is not None
    workspace = ensure_workspace(session=session, team_id=actor.team_id)
    require_may_allocate(
        session=session, workspace=workspace, project=project, user_id=actor.user_id
    )
    audit.record(
        session=session,
        team_id=actor.team_id,
        actor=actor.user_id,
        action="allocation.removed",
        entity="allocation",
        entity_id=allocation_id,
        at=now,
        detail={
            "project": project.key,
            "person": allocation.user_id,
            "start": allocation.start_date.isoformat(),
            "end": allocation.end_date.isoformat(),
        },
    )
    session.delete(allocation)
    session.flush()
    return Removed(allocation, project)


@dataclass(frozen=True)
class AllocationQuestion:
    """A person's question about their allocation, for the PM (message content)."""

    allocation: Allocation
    project: Project
    question: str
    asked_by: str


@dataclass(frozen=True)
class Questioned:
    """Who was asked, and the messages asking them."""

    allocation: Allocation
    project: Project
    asked: list[str]
    messages: list[Outgoing] = field(default_factory=list)


QUESTION_MAX = 1000


def question_allocation(
    *, session: Session, actor: Actor, allocation_id: int, question: str, now: datetime
) -> Questioned:
    """The person allocated questions it: the project's PMs (and whoever made the
    allocation) get the question in a direct message; audited."""
    allocation = session.get(Allocation, allocation_id)
    if allocation is None or allocation.team_id != actor.team_id:
        raise InvalidInput({"question": "That allocation no longer exists."})
    if allocation.user_id != actor.user_id:
        raise NotPermitted("Only the person allocated can question an allocation.")
    question = question.strip()
    if not question:
        raise InvalidInput({"question": "Say what you would like to change or ask."})
    if problem := too_long("The question", question, QUESTION_MAX):
        raise InvalidInput({"question": problem})
    project = session.get(Project, allocation.project_id)
    assert project is not None and project.id is not None and allocation.id is not None
    pms = holders(session=session, team_id=actor.team_id, project_id=project.id, role=Role.PM)
    asked = [u for u in dict.fromkeys([*pms, allocation.created_by]) if u != actor.user_id]
    if not asked:
        raise NotPermitted(f"{project.key} has no PM to ask: `/pmo edit {project.key}` names one.")
    audit.record(
        session=session,
        team_id=actor.team_id,
        actor=actor.user_id,
        action="allocation.questioned",
        entity="allocation",
        entity_id=allocation.id,
        at=now,
        detail={"project": project.key, "question": question},
    )
    content = AllocationQuestion(allocation, project, question, actor.user_id)
    stamp = now.isoformat(timespec="seconds")
    messages = [
        Outgoing(
            team_id=actor.team_id,
            key=message_keys.allocation_questioned(allocation.id, stamp, user),
            to=user,
            content=content,
        )
        for user in asked
    ]
    return Questioned(allocation, project, asked, messages)


def note_profile(
    *,
    session: Session,
    team_id: str,
    user_id: str,
    name: str | None,
    time_zone: str | None,
    now: datetime,
) -> None:
    """Remember what Slack said of a person just checked (name, time zone)."""
    update_profile(
        session=session, team_id=team_id, user_id=user_id, name=name, time_zone=time_zone, now=now
    )


def today_of(workspace: Workspace, now: datetime) -> date:
    """The workspace's local day at `now`."""
    return now.astimezone(zone(workspace.time_zone)).date()


def load_of(
    *,
    session: Session,
    workspace: Workspace,
    person: Person,
    now: datetime,
    weeks: int = HORIZON_WEEKS,
) -> PersonLoad:
    """One person's next `weeks` weeks (two statements)."""
    today = today_of(workspace, now)
    mondays = weeks_from(today, weeks)
    allocations = capacity.allocations_between(
        session=session,
        team_id=workspace.team_id,
        start=mondays[0],
        end=mondays[-1] + timedelta(days=6),
        user_ids=[person.user_id],
    )
    return person_load(person, allocations, mondays, today)


# -- over-allocation -----------------------------------------------------------------------


@dataclass(frozen=True)
class OverAllocation:
    """A person's newly over-allocated weeks, told to a PM or PMO lead (message content).
    `projects` names the projects by id; the weeks say how much each asks."""

    person: str
    threshold: int
    weeks: list[WeekLoad]
    projects: dict[int, Project]
    recipient: str


def overallocation_alerts(
    *, session: Session, workspace: Workspace, user_id: str, now: datetime
) -> list[Outgoing]:
    """The person's weeks over capacity (plus the threshold) in the next twelve not yet
    reported: recorded, and one message to each PM of the projects in them and to each
    PMO lead. Nothing when no new week is over."""
    person = ensure_people(session=session, team_id=workspace.team_id, user_ids=[user_id])[user_id]
    load = load_of(session=session, workspace=workspace, person=person, now=now)
    told = capacity.alerted_weeks(session=session, team_id=workspace.team_id, user_id=user_id)
    new = [w for w in load.over_weeks(workspace.overallocation_threshold) if w.week not in told]
    if not new:
        return []
    capacity.record_alerts(
        session=session,
        team_id=workspace.team_id,
        user_id=user_id,
        weeks=[w.week for w in new],
        now=now,
    )
    project_ids = sorted({pid for week in new for pid in week.by_project})
    projects = {p.id: p for p in (session.get(Project, pid) for pid in project_ids) if p and p.id}
    pms = [
        pm
        for pid in project_ids
        for pm in holders(session=session, team_id=workspace.team_id, project_id=pid, role=Role.PM)
    ]
    recipients = list(dict.fromkeys([*pms, *workspace.pmo_leads]))
    first = new[0].week
    return [
        Outgoing(
            team_id=workspace.team_id,
            key=message_keys.capacity_alert(user_id, first, recipient),
            to=recipient,
            content=OverAllocation(
                person=user_id,
                threshold=workspace.overallocation_threshold,
                weeks=new,
                projects=projects,
                recipient=recipient,
            ),
        )
        for recipient in recipients
    ]
