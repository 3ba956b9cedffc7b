"""The RAID log: raising risks and issues, scoring them, who hears of them, their life."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Session, select

from storage import audit, risk_log
from storage.models import Project, Risk, RiskKind, RiskStatus, Role, Workspace
from storage.projects import holders, roles_of
from storage.workspaces import ensure_workspace
from workflows.errors import InvalidInput, NotPermitted, PmoError, too_long
from workflows.markup import mention, mentions
from workflows.periods import zone

PROBABILITY = {1: "Rare", 2: "Unlikely", 3: "Possible", 4: "Likely", 5: "Almost certain"}
IMPACT = {1: "Minimal", 2: "Minor", 3: "Moderate", 4: "Major", 5: "Severe"}
CATEGORIES = [
    "Schedule",
    "Scope",
    "Budget",
    "Resources",
    "Technical",
    "Vendor",
    "Compliance",
    "Other",
]
TITLE_MAX = 200
# Description, mitigation and resolution: a section of a Slack message.
TEXT_MAX = 3000


class Severity(StrEnum):
    """How bad a score is, by the workspace's bands."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def escalates(self) -> bool:
        """High and critical entries are sent to the sponsor at once."""
        return self in (Severity.HIGH, Severity.CRITICAL)


@dataclass(frozen=True)
class RiskDraft:
    """A risk or issue as someone describes it, before the rules have looked at it."""

    title: str
    probability: int | None
    impact: int | None
    kind: RiskKind = RiskKind.RISK
    description: str = ""
    category: str = "Other"
    owner: str | None = None
    mitigation: str = ""
    review_date: date | None = None


@dataclass(frozen=True)
class Raised:
    """A stored entry, how severe it is, and who must hear of it directly."""

    risk: Risk
    project: Project
    severity: Severity
    notify: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Changed:
    """The outcome of a button: the entry as it now stands and what happened."""

    risk: Risk
    project: Project
    changed: bool
    message: str
    issue: Raised | None = None


def severity(score: int, workspace: Workspace) -> Severity:
    """The band `score` falls in: low below medium, and so on up to critical."""
    if score >= workspace.risk_critical_from:
        return Severity.CRITICAL
    if score >= workspace.risk_high_from:
        return Severity.HIGH
    if score >= workspace.risk_medium_from:
        return Severity.MEDIUM
    return Severity.LOW


def risk_label(risk: Risk, project: Project) -> str:
    """How people refer to an entry: APOLLO-R3 (a risk) or APOLLO-I4 (an issue)."""
    letter = "I" if risk.kind == RiskKind.ISSUE else "R"
    return f"{project.key}-{letter}{risk.number}"


def check_draft(draft: RiskDraft) -> dict[str, str]:
    """What is wrong with the entry, field by field (empty when it may be raised)."""
    errors: dict[str, str] = {}
    if not draft.title.strip():
        errors["title"] = "Give it a title: what might happen (or has happened)?"
    elif problem := too_long("The title", draft.title, TITLE_MAX):
        errors["title"] = problem
    for name, what in (("description", "The description"), ("mitigation", "The mitigation")):
        if problem := too_long(what, getattr(draft, name), TEXT_MAX):
            errors[name] = problem
    if draft.probability not in PROBABILITY:
        errors["probability"] = "Pick a probability from 1 (rare) to 5 (almost certain)."
    if draft.impact not in IMPACT:
        errors["impact"] = "Pick an impact from 1 (minimal) to 5 (severe)."
    if draft.category not in CATEGORIES:
        errors["category"] = "Pick one of the categories."
    return errors


def is_on_project(*, session: Session, project: Project, user_id: str) -> bool:
    """Anyone holding a role on the project may raise and own its risks."""
    assert project.id is not None
    return bool(
        roles_of(session=session, team_id=project.team_id, project_id=project.id, user_id=user_id)
    )


def require_on_project(*, session: Session, project: Project, user_id: str) -> None:
    """Raise NotPermitted naming the PM unless `user_id` is on the project."""
    if is_on_project(session=session, project=project, user_id=user_id):
        return
    raise NotPermitted(
        f"Only people on {project.key} raise its risks. Ask {_pm(session, project)} "
        "to raise it, or to add you to the project."
    )


def raise_risk(
    *, session: Session, project: Project, raised_by: str, draft: RiskDraft, now: datetime
) -> Raised:
    """Store the entry with the next number, audited; says who must hear of it at once."""
    assert project.id is not None
    errors = check_draft(draft)
    if errors:
        raise InvalidInput(errors)
    assert draft.probability is not None and draft.impact is not None
    # One numbering at a time per project (the unique constraint is the backstop).
    session.exec(select(Project).where(Project.id == project.id).with_for_update()).one()
    risk = Risk(
        team_id=project.team_id,
        project_id=project.id,
        number=risk_log.next_number(
            session=session, team_id=project.team_id, project_id=project.id
        ),
        kind=draft.kind,
        title=draft.title.strip(),
        description=draft.description.strip(),
        probability=draft.probability,
        impact=draft.impact,
        score=draft.probability * draft.impact,
        category=draft.category,
        owner=draft.owner,
        mitigation=draft.mitigation.strip(),
        review_date=draft.review_date,
        raised_by=raised_by,
        created_at=now,
        updated_at=now,
    )
    session.add(risk)
    session.flush()
    workspace = ensure_workspace(session=session, team_id=project.team_id)
    band = severity(risk.score, workspace)
    audit.record(
        session=session,
        team_id=project.team_id,
        actor=raised_by,
        action=f"{risk.kind}.raised",
        entity="risk",
        entity_id=risk.id or 0,
        at=now,
        detail={"label": risk_label(risk, project), "score": risk.score, "severity": band.value},
    )
    return Raised(
        risk=risk,
        project=project,
        severity=band,
        notify=_escalation_list(session, project, raised_by) if band.escalates else [],
    )


def _escalation_list(session: Session, project: Project, raised_by: str) -> list[str]:
    # The sponsor, and the PM unless the PM raised it; nobody hears of their own risk.
    assert project.id is not None
    sponsors = holders(
        session=session, team_id=project.team_id, project_id=project.id, role=Role.SPONSOR
    )
    pms = holders(session=session, team_id=project.team_id, project_id=project.id, role=Role.PM)
    return [user for user in dict.fromkeys([*sponsors, *pms]) if user != raised_by]


def take_ownership(
    *, session: Session, team_id: str, risk_id: int, user_id: str, now: datetime
) -> Changed:
    """The person becomes the owner (anyone on the project may)."""
    risk, project = _active(session, team_id, risk_id)
    if not is_on_project(session=session, project=project, user_id=user_id):
        raise NotPermitted(
            f"Only people on {project.key} can take ownership of its risks. "
            f"Ask {_pm(session, project)} to add you to the project."
        )
    if risk.owner == user_id:
        return Changed(risk, project, False, f"You already own {risk_label(risk, project)}.")
    before = risk.owner
    risk.owner = user_id
    _record(session, risk, project, user_id, "risk.owner_changed", now, {"from": before})
    return Changed(risk, project, True, f"You now own {risk_label(risk, project)}.")


def start_mitigating(
    *, session: Session, team_id: str, risk_id: int, user_id: str, now: datetime
) -> Changed:
    """Mark the entry as being mitigated (its owner, the PM or the sponsor may)."""
    risk, project = _active(session, team_id, risk_id)
    _require_steward(session, risk, project, user_id, "change its status")
    if risk.status == RiskStatus.MITIGATING:
        name = risk_label(risk, project)
        return Changed(risk, project, False, f"{name} is already being mitigated.")
    risk.status = RiskStatus.MITIGATING
    _record(session, risk, project, user_id, "risk.mitigating", now, {})
    return Changed(risk, project, True, f"{risk_label(risk, project)} is now being mitigated.")


def close(
    *,
    session: Session,
    team_id: str,
    risk_id: int,
    user_id: str,
    resolution: str,
    now: datetime,
) -> Changed:
    """Close the entry with a resolution note (its owner, the PM or the sponsor may)."""
    if not resolution.strip():
        raise InvalidInput({"resolution": "Say how it was resolved."})
    if problem := too_long("The resolution", resolution, TEXT_MAX):
        raise InvalidInput({"resolution": problem})
    risk, project = _active(session, team_id, risk_id)
    _require_steward(session, risk, project, user_id, "close it")
    risk.status = RiskStatus.CLOSED
    risk.resolution = resolution.strip()
    risk.closed_at = now
    _record(session, risk, project, user_id, "risk.closed", now, {"resolution": risk.resolution})
    return Changed(risk, project, True, f"{risk_label(risk, project)} is closed.")


def convert_to_issue(
    *, session: Session, team_id: str, risk_id: int, user_id: str, now: datetime
) -> Changed:
    """The risk happened: it becomes a new issue (certain, same impact) and is closed as such."""
    risk, project = _active(session, team_id, risk_id)
    if risk.kind == RiskKind.ISSUE:
        return Changed(risk, project, False, f"{risk_label(risk, project)} is already an issue.")
    _require_steward(session, risk, project, user_id, "turn it into an issue")
    issue = raise_risk(
        session=session,
        project=project,
        raised_by=user_id,
        draft=RiskDraft(
            kind=RiskKind.ISSUE,
            title=risk.title,
            description=risk.description,
            probability=5,
            impact=risk.impact,
            category=risk.category,
            owner=risk.owner,
            mitigation=risk.mitigation,
            review_date=risk.review_date,
        ),
        now=now,
    )
    issue.risk.source_risk_id = risk.id
    risk.status = RiskStatus.CONVERTED
    risk.resolution = f"Became {risk_label(issue.risk, project)}."
    risk.closed_at = now
    _record(
        session,
        risk,
        project,
        user_id,
        "risk.converted",
        now,
        {"issue": risk_label(issue.risk, project)},
    )
    return Changed(
        risk,
        project,
        True,
        f"{risk_label(risk, project)} became {risk_label(issue.risk, project)}.",
        issue=issue,
    )


def check_may_close(
    *, session: Session, team_id: str, risk_id: int, user_id: str
) -> tuple[Risk, Project]:
    """The active entry, if `user_id` may close it; refusals name who may."""
    risk, project = _active(session, team_id, risk_id)
    _require_steward(session, risk, project, user_id, "close it")
    return risk, project


def _active(session: Session, team_id: str, risk_id: int) -> tuple[Risk, Project]:
    # Lock the row so two clicks at once make one change; refuse if it is already done.
    risk = risk_log.get_risk(session=session, team_id=team_id, risk_id=risk_id, lock=True)
    if risk is None:
        raise PmoError("That risk no longer exists.")
    project = session.get(Project, risk.project_id)
    assert project is not None
    if not RiskStatus(risk.status).is_active:
        when = risk.closed_at.date().isoformat() if risk.closed_at else "earlier"
        outcome = "became an issue" if risk.status == RiskStatus.CONVERTED else "is closed"
        raise PmoError(f"{risk_label(risk, project)} already {outcome} ({when}); nothing changed.")
    return risk, project


def _require_steward(
    session: Session, risk: Risk, project: Project, user_id: str, doing: str
) -> None:
    assert project.id is not None
    roles = roles_of(
        session=session, team_id=project.team_id, project_id=project.id, user_id=user_id
    )
    if user_id == risk.owner or roles & {Role.PM, Role.SPONSOR}:
        return
    stewards = [risk.owner] if risk.owner else []
    for role in (Role.PM, Role.SPONSOR):
        stewards += holders(
            session=session, team_id=project.team_id, project_id=project.id, role=role
        )
    names = mentions(list(dict.fromkeys(stewards))) if stewards else "its owner, PM or sponsor"
    name = risk_label(risk, project)
    raise NotPermitted(f"Only the owner, the PM or the sponsor of {name} can {doing}: {names}.")


def _record(
    session: Session,
    risk: Risk,
    project: Project,
    actor: str,
    action: str,
    now: datetime,
    detail: dict[str, object],
) -> None:
    risk.version += 1
    risk.updated_at = now
    session.add(risk)
    audit.record(
        session=session,
        team_id=risk.team_id,
        actor=actor,
        action=action,
        entity="risk",
        entity_id=risk.id or 0,
        at=now,
        detail={"label": risk_label(risk, project), **detail},
    )


def _pm(session: Session, project: Project) -> str:
    assert project.id is not None
    pms = holders(session=session, team_id=project.team_id, project_id=project.id, role=Role.PM)
    return mention(pms[0]) if pms else "its PM"


def risks_past_review(
    *, session: Session, team_id: str, now: datetime
) -> list[tuple[Risk, Project]]:
    """Active entries whose review date has passed, in the workspace's time zone."""
    workspace = ensure_workspace(session=session, team_id=team_id)
    today = now.astimezone(zone(workspace.time_zone)).date()
    return risk_log.past_review(session=session, team_id=team_id, today=today)
