"""What the buttons on a risk's card do: own it, mitigate it, close it, make it an issue,
edit and re-score it; and a new review date from the review reminder.

Each is one user action: it locks the entry, checks who may, changes and audits it, and
returns the reply for the person and the edit of the card (with a new issue's messages
when a risk becomes one).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlmodel import Session

from storage import audit, risk_log
from storage.models import Project, Risk, RiskKind, RiskStatus, Role
from storage.projects import holders, roles_of
from storage.workspaces import ensure_workspace
from workflows.actor import Actor
from workflows.errors import InvalidInput, NotPermitted, PmoError, too_long
from workflows.markup import mentions
from workflows.outgoing import Outgoing
from workflows.risks import (
    TEXT_MAX,
    Raised,
    RiskDraft,
    card_edit,
    check_draft,
    is_on_project,
    local_today,
    pm_of,
    rescore_escalations,
    risk_label,
    scores_of,
    severity,
    store_risk,
)
from workflows.wording import day


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
        source=risk,
    )
    became = risk_label(issue.risk, project)
    risk.status = RiskStatus.CONVERTED
    risk.resolution = f"Became {became}."
    risk.closed_at = now
    _record(session, risk, project, actor.user_id, "risk.converted", now, {"issue": became})
    message = f"{risk_label(risk, project)} became {became}."
    return _changed(session, risk, project, message, now, issue=issue)


def edit_risk(
    *, session: Session, actor: Actor, risk_id: int, draft: RiskDraft, now: datetime
) -> Changed:
    """Edit and re-score the entry (its owner, the PM or the sponsor may); its kind stays.
    The audit keeps the old and new scores; a re-score into high or critical is escalated
    as a new entry would be."""
    risk, project = _active(session, actor.team_id, risk_id)
    _require_steward(session, risk, project, actor.user_id, "edit it")
    draft = replace(draft, kind=RiskKind(risk.kind))
    if errors := check_draft(draft):
        raise InvalidInput(errors)
    workspace = ensure_workspace(session=session, team_id=project.team_id)
    before = (risk.probability, risk.impact, risk.score, severity(risk.score, workspace))
    probability, impact = scores_of(draft)
    risk.title, risk.description = draft.title.strip(), draft.description.strip()
    risk.probability, risk.impact, risk.score = probability, impact, probability * impact
    risk.category, risk.owner, risk.review_date = draft.category, draft.owner, draft.review_date
    risk.mitigation = draft.mitigation.strip()
    if risk.kind == RiskKind.DECISION:
        risk.decided_by = draft.decided_by or risk.decided_by
        risk.options, risk.rationale = draft.options.strip(), draft.rationale.strip()
    band = severity(risk.score, workspace)
    detail: dict[str, object] = {
        "probability": [before[0], risk.probability],
        "impact": [before[1], risk.impact],
        "score": [before[2], risk.score],
        "severity": [before[3].value, band.value],
    }
    _record(session, risk, project, actor.user_id, "risk.edited", now, detail)
    changed = _changed(session, risk, project, _edited_message(risk, project, before[2]), now)
    if band.escalates and not before[3].escalates:
        changed.messages.extend(
            rescore_escalations(
                session=session, risk=risk, project=project, band=band, actor=actor.user_id
            )
        )
    return changed


def new_review_date(
    *, session: Session, actor: Actor, risk_id: int, review_date: date | None, now: datetime
) -> Changed:
    """Give the entry a new review date, today or later in the workspace's time zone (its
    owner, the PM or the sponsor may)."""
    risk, project = _active(session, actor.team_id, risk_id)
    _require_steward(session, risk, project, actor.user_id, "set its review date")
    today = local_today(ensure_workspace(session=session, team_id=project.team_id), now)
    if review_date is None:
        raise InvalidInput({"review_date": "Pick the date to review it next."})
    if review_date < today:
        raise InvalidInput({"review_date": "Pick today or a later date."})
    before, risk.review_date = risk.review_date, review_date
    detail = {"from": before.isoformat() if before else None, "to": review_date.isoformat()}
    _record(session, risk, project, actor.user_id, "risk.review_date", now, detail)
    message = f"{risk_label(risk, project)} is next reviewed on {day(review_date)}."
    return _changed(session, risk, project, message, now)


def _edited_message(risk: Risk, project: Project, old_score: int) -> str:
    name = risk_label(risk, project)
    if old_score == risk.score:
        return f"{name} is updated."
    return f"{name} is updated and re-scored from {old_score} to {risk.score}."


def check_may_close(*, session: Session, actor: Actor, risk_id: int) -> tuple[Risk, Project]:
    """The active entry, if the person may close it; refusals name who may."""
    return check_steward(session=session, actor=actor, risk_id=risk_id, doing="close it")


def check_steward(
    *, session: Session, actor: Actor, risk_id: int, doing: str
) -> tuple[Risk, Project]:
    """The active entry, if the person is its owner, PM or sponsor; refusals name who is."""
    risk, project = _active(session, actor.team_id, risk_id)
    _require_steward(session, risk, project, actor.user_id, doing)
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
        when = day(risk.closed_at.date()) if risk.closed_at else "earlier"
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
