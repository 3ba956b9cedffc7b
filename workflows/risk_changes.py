"""What the buttons on a risk's card do: own it, mitigate it, close it, make it an issue.

Each is one user action: it locks the entry, checks who may, changes and audits it, and
returns the reply for the person and the edit of the card (with a new issue's messages
when a risk becomes one).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from storage import audit, risk_log
from storage.models import Project, Risk, RiskKind, RiskStatus, Role
from storage.projects import holders, roles_of
from workflows.actor import Actor
from workflows.errors import InvalidInput, NotPermitted, PmoError, too_long
from workflows.markup import mentions
from workflows.outgoing import Outgoing
from workflows.risks import (
    TEXT_MAX,
    Raised,
    RiskDraft,
    card_edit,
    is_on_project,
    pm_of,
    risk_label,
    store_risk,
)


@dataclass(frozen=True)
class Changed:
    """The outcome of a button: the entry as it now stands, what to tell the person, and
    the messages to send (none when nothing changed)."""

    risk: Risk
    project: Project
    changed: bool
    message: str
    messages: list[Outgoing] = field(default_factory=list)


def take_ownership(*, session: Session, actor: Actor, risk_id: int, now: datetime) -> Changed:
    """The person becomes the owner (anyone on the project may)."""
    risk, project = _active(session, actor.team_id, risk_id)
    if not is_on_project(session=session, project=project, user_id=actor.user_id):
        raise NotPermitted(
            f"Only people on {project.key} can take ownership of its risks. "
            f"Ask {pm_of(session, project)} to add you to the project."
        )
    name = risk_label(risk, project)
    if risk.owner == actor.user_id:
        return Changed(risk, project, False, f"You already own {name}.")
    before = risk.owner
    risk.owner = actor.user_id
    _record(session, risk, project, actor.user_id, "risk.owner_changed", now, {"from": before})
    return _changed(session, risk, project, f"You now own {name}.", now)


def start_mitigating(*, session: Session, actor: Actor, risk_id: int, now: datetime) -> Changed:
    """Mark the entry as being mitigated (its owner, the PM or the sponsor may)."""
    risk, project = _active(session, actor.team_id, risk_id)
    _require_steward(session, risk, project, actor.user_id, "change its status")
    name = risk_label(risk, project)
    if risk.status == RiskStatus.MITIGATING:
        return Changed(risk, project, False, f"{name} is already being mitigated.")
    risk.status = RiskStatus.MITIGATING
    _record(session, risk, project, actor.user_id, "risk.mitigating", now, {})
    return _changed(session, risk, project, f"{name} is now being mitigated.", now)


def close(
    *, session: Session, actor: Actor, risk_id: int, resolution: str, now: datetime
) -> Changed:
    """Close the entry with a resolution note (its owner, the PM or the sponsor may)."""
    if not resolution.strip():
        raise InvalidInput({"resolution": "Say how it was resolved."})
    if problem := too_long("The resolution", resolution, TEXT_MAX):
        raise InvalidInput({"resolution": problem})
    risk, project = _active(session, actor.team_id, risk_id)
    _require_steward(session, risk, project, actor.user_id, "close it")
    risk.status = RiskStatus.CLOSED
    risk.resolution = resolution.strip()
    risk.closed_at = now
    detail = {"resolution": risk.resolution}
    _record(session, risk, project, actor.user_id, "risk.closed", now, detail)
    return _changed(session, risk, project, f"{risk_label(risk, project)} is closed.", now)


def convert_to_issue(*, session: Session, actor: Actor, risk_id: int, now: datetime) -> Changed:
    """The risk happened: it becomes a new issue (certain, same impact) and is closed as such."""
    risk, project = _active(session, actor.team_id, risk_id)
    if risk.kind == RiskKind.ISSUE:
        return Changed(risk, project, False, f"{risk_label(risk, project)} is already an issue.")
    _require_steward(session, risk, project, actor.user_id, "turn it into an issue")
    issue = store_risk(
        session=session,
        project=project,
        raised_by=actor.user_id,
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
    became = risk_label(issue.risk, project)
    risk.status = RiskStatus.CONVERTED
    risk.resolution = f"Became {became}."
    risk.closed_at = now
    _record(session, risk, project, actor.user_id, "risk.converted", now, {"issue": became})
    message = f"{risk_label(risk, project)} became {became}."
    return _changed(session, risk, project, message, now, issue=issue)


def check_may_close(*, session: Session, actor: Actor, risk_id: int) -> tuple[Risk, Project]:
    """The active entry, if the person may close it; refusals name who may."""
    risk, project = _active(session, actor.team_id, risk_id)
    _require_steward(session, risk, project, actor.user_id, "close it")
    return risk, project


def _changed(
    session: Session,
    risk: Risk,
    project: Project,
    message: str,
    now: datetime,
    issue: Raised | None = None,
) -> Changed:
    # The card is edited in place; a new issue brings its own card and escalations.
    edit = card_edit(session=session, risk=risk, project=project, now=now)
    messages = [edit, *(issue.messages if issue else [])]
    return Changed(risk, project, True, message, messages)


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
