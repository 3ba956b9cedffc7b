"""Staleness: which projects owe a status update now, and since when.

A project's update is due once its period's due day has come and nothing was posted in
the period; it is overdue when not even the previous period had one. The nudges and the
Home tab ask it here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from storage import status_history
from storage.models import Project, Rag, Role
from storage.portfolio import ProjectLike, active_projects
from storage.watchlist import holders_by_project
from storage.workspaces import ensure_workspace
from workflows.periods import Period, period_containing, previous_period, zone


@dataclass(frozen=True)
class StaleProject:
    """A project whose update is due (this period) or overdue (a whole period missed)."""

    project: ProjectLike
    pm: str | None
    last_update_at: datetime | None
    overdue: bool
    period: Period


def projects_needing_update(
    *, session: Session, team_id: str, now: datetime, among: list[Project] | None = None
) -> list[StaleProject]:
    """Active projects whose update is due or overdue at `now`, in the workspace's time zone;
    with `among`, only those of these projects (one person's, for their Home: not the
    whole workspace read for a few).

    Due: no update yet this period and its due day has come. Overdue: not even one in
    the previous period. A project whose last update put it on hold owes none.
    """
    workspace = ensure_workspace(session=session, team_id=team_id)
    tz = zone(workspace.time_zone)
    projects: list[ProjectLike]
    if among is None:
        # Rows, not ORM objects: the nudge job reads every project of a large workspace.
        projects, ids = list(active_projects(session=session, team_id=team_id)), None
    else:
        projects = [p for p in among if not p.archived]
        ids = [p.id for p in projects if p.id is not None]
    latest = status_history.latest_colour_by_project(
        session=session, team_id=team_id, project_ids=ids
    )
    pms = holders_by_project(session=session, team_id=team_id, roles={Role.PM}, project_ids=ids)
    # This period and the one before, once per cadence: all projects of one share them.
    periods: dict[str, tuple[Period, Period]] = {}
    stale = []
    for project in projects:
        assert project.id is not None
        last = latest.get(project.id)
        if last is not None and last.overall == Rag.HOLD:
            continue
        if project.status_cadence not in periods:
            periods[project.status_cadence] = _periods(
                now, project.status_cadence, tz, workspace.status_due_weekday
            )
        period, before = periods[project.status_cadence]
        last_at = last.created_at if last else None
        if last_at is not None and last_at >= period.start:
            continue
        overdue = (last_at is None or last_at < before.start) and project.created_at < period.start
        if overdue or now >= period.due_at:
            project_pms = pms.get(project.id, {}).get(Role.PM, [])
            stale.append(
                StaleProject(
                    project=project,
                    pm=project_pms[0] if project_pms else None,
                    last_update_at=last_at,
                    overdue=overdue,
                    period=period,
                )
            )
    return stale


def _periods(now: datetime, cadence: str, tz: ZoneInfo, due_weekday: int) -> tuple[Period, Period]:
    # The period of `cadence` containing `now`, and the one before it.
    period = period_containing(now, cadence=cadence, tz=tz, due_weekday=due_weekday)
    return period, previous_period(period, cadence=cadence, tz=tz, due_weekday=due_weekday)
