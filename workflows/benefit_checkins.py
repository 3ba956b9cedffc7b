"""When a benefit's value is asked for: once its project has closed and its date has come.

A project states its benefits while it runs; they stay *expected*. A project is closed
when it is archived or in the workspace's last phase (its last gate passed), read from
the project as it stands, so neither archiving nor the gate needs a hook. From then on,
each benefit whose realisation date has come (in the workspace's time zone) is due for
its check-in. The nudge job marks it *due*, audited, which dates the check-in, and asks
the sponsor (the PM, when the project names no sponsor) once, at a humane hour, for the
value realised (workflows/nudges.py). The value recorded settles it (workflows/benefits.py).
A benefit still without a value ten working days after its check-in counts as missed in
the digest, until someone records it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from storage import audit, benefit_log
from storage.models import DEFAULT_PHASES, Benefit, BenefitStatus, Project, Role, Workspace
from storage.watchlist import holders_by_project
from storage.workspaces import ensure_workspace
from workflows.periods import add_working_days, zone

# Working days after its check-in that a benefit may go unrecorded before it counts as missed.
GRACE_WORKING_DAYS = 10
BOT = "pmo-bot"


@dataclass(frozen=True)
class CheckIn:
    """A benefit awaiting its value, and who is asked for it."""

    benefit: Benefit
    project: Project
    ask: list[str]


def closing_phase(workspace: Workspace) -> str:
    """The workspace's last phase: a project in it is closed."""
    phases = list(workspace.phases) or DEFAULT_PHASES
    return phases[-1]


def is_closed(project: Project, workspace: Workspace) -> bool:
    """Archived, or in the workspace's last phase."""
    return project.archived or project.phase == closing_phase(workspace)


def today_in(workspace: Workspace, now: datetime) -> date:
    """The day it is in the workspace's time zone."""
    return now.astimezone(zone(workspace.time_zone)).date()


def standing(
    benefit: Benefit, project: Project, workspace: Workspace, now: datetime
) -> BenefitStatus:
    """The benefit's status as it stands now: an expected one whose check-in has come is
    due even before the nudge job marks it."""
    if (
        benefit.status == BenefitStatus.EXPECTED
        and is_closed(project, workspace)
        and benefit.realise_on <= today_in(workspace, now)
    ):
        return BenefitStatus.DUE
    return BenefitStatus(benefit.status)


def askable(roles: dict[Role, list[str]]) -> list[str]:
    """Who records a project's benefits: its sponsors, else its PM."""
    return list(roles.get(Role.SPONSOR) or roles.get(Role.PM) or [])


def awaiting_check_in(*, session: Session, team_id: str, now: datetime) -> list[CheckIn]:
    """Every benefit of the workspace awaiting its value now, with who is asked for it
    (two statements, however many projects)."""
    rows = benefit_log.awaiting_value(session=session, **_awaiting(session, team_id, now))
    if not rows:
        return []
    roles = _askable_roles(session, team_id, {project.id or 0 for _benefit, project in rows})
    return [
        CheckIn(benefit=benefit, project=project, ask=askable(roles.get(project.id or 0, {})))
        for benefit, project in rows
    ]


def asked_for_values(*, session: Session, team_id: str, now: datetime) -> list[str]:
    """Who `awaiting_check_in` asks, each once, in its order (without reading the benefits
    themselves: the nudge job's look-up)."""
    project_ids = benefit_log.projects_awaiting_value(
        session=session, **_awaiting(session, team_id, now)
    )
    if not project_ids:
        return []
    roles = _askable_roles(session, team_id, set(project_ids))
    asked = (user for project_id in project_ids for user in askable(roles.get(project_id, {})))
    return list(dict.fromkeys(asked))


def _awaiting(session: Session, team_id: str, now: datetime) -> dict[str, Any]:
    # Which benefits await a value now: the workspace's closing phase and its local day.
    workspace = ensure_workspace(session=session, team_id=team_id)
    return {
        "team_id": team_id,
        "closing_phase": closing_phase(workspace),
        "today": today_in(workspace, now),
    }


def _askable_roles(
    session: Session, team_id: str, project_ids: set[int]
) -> dict[int, dict[Role, list[str]]]:
    # Only these benefits' projects: not every role of a large workspace.
    return holders_by_project(
        session=session, team_id=team_id, roles={Role.SPONSOR, Role.PM}, project_ids=project_ids
    )


def mark_due(*, session: Session, team_id: str, now: datetime) -> list[Benefit]:
    """Mark *due* each expected benefit whose check-in has come, audited (the audit row
    dates the check-in), in the caller's transaction; returns those marked."""
    marked = []
    for check_in in awaiting_check_in(session=session, team_id=team_id, now=now):
        benefit, project = check_in.benefit, check_in.project
        if benefit.status != BenefitStatus.EXPECTED:
            continue
        benefit.status = BenefitStatus.DUE
        session.add(benefit)
        audit.record(
            session=session,
            team_id=team_id,
            actor=BOT,
            action=benefit_log.MARKED_DUE,
            entity="benefit",
            entity_id=benefit.id or 0,
            at=now,
            detail={"project": project.key, "title": benefit.title, "ask": check_in.ask},
        )
        marked.append(benefit)
    return marked


def overdue_after(checked_in: datetime, workspace: Workspace) -> datetime:
    """When a benefit checked in at `checked_in` and still unrecorded counts as missed."""
    return add_working_days(checked_in, GRACE_WORKING_DAYS, workspace.time_zone)
