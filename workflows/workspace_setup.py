"""A new workspace's first hour: what is left to set up, and its first PMO lead.

Until a digest channel is set the Monday digest goes nowhere, so whoever may change the
settings sees what is left on their App Home. Each step is done when:

- digest channel: one is set;
- time zone: it is not the default (UTC), or someone has saved the settings form, where
  the zone is the first field (a workspace that really runs on UTC ticks it off that way);
- first project: the workspace has a project, archived ones included;
- PMO leads: at least one is named.

The person who installs the app becomes the first PMO lead of a workspace that has none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session

from storage import audit
from storage.models import DEFAULT_TIME_ZONE
from storage.projects import has_projects
from storage.workspaces import ensure_workspace

SETTINGS_CHANGED = "workspace.settings_changed"
PMO_LEAD_ADDED = "workspace.pmo_lead_added"


class SetupStep(StrEnum):
    """One thing a new workspace needs before pmo-bot is of use, in the order to do them."""

    DIGEST_CHANNEL = "digest_channel"
    TIME_ZONE = "time_zone"
    FIRST_PROJECT = "first_project"
    PMO_LEADS = "pmo_leads"


@dataclass(frozen=True)
class SetupProgress:
    """Where a workspace's setup stands, with what is set so far to show beside each step."""

    digest_channel: str | None
    time_zone: str
    time_zone_chosen: bool
    has_project: bool
    pmo_leads: list[str]

    @property
    def done(self) -> dict[SetupStep, bool]:
        """Each step, in order, and whether it is done."""
        return {
            SetupStep.DIGEST_CHANNEL: self.digest_channel is not None,
            SetupStep.TIME_ZONE: self.time_zone_chosen,
            SetupStep.FIRST_PROJECT: self.has_project,
            SetupStep.PMO_LEADS: bool(self.pmo_leads),
        }

    @property
    def complete(self) -> bool:
        """Every step is done."""
        return all(self.done.values())


def setup_progress(*, session: Session, team_id: str) -> SetupProgress:
    """What the workspace has set up so far (see the module's rules for each step)."""
    workspace = ensure_workspace(session=session, team_id=team_id)
    chosen = workspace.time_zone != DEFAULT_TIME_ZONE or audit.has_event(
        session=session, team_id=team_id, action=SETTINGS_CHANGED
    )
    return SetupProgress(
        digest_channel=workspace.digest_channel,
        time_zone=workspace.time_zone,
        time_zone_chosen=chosen,
        has_project=has_projects(session=session, team_id=team_id),
        pmo_leads=list(workspace.pmo_leads),
    )


def add_installer_as_pmo_lead(
    *, session: Session, team_id: str, user_id: str, now: datetime
) -> bool:
    """The person who installed the app becomes the workspace's PMO lead when it has none
    (audited, with the leads before and after); a re-install changes nothing when a lead
    is named. True when they were added."""
    workspace = ensure_workspace(session=session, team_id=team_id)
    if workspace.pmo_leads:
        return False
    workspace.pmo_leads = [user_id]
    session.add(workspace)
    audit.record(
        session=session,
        team_id=team_id,
        actor=user_id,
        action=PMO_LEAD_ADDED,
        entity="workspace",
        entity_id=team_id,
        at=now,
        detail={"pmo_leads": [[], [user_id]], "why": "installed pmo-bot"},
    )
    return True
