"""Views of the RAID log: a project's entries filtered, and the 5 × 5 heat map of open
risks and issues for a project or the whole portfolio."""  # noqa: RUF002

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session

from storage import risk_log
from storage.models import Project, RiskKind, RiskStatus, Workspace
from storage.workspaces import ensure_workspace
from workflows import message_keys
from workflows.actor import Actor
from workflows.outgoing import Outgoing
from workflows.projects import get_project, resolve_project
from workflows.risks import RiskRegister, Severity, local_today, severity

ACTIVE = (RiskStatus.OPEN, RiskStatus.MITIGATING)
CLOSED = (RiskStatus.CLOSED, RiskStatus.CONVERTED)
# Which statuses each word of `/risk list` means.
STATES: dict[str, tuple[RiskStatus, ...]] = {
    "open": ACTIVE,
    "closed": CLOSED,
    "all": (*ACTIVE, *CLOSED),
}
SCALE = range(1, 6)


@dataclass(frozen=True)
class RiskFilter:
    """What `/risk list` asked for: the kinds (all when empty), open, closed or all, an
    owner, and a lowest score."""

    kinds: tuple[RiskKind, ...] = ()
    state: str = "open"
    owner: str | None = None
    min_score: int = 0


def filtered_register(
    *,
    session: Session,
    actor: Actor,
    key: str | None,
    wanted: RiskFilter,
    now: datetime,
    usage: str,
) -> tuple[Project, RiskRegister]:
    """The project's entries that match `wanted` (the project named, else the channel's),
    highest score first; anyone in the workspace may look."""
    project = resolve_project(
        session=session, team_id=actor.team_id, key=key, channel_id=actor.channel_id, usage=usage
    )
    assert project.id is not None
    entries = risk_log.filtered(
        session=session,
        team_id=actor.team_id,
        project_id=project.id,
        kinds=[kind.value for kind in (wanted.kinds or tuple(RiskKind))],
        statuses=[status.value for status in STATES[wanted.state]],
        owner=wanted.owner,
        min_score=wanted.min_score,
    )
    workspace = ensure_workspace(session=session, team_id=actor.team_id)
    banded = [(risk, project, severity(risk.score, workspace)) for risk in entries]
    return project, RiskRegister(entries=banded, today=local_today(workspace, now))


@dataclass(frozen=True)
class RiskHeatMap:
    """Open risks and issues by probability (rows, 1 to 5) and impact (columns, 1 to 5):
    how many sit in each cell and the workspace's band for the cell's score (content of
    the file sent)."""

    scope: str
    day: date
    counts: tuple[tuple[int, ...], ...]
    bands: tuple[tuple[Severity, ...], ...]

    @property
    def total(self) -> int:
        """How many entries the map counts."""
        return sum(sum(row) for row in self.counts)

    def count(self, probability: int, impact: int) -> int:
        """How many entries sit at this probability and impact."""
        return self.counts[probability - 1][impact - 1]


@dataclass(frozen=True)
class RiskHeatMapShared:
    """The heat map drawn and the message that sends it."""

    heat_map: RiskHeatMap
    messages: list[Outgoing] = field(default_factory=list)


def heat_map_of(
    cells: dict[tuple[int, int], int], workspace: Workspace, scope: str, day: date
) -> RiskHeatMap:
    """The 5 × 5 map from the counts per (probability, impact), banded by `workspace`."""  # noqa: RUF002
    return RiskHeatMap(
        scope=scope,
        day=day,
        counts=tuple(tuple(cells.get((p, i), 0) for i in SCALE) for p in SCALE),
        bands=tuple(tuple(severity(p * i, workspace) for i in SCALE) for p in SCALE),
    )


def risk_heat_map(*, session: Session, team_id: str, key: str | None, now: datetime) -> RiskHeatMap:
    """The heat map of the project named by `key`, or of the portfolio when None."""
    workspace = ensure_workspace(session=session, team_id=team_id)
    project = get_project(session=session, team_id=team_id, key=key) if key else None
    cells = risk_log.open_cells(
        session=session, team_id=team_id, project_id=project.id if project else None
    )
    scope = project.key if project else "Portfolio"
    return heat_map_of(cells, workspace, scope, local_today(workspace, now))


def share_risk_heat_map(
    *, session: Session, actor: Actor, key: str | None, now: datetime
) -> RiskHeatMapShared:
    """The heat map of a project (or the portfolio), sent to the person who asked in their
    direct messages with the bot; anyone in the workspace may ask."""
    picture = risk_heat_map(session=session, team_id=actor.team_id, key=key, now=now)
    message = Outgoing(
        team_id=actor.team_id,
        key=message_keys.risk_heatmap(actor.user_id, now),
        to=actor.user_id,
        content=picture,
    )
    return RiskHeatMapShared(heat_map=picture, messages=[message])
