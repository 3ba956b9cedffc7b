"""Whole-workspace reads behind `/goal portfolio`: each project's goal links, health and
spend, and open high risks.

One statement each, however many projects the workspace has; the ranking's formula
lives in workflows/portfolio_rank.py.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.models import Goal, ProjectGoal, Risk, RiskStatus, StatusUpdate
from storage.status_history import newest_standing_ids

ACTIVE_RISKS = [RiskStatus.OPEN.value, RiskStatus.MITIGATING.value]


class Reported(NamedTuple):
    """What a project's newest standing update says of its health and spend."""

    overall: str
    spent_to_date: Decimal | None


def goal_weights(*, session: Session, team_id: str) -> dict[int, int]:
    """For each project linked to a goal that is not archived, the sum of its links'
    weights."""
    rows = session.exec(
        select(ProjectGoal.project_id, func.sum(ProjectGoal.weight))
        .join(Goal, col(Goal.id) == col(ProjectGoal.goal_id))
        .where(ProjectGoal.team_id == team_id, col(Goal.archived).is_(False))
        .group_by(col(ProjectGoal.project_id))
    )
    return {project_id: int(total or 0) for project_id, total in rows}


def latest_reported(*, session: Session, team_id: str) -> dict[int, Reported]:
    """For each project that reported, its newest standing update's colour and spend."""
    rows = session.exec(
        select(StatusUpdate.project_id, StatusUpdate.overall, StatusUpdate.spent_to_date).where(
            col(StatusUpdate.id).in_(newest_standing_ids(team_id))
        )
    )
    return {project_id: Reported(overall, spent) for project_id, overall, spent in rows}


def open_risks_from(*, session: Session, team_id: str, min_score: int) -> dict[int, int]:
    """For each project, how many open or mitigating risks and issues score `min_score` or
    more."""
    rows = session.exec(
        select(Risk.project_id, func.count())
        .where(
            Risk.team_id == team_id,
            col(Risk.status).in_(ACTIVE_RISKS),
            col(Risk.score) >= min_score,
        )
        .group_by(col(Risk.project_id))
    )
    return {project_id: int(count) for project_id, count in rows}
