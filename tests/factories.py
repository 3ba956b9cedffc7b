"""The people of the test workspace and factories for the things they work on."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from storage.db import Database
from storage.models import Project, Rag, StatusUpdate
from workflows.projects import ProjectDraft, create_project

TEAM = "T0PMO0001"
OTHER_TEAM = "T0OTHER01"

PM = "UPM000001"
SPONSOR = "USPONSOR1"
APPROVER = "UAPPROVE1"
APPROVER_2 = "UAPPROVE2"
MEMBER = "UMEMBER01"
OUTSIDER = "UOUTSIDE1"


def draft(**fields: Any) -> ProjectDraft:
    values: dict[str, Any] = {
        "key": "APOLLO",
        "name": "Apollo launch",
        "pm": PM,
        "sponsor": SPONSOR,
        "approvers": [APPROVER, APPROVER_2],
        "members": [MEMBER],
        "channel_id": "CAPOLLO01",
        "phase": "Plan",
        "start_date": date(2026, 9, 1),
        "target_date": date(2027, 3, 31),
        "budget": Decimal("250000.00"),
    }
    values.update(fields)
    return ProjectDraft(**values)


def make_project(
    database: Database,
    *,
    team_id: str = TEAM,
    actor: str = PM,
    now: datetime | None = None,
    **fields: Any,
) -> Project:
    """A project created through the workflow, as `/pmo new` would."""
    with database.session() as session:
        return create_project(
            session=session,
            team_id=team_id,
            actor=actor,
            draft=draft(**fields),
            now=now or datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
        )


def add_status_update(
    database: Database, project_id: int, period: str, at: datetime, rag: Rag, **fields: Any
) -> None:
    """A status update stored as it is, every dimension `rag`, bypassing the workflow's
    rules: for tests of what storage reads back (times to the microsecond, ties, runs)."""
    values: dict[str, Any] = {
        "team_id": TEAM,
        "project_id": project_id,
        "period": period,
        "author": PM,
        "created_at": at,
        "overall": rag,
        "schedule": rag,
        "scope": rag,
        "budget": rag,
        "resources": rag,
        "summary": "Steady.",
    }
    values.update(fields)
    with database.session() as session:
        session.add(StatusUpdate(**values))
