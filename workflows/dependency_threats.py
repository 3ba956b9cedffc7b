"""Dependency threats: which open dependencies are in danger, and whom each one reaches.

A dependency (the downstream project waits on the upstream's deliverable by a need date)
is threatened when the upstream's newest standing update is red or amber, when the
upstream's target date is after the need date, or when the need date has passed and the
deliverable has not arrived. A threat reaches the project that waits and, hop by hop,
every project waiting on that one: if APOLLO waits on HERMES and HERMES on ZEUS, a red
ZEUS reaches APOLLO with the chain ZEUS → HERMES → APOLLO.

`threats` and `reaches` are pure rules over rows the caller read; `read_threats` reads
them in bulk (a handful of statements however many projects) for the nudge job, the
alerts after an action and `/pmo depends KEY`. "Needs attention" applies the same rules
to the rows it has already read.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Session

from storage import watchlist
from storage.dependency_log import open_dependencies
from storage.models import Dependency, Project, Rag
from storage.projects import list_projects
from storage.workspaces import ensure_workspace
from workflows.periods import zone

TROUBLED = (Rag.RED.value, Rag.AMBER.value)


class ThreatKind(StrEnum):
    """Why a dependency is in danger."""

    COLOUR = "colour"
    LATE_TARGET = "late_target"
    MISSED = "missed"


@dataclass(frozen=True)
class Threat:
    """One open dependency in danger, and why: for a colour, the upstream's red or amber
    update (`update_id`, `rag`, `reported_at`); for a late target, the upstream's
    `target_date`; a missed need date needs nothing more."""

    kind: ThreatKind
    dependency: Dependency
    upstream: Project
    downstream: Project
    update_id: int | None = None
    rag: Rag | None = None
    reported_at: datetime | None = None
    target_date: date | None = None


@dataclass(frozen=True)
class Reach:
    """A threat as it reaches one waiting project: `chain` runs from the threatened
    dependency's upstream to that project, each project feeding the next."""

    threat: Threat
    waiting: Project
    chain: tuple[Project, ...]

    @property
    def hops(self) -> int:
        """1 when the waiting project is the threatened dependency's own downstream."""
        return len(self.chain) - 1

    def passes(self, upstream_id: int | None, downstream_id: int | None) -> bool:
        """True when the chain runs through the dependency `downstream` waits on `upstream`."""
        return any(
            (feeder.id, fed.id) == (upstream_id, downstream_id)
            for feeder, fed in zip(self.chain, self.chain[1:], strict=False)
        )


@dataclass(frozen=True)
class ThreatMap:
    """The workspace's threats at a moment, each as it reaches every waiting project."""

    today: date
    reaches: list[Reach]

    def reaching(self, project_id: int | None) -> list[Reach]:
        """The threats that reach this project, nearest first."""
        return [reach for reach in self.reaches if reach.waiting.id == project_id]


def threats(
    *,
    dependencies: Iterable[Dependency],
    projects: Mapping[int, Project],
    standing: Mapping[int, watchlist.Standing],
    today: date,
) -> list[Threat]:
    """Every threat to the open `dependencies` between the active `projects`, given each
    project's newest standing update and the local `today`, in dependency order."""
    found: list[Threat] = []
    for dependency in dependencies:
        upstream = projects.get(dependency.upstream_id)
        downstream = projects.get(dependency.downstream_id)
        if upstream is None or downstream is None:
            continue
        pair = {"dependency": dependency, "upstream": upstream, "downstream": downstream}
        update = standing.get(dependency.upstream_id)
        if update is not None and update.overall in TROUBLED:
            found.append(
                Threat(
                    ThreatKind.COLOUR,
                    **pair,
                    update_id=update.id,
                    rag=Rag(update.overall),
                    reported_at=update.created_at,
                )
            )
        target = upstream.target_date
        if target is not None and target > dependency.need_by:
            found.append(Threat(ThreatKind.LATE_TARGET, **pair, target_date=target))
        if dependency.need_by < today:
            found.append(Threat(ThreatKind.MISSED, **pair))
    return found


def reaches(
    found: Iterable[Threat], dependencies: Iterable[Dependency], projects: Mapping[int, Project]
) -> list[Reach]:
    """Each threat as it reaches its downstream project and every project waiting on that
    one, hop by hop (breadth first: the shortest chain to each project, each project once)."""
    waiting_on: dict[int, list[int]] = defaultdict(list)
    for dependency in dependencies:
        waiting_on[dependency.upstream_id].append(dependency.downstream_id)
    result: list[Reach] = []
    for threat in found:
        start = (threat.upstream, threat.downstream)
        seen = {project.id for project in start}
        queue: deque[tuple[Project, ...]] = deque([start])
        while queue:
            chain = queue.popleft()
            result.append(Reach(threat, chain[-1], chain))
            for project_id in waiting_on.get(chain[-1].id or 0, []):
                project = projects.get(project_id)
                if project is not None and project_id not in seen:
                    seen.add(project_id)
                    queue.append((*chain, project))
    return result


def read_threats(*, session: Session, team_id: str, now: datetime) -> ThreatMap:
    """The workspace's threats at `now` (its local day), read in bulk."""
    workspace = ensure_workspace(session=session, team_id=team_id)
    today = now.astimezone(zone(workspace.time_zone)).date()
    dependencies = open_dependencies(session=session, team_id=team_id)
    if not dependencies:
        return ThreatMap(today, [])
    projects = {p.id: p for p in list_projects(session=session, team_id=team_id) if p.id}
    standing = watchlist.latest_standing(session=session, team_id=team_id)
    found = threats(dependencies=dependencies, projects=projects, standing=standing, today=today)
    return ThreatMap(today, reaches(found, dependencies, projects))
