"""The RAID log's entries (risks, issues, assumptions, decisions): queries only, every one
scoped by workspace."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from storage.models import Project, Risk, RiskKind, RiskStatus

ACTIVE = [RiskStatus.OPEN.value, RiskStatus.MITIGATING.value]
# The kinds with a probability, an impact and a score (assumptions and decisions score 0).
SCORED = [RiskKind.RISK.value, RiskKind.ISSUE.value]


def get_risk(*, session: Session, team_id: str, risk_id: int, lock: bool = False) -> Risk | None:
    """One risk of the workspace; `lock` holds its row until the transaction ends."""
    statement = select(Risk).where(Risk.team_id == team_id, Risk.id == risk_id)
    if lock:
        statement = statement.with_for_update()
    return session.exec(statement).first()


def next_number(*, session: Session, team_id: str, project_id: int) -> int:
    """The number the project's next risk gets (R1, R2, ...)."""
    highest = session.exec(
        select(func.max(Risk.number)).where(Risk.team_id == team_id, Risk.project_id == project_id)
    ).one()
    return (highest or 0) + 1


def active_risks(*, session: Session, team_id: str, project_id: int) -> list[Risk]:
    """The project's open and mitigating entries, highest score first."""
    return list(
        session.exec(
            select(Risk)
            .where(
                Risk.team_id == team_id,
                Risk.project_id == project_id,
                col(Risk.status).in_(ACTIVE),
            )
            .order_by(col(Risk.score).desc(), col(Risk.id))
        )
    )


def owned_by(
    *, session: Session, team_id: str, user_id: str, scored_only: bool = False
) -> list[tuple[Risk, Project]]:
    """Active entries a person owns, across projects, highest score first (only risks and
    issues when `scored_only`)."""
    statement = _active_with_projects(team_id).where(Risk.owner == user_id)
    if scored_only:
        statement = statement.where(col(Risk.kind).in_(SCORED))
    return list(session.exec(statement.order_by(col(Risk.score).desc(), col(Risk.id))))


def past_review(*, session: Session, team_id: str, today: date) -> list[tuple[Risk, Project]]:
    """Active entries whose review date is before `today`, oldest review first."""
    return list(session.exec(_past_review(team_id, today)))


def past_review_owners(*, session: Session, team_id: str, today: date) -> list[str | None]:
    """The owner of each of `past_review`'s entries, in its order: ids only (the nudge job
    asks it of a whole workspace just to know whose profile to read first)."""
    return list(session.scalars(_past_review(team_id, today).with_only_columns(col(Risk.owner))))


def _past_review(team_id: str, today: date) -> Select[Risk, Project]:
    return (
        _active_with_projects(team_id)
        .where(col(Risk.review_date).is_not(None), col(Risk.review_date) < today)
        .order_by(col(Risk.review_date), col(Risk.id))
    )


def top_open_risks(
    *, session: Session, team_id: str, before: datetime, limit: int
) -> list[tuple[Risk, Project]]:
    """The `limit` highest-scored open or mitigating risks raised before `before`, on
    active projects, highest first (one statement, however many projects: the digest)."""
    statement = _active_with_projects(team_id).where(
        Risk.created_at < before, col(Risk.kind).in_(SCORED)
    )
    return list(session.exec(statement.order_by(col(Risk.score).desc(), col(Risk.id)).limit(limit)))


def open_counts_by_project(*, session: Session, team_id: str, min_score: int) -> dict[int, int]:
    """For each project with any, how many open or mitigating entries score `min_score` or
    more (one statement, however many projects: goals roll these up)."""
    statement = (
        select(Risk.project_id, func.count())
        .where(
            Risk.team_id == team_id,
            col(Risk.status).in_(ACTIVE),
            col(Risk.kind).in_(SCORED),
            col(Risk.score) >= min_score,
        )
        .group_by(col(Risk.project_id))
    )
    return {project_id: count for project_id, count in session.exec(statement)}


def filtered(
    *,
    session: Session,
    team_id: str,
    project_id: int,
    kinds: list[str],
    statuses: list[str],
    owner: str | None,
    min_score: int,
) -> list[Risk]:
    """The project's entries of `kinds` in `statuses` (owned by `owner` when given) scoring
    `min_score` or more, highest score first, newest first among equals."""
    statement = select(Risk).where(
        Risk.team_id == team_id,
        Risk.project_id == project_id,
        col(Risk.kind).in_(kinds),
        col(Risk.status).in_(statuses),
        col(Risk.score) >= min_score,
    )
    if owner is not None:
        statement = statement.where(Risk.owner == owner)
    return list(session.exec(statement.order_by(col(Risk.score).desc(), col(Risk.id).desc())))


def open_cells(
    *, session: Session, team_id: str, project_id: int | None
) -> dict[tuple[int, int], int]:
    """How many open or mitigating risks and issues sit at each (probability, impact), on
    one project or (None) on every active project of the workspace."""
    statement = (
        select(Risk.probability, Risk.impact, func.count())
        .join(Project, col(Project.id) == col(Risk.project_id))
        .where(
            Risk.team_id == team_id,
            col(Risk.status).in_(ACTIVE),
            col(Risk.kind).in_(SCORED),
            col(Project.archived).is_(False),
        )
        .group_by(col(Risk.probability), col(Risk.impact))
    )
    if project_id is not None:
        statement = statement.where(Risk.project_id == project_id)
    return {(p, i): int(count) for p, i, count in session.exec(statement)}


def _active_with_projects(team_id: str) -> Select[Risk, Project]:
    # Open and mitigating entries of the workspace's active projects, each with its project.
    return (
        select(Risk, Project)
        .join(Project, col(Project.id) == col(Risk.project_id))
        .where(
            Risk.team_id == team_id,
            col(Risk.status).in_(ACTIVE),
            col(Project.archived).is_(False),
        )
    )
