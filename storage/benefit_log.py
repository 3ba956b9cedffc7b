"""Projects' expected benefits: queries only, every one scoped by workspace.

The whole-workspace reads (`awaiting_value`, `recorded_between`, `due_since`) are one
statement each, however many projects there are: the nudge job and the digest ask them.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, or_
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from storage.models import AuditEvent, Benefit, BenefitStatus, Project
from storage.types import UTCDateTime

UNRECORDED = [BenefitStatus.EXPECTED.value, BenefitStatus.DUE.value]
RECORDED = [BenefitStatus.REALISED.value, BenefitStatus.MISSED.value]
# The audit action that dates a benefit's check-in (workflows/benefit_checkins.py).
MARKED_DUE = "benefit.due"


def benefits_of(*, session: Session, team_id: str, project_id: int) -> list[Benefit]:
    """A project's benefits, soonest realisation date first."""
    return list(
        session.exec(
            select(Benefit)
            .where(Benefit.team_id == team_id, Benefit.project_id == project_id)
            .order_by(col(Benefit.realise_on), col(Benefit.id))
        )
    )


def find_benefit(
    *, session: Session, team_id: str, benefit_id: int
) -> tuple[Benefit, Project] | None:
    """The benefit with this id in this workspace, with its project; None if there is none."""
    row = session.exec(
        select(Benefit, Project)
        .join(Project, col(Project.id) == col(Benefit.project_id))
        .where(Benefit.team_id == team_id, Benefit.id == benefit_id)
    ).first()
    return (row[0], row[1]) if row is not None else None


def awaiting_value(
    *, session: Session, team_id: str, closing_phase: str, today: date
) -> list[tuple[Benefit, Project]]:
    """Benefits with no value recorded that are marked due, or whose realisation date is
    `today` or earlier and whose project is archived or in `closing_phase`; oldest first."""
    statement = _awaiting_value(team_id, closing_phase, today)
    return [(benefit, project) for benefit, project in session.exec(statement)]


def projects_awaiting_value(
    *, session: Session, team_id: str, closing_phase: str, today: date
) -> list[int]:
    """The project of each of `awaiting_value`'s benefits, in its order: ids only (the
    nudge job asks it just to know whose profile to read first)."""
    statement = _awaiting_value(team_id, closing_phase, today).with_only_columns(
        col(Benefit.project_id)
    )
    return list(session.scalars(statement))


def _awaiting_value(team_id: str, closing_phase: str, today: date) -> Select[Benefit, Project]:
    closed = or_(col(Project.archived).is_(True), col(Project.phase) == closing_phase)
    return (
        select(Benefit, Project)
        .join(Project, col(Project.id) == col(Benefit.project_id))
        .where(
            Benefit.team_id == team_id,
            or_(
                col(Benefit.status) == BenefitStatus.DUE.value,
                (col(Benefit.status) == BenefitStatus.EXPECTED.value)
                & (col(Benefit.realise_on) <= today)
                & closed,
            ),
        )
        .order_by(col(Benefit.realise_on), col(Benefit.id))
    )


def recorded_between(
    *, session: Session, team_id: str, start: datetime, end: datetime
) -> list[tuple[Benefit, Project]]:
    """Benefits whose value was recorded in [start, end), realised or missed, in order."""
    statement = (
        select(Benefit, Project)
        .join(Project, col(Project.id) == col(Benefit.project_id))
        .where(
            Benefit.team_id == team_id,
            col(Benefit.status).in_(RECORDED),
            col(Benefit.recorded_at) >= start,
            col(Benefit.recorded_at) < end,
        )
        .order_by(col(Benefit.recorded_at), col(Benefit.id))
    )
    return [(benefit, project) for benefit, project in session.exec(statement)]


def due_since(*, session: Session, team_id: str) -> dict[int, datetime]:
    """When each benefit was first marked due (its check-in), from the audit trail."""
    rows = session.exec(
        select(AuditEvent.entity_id, func.min(AuditEvent.at, type_=UTCDateTime))
        .where(
            AuditEvent.team_id == team_id,
            AuditEvent.entity == "benefit",
            AuditEvent.action == MARKED_DUE,
        )
        .group_by(col(AuditEvent.entity_id))
    )
    return {int(entity_id): at for entity_id, at in rows if entity_id.isdigit()}
