"""A project's expected benefits: what it must deliver to be worth it, and what it did.

The PM, the sponsor or a PMO lead states a benefit (what, the measure, its target value,
when it should be realised) and may remove it. Once the project has closed and the date
has come, the sponsor records the value realised (workflows/benefit_checkins.py says
when). The rule that settles it: the benefit is *realised* when the value meets the
target — at least the target when higher is better, at most the target when lower is
(the sponsor says which when recording, e.g. churn down to 5 %) — and *missed* otherwise.
Recording again corrects it; every change is audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlmodel import Session

from storage import audit, benefit_log
from storage.models import Benefit, BenefitStatus, Project, Role
from storage.projects import roles_by_project
from storage.workspaces import ensure_workspace
from workflows.actor import Actor
from workflows.benefit_checkins import askable, closing_phase, standing
from workflows.capacity import is_pmo_lead
from workflows.errors import InvalidInput, NotPermitted, PmoError, UnknownProject, too_long
from workflows.markup import mentions
from workflows.outgoing import Outgoing
from workflows.projects import get_project, resolve_project
from workflows.quantity import NotAQuantity, format_quantity, parse_quantity
from workflows.wording import day

TITLE_MAX = 200
MEASURE_MAX = 100
UNIT_MAX = 20
NOTE_MAX = 1000
# A project's benefits are listed with their buttons in one message (Slack allows 50 blocks).
BENEFITS_MAX = 20
PROJECT, TITLE, MEASURE, TARGET, UNIT, REALISE_ON = (
    "project",
    "title",
    "measure",
    "target",
    "unit",
    "realise_on",
)
VALUE, DIRECTION, NOTE = "value", "direction", "note"
USAGE = "/pmo benefits KEY"


class Direction(StrEnum):
    """Which way a measure improves: up to the target or more, or down to it or less."""

    HIGHER = "higher"
    LOWER = "lower"


@dataclass(frozen=True)
class BenefitDraft:
    """A benefit as typed in the form, before the rules have looked at it."""

    title: str
    measure: str
    target: str
    unit: str
    realise_on: date | None


@dataclass(frozen=True)
class BenefitLine:
    """A benefit as it stands now (an expected one may be due before the job marks it)."""

    benefit: Benefit
    status: BenefitStatus

    @property
    def recordable(self) -> bool:
        """Its check-in has come: a value may be recorded (or corrected)."""
        return self.status != BenefitStatus.EXPECTED


@dataclass(frozen=True)
class ProjectBenefits:
    """A project's benefits for the person asking, and what they may do with them."""

    project: Project
    lines: list[BenefitLine]
    closing_phase: str
    may_manage: bool
    may_record: bool
    recorders: list[str]


@dataclass(frozen=True)
class BenefitSaved:
    """A benefit added (or removed), with its project."""

    benefit: Benefit
    project: Project
    messages: list[Outgoing] = field(default_factory=list)


@dataclass(frozen=True)
class ValueAsk:
    """What the form for recording a value shows."""

    benefit: Benefit
    project: Project


@dataclass(frozen=True)
class ValueRecorded:
    """The value recorded and whether it met the target."""

    benefit: Benefit
    project: Project
    met: bool
    messages: list[Outgoing] = field(default_factory=list)


# -- stating and removing ------------------------------------------------------------------


def add_benefit(
    *, session: Session, actor: Actor, key: str, draft: BenefitDraft, now: datetime
) -> BenefitSaved:
    """The PM, the sponsor or a PMO lead states a benefit of the project `key`: stored
    *expected* and audited. InvalidInput names each wrong field (an unknown project on
    `project`, with its close matches); nothing is stored then."""
    errors: dict[str, str] = {}
    project = None
    try:
        project = get_project(session=session, team_id=actor.team_id, key=key)
    except UnknownProject as exc:
        errors[PROJECT] = str(exc)
    if project is not None:
        require_may_manage(session=session, project=project, actor=actor)
    target, unit = None, draft.unit.strip()
    errors |= _check_text(draft)
    try:
        target, typed_unit = parse_quantity(draft.target)
        if typed_unit and unit and typed_unit != unit:
            errors[TARGET] = f"The target is in {typed_unit}, but the unit says {unit}."
        unit = unit or typed_unit
    except NotAQuantity as exc:
        errors[TARGET] = f"The target: {exc}" if draft.target.strip() else "Give the target."
    if draft.realise_on is None:
        errors[REALISE_ON] = "Give the date the benefit should be realised by."
    elif project is not None and project.start_date and draft.realise_on <= project.start_date:
        errors[REALISE_ON] = (
            f"A benefit is realised after the project starts ({day(project.start_date)})."
        )
    if project is not None and not errors:
        assert project.id is not None
        count = len(
            benefit_log.benefits_of(session=session, team_id=actor.team_id, project_id=project.id)
        )
        if count >= BENEFITS_MAX:
            errors[TITLE] = f"{project.key} has {BENEFITS_MAX} benefits already: remove one first."
    if errors:
        raise InvalidInput(errors)
    assert project is not None and project.id is not None
    assert target is not None and draft.realise_on is not None
    benefit = Benefit(
        team_id=actor.team_id,
        project_id=project.id,
        title=draft.title.strip(),
        measure=draft.measure.strip(),
        unit=unit,
        target=target,
        realise_on=draft.realise_on,
        created_by=actor.user_id,
        created_at=now,
    )
    session.add(benefit)
    session.flush()
    _audit(session, actor.user_id, "benefit.added", benefit, project, now)
    return BenefitSaved(benefit=benefit, project=project)


def remove_benefit(
    *, session: Session, actor: Actor, benefit_id: int, now: datetime
) -> BenefitSaved:
    """The PM, the sponsor or a PMO lead removes a benefit; the audit keeps what it was."""
    benefit, project = _find(session, actor, benefit_id)
    require_may_manage(session=session, project=project, actor=actor)
    _audit(session, actor.user_id, "benefit.removed", benefit, project, now)
    session.delete(benefit)
    return BenefitSaved(benefit=benefit, project=project)


def _check_text(draft: BenefitDraft) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not draft.title.strip():
        errors[TITLE] = "Say what the benefit is."
    elif problem := too_long("The benefit", draft.title, TITLE_MAX):
        errors[TITLE] = problem
    if not draft.measure.strip():
        errors[MEASURE] = "Say what is measured, such as monthly churn."
    elif problem := too_long("The measure", draft.measure, MEASURE_MAX):
        errors[MEASURE] = problem
    if problem := too_long("The unit", draft.unit, UNIT_MAX):
        errors[UNIT] = problem
    return errors


# -- listing --------------------------------------------------------------------------------


def project_benefits(
    *, session: Session, actor: Actor, key: str | None, now: datetime
) -> ProjectBenefits:
    """The benefits of the project `key` (else of the actor's channel), each as it stands."""
    project = resolve_project(
        session=session,
        team_id=actor.team_id,
        key=key,
        channel_id=actor.channel_id,
        usage=USAGE,
    )
    assert project.id is not None
    workspace = ensure_workspace(session=session, team_id=actor.team_id)
    benefits = benefit_log.benefits_of(
        session=session, team_id=actor.team_id, project_id=project.id
    )
    roles = _roles(session, project)
    lead = is_pmo_lead(workspace, actor.user_id)
    return ProjectBenefits(
        project=project,
        lines=[BenefitLine(b, standing(b, project, workspace, now)) for b in benefits],
        closing_phase=closing_phase(workspace),
        may_manage=lead or _manages(roles, actor.user_id),
        may_record=lead or actor.user_id in askable(roles),
        recorders=askable(roles),
    )


# -- recording the value realised -----------------------------------------------------------


def value_form(*, session: Session, actor: Actor, benefit_id: int, now: datetime) -> ValueAsk:
    """What the form for a benefit's value shows, if the actor may record it now."""
    benefit, project = _find(session, actor, benefit_id)
    _require_recordable(session, actor, benefit, project, now)
    return ValueAsk(benefit=benefit, project=project)


def record_value(
    *,
    session: Session,
    actor: Actor,
    benefit_id: int,
    value: str,
    direction: str,
    note: str,
    now: datetime,
) -> ValueRecorded:
    """The sponsor (or a PMO lead) records the value realised: *realised* if it meets the
    target in the direction given, else *missed*; audited with the note. InvalidInput
    names each wrong field."""
    benefit, project = _find(session, actor, benefit_id)
    _require_recordable(session, actor, benefit, project, now)
    errors: dict[str, str] = {}
    realised = None
    try:
        realised, unit = parse_quantity(value)
        if unit and benefit.unit and unit != benefit.unit:
            errors[VALUE] = f"This benefit is measured in {benefit.unit}, not {unit}."
    except NotAQuantity as exc:
        errors[VALUE] = f"The value: {exc}" if value.strip() else "Give the value realised."
    if direction not in set(Direction):
        errors[DIRECTION] = "Say whether higher or lower is better."
    if problem := too_long("The note", note, NOTE_MAX):
        errors[NOTE] = problem
    if errors:
        raise InvalidInput(errors)
    assert realised is not None
    met = meets_target(realised, benefit.target, Direction(direction))
    before = {"status": str(benefit.status), "realised": _text(benefit.realised)}
    benefit.realised = realised
    benefit.status = BenefitStatus.REALISED if met else BenefitStatus.MISSED
    benefit.recorded_by = actor.user_id
    benefit.recorded_at = now
    session.add(benefit)
    _audit(
        session,
        actor.user_id,
        "benefit.recorded",
        benefit,
        project,
        now,
        {"direction": direction, "note": note.strip(), "before": before},
    )
    return ValueRecorded(benefit=benefit, project=project, met=met)


def meets_target(value: Decimal, target: Decimal, direction: Direction) -> bool:
    """At least the target when higher is better; at most the target when lower is."""
    return value >= target if direction == Direction.HIGHER else value <= target


def _require_recordable(
    session: Session, actor: Actor, benefit: Benefit, project: Project, now: datetime
) -> None:
    workspace = ensure_workspace(session=session, team_id=actor.team_id)
    roles = _roles(session, project)
    recorders = askable(roles)
    if actor.user_id not in recorders and not is_pmo_lead(workspace, actor.user_id):
        named = f" ({mentions(recorders)})" if recorders else ""
        who = f"the sponsor of {project.key}{named}"
        raise NotPermitted(f"Only {who} or a PMO lead records the value of its benefits.")
    if standing(benefit, project, workspace, now) == BenefitStatus.EXPECTED:
        raise PmoError(
            f"“{benefit.title}” is checked once {project.key} has closed (archived, or in "
            f"its {closing_phase(workspace)} phase) and from {day(benefit.realise_on)}: "
            "its value is recorded then."
        )


# -- who may --------------------------------------------------------------------------------


def require_may_manage(*, session: Session, project: Project, actor: Actor) -> None:
    """Raise NotPermitted naming who may state the project's benefits, unless the actor may:
    its PM, its sponsor or a PMO lead."""
    roles = _roles(session, project)
    workspace = ensure_workspace(session=session, team_id=actor.team_id)
    if _manages(roles, actor.user_id) or is_pmo_lead(workspace, actor.user_id):
        return
    who = [*roles.get(Role.PM, []), *roles.get(Role.SPONSOR, [])]
    names = f" ({mentions(list(dict.fromkeys(who)))})" if who else ""
    raise NotPermitted(
        f"Only the PM or the sponsor of {project.key}{names}, or a PMO lead, states its benefits."
    )


def _manages(roles: dict[Role, list[str]], user_id: str) -> bool:
    return user_id in roles.get(Role.PM, []) or user_id in roles.get(Role.SPONSOR, [])


def _roles(session: Session, project: Project) -> dict[Role, list[str]]:
    assert project.id is not None
    found = roles_by_project(session=session, team_id=project.team_id, project_ids=[project.id])
    return dict(found[project.id])


def _find(session: Session, actor: Actor, benefit_id: int) -> tuple[Benefit, Project]:
    found = benefit_log.find_benefit(session=session, team_id=actor.team_id, benefit_id=benefit_id)
    if found is None:
        raise PmoError("That benefit is no longer there: it was removed.")
    return found


def _audit(
    session: Session,
    actor: str,
    action: str,
    benefit: Benefit,
    project: Project,
    now: datetime,
    extra: dict[str, object] | None = None,
) -> None:
    audit.record(
        session=session,
        team_id=benefit.team_id,
        actor=actor,
        action=action,
        entity="benefit",
        entity_id=benefit.id or 0,
        at=now,
        detail={
            "project": project.key,
            "title": benefit.title,
            "measure": benefit.measure,
            "target": format_quantity(benefit.target, benefit.unit),
            "realise_on": benefit.realise_on.isoformat(),
            "status": str(benefit.status),
            "realised": _text(benefit.realised),
            **(extra or {}),
        },
    )


def _text(value: Decimal | None) -> str | None:
    return str(value) if value is not None else None
