"""How long does the capacity forecast take, how many SQL statements does it issue and how
much memory does it hold at its peak (tracemalloc), for 200 people on 50 projects and
2,000 people on 500? (Under a second for 2,000 people, and
a statement count that does not grow with the people or the projects.) The heat map's
data is made from the same forecast and drawn too.

Each person has one to three skills, a third have a cost rate and one in twenty is on
leave for the next week; each project has a PM and members, and each person two or three
allocations spread over the twelve weeks; one project in five has an open request for
people. Run:

    python bench/capacity_bench.py                    # SQLite
    python bench/capacity_bench.py --database-url postgresql://postgres@127.0.0.1:5432/test
    python bench/capacity_bench.py --sizes 200:50,2000:500,5000:1000
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from bench.measure import counting_statements, peak_memory  # noqa: E402
from bench.scratch_db import as_in_service, drop, fresh_database  # noqa: E402
from commands.capacity_heatmap import heatmap_png  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.models import (  # noqa: E402
    Allocation,
    Person,
    Project,
    ProjectRole,
    RequestStatus,
    ResourceRequest,
    Role,
    Workspace,
)
from storage.workspaces import ensure_workspace  # noqa: E402
from workflows.forecast import Forecast, forecast  # noqa: E402
from workflows.load_heatmap import HeatMap, heat_map  # noqa: E402

NOW = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)  # a Monday
MONDAY = date(2026, 11, 30)
TEAM = "TBENCH001"
WEEKS = 12
SKILLS = [
    "backend",
    "frontend",
    "design",
    "data",
    "qa",
    "devops",
    "mobile",
    "security",
    "analysis",
    "pm",
    "ml",
    "writing",
]


def user(n: int) -> str:
    return f"U{n:08d}"


def seed(database: Database, people: int, projects: int) -> tuple[int, int]:
    """A workspace of `people` people on `projects` projects, inserted in bulk; returns how
    many allocations and open requests it has."""
    created = NOW - timedelta(weeks=20)
    with database.session() as session:
        session.add(Workspace(team_id=TEAM, pmo_leads=[user(0)]))
        session.flush()
        session.execute(insert(Person), [_person(n, created) for n in range(people)])
        rows = [
            Project(
                team_id=TEAM,
                key=f"P{n:04d}",
                name=f"Project number {n}",
                phase="Execute",
                budget=Decimal(250_000),
                created_by=user(n % people),
                created_at=created,
                updated_at=created,
            )
            for n in range(projects)
        ]
        session.add_all(rows)
        session.flush()
        ids = [project.id or 0 for project in rows]
        roles: list[dict[str, Any]] = []
        for n in range(people):
            # Everyone is a member of one project; every project's PM is someone.
            roles.append(_role(ids[n % projects], user(n), Role.MEMBER))
        for n, project_id in enumerate(ids):
            roles.append(_role(project_id, user((n * 7) % people), Role.PM))
        session.execute(insert(ProjectRole), roles)
        allocations = [
            allocation for n in range(people) for allocation in _allocations(n, ids, created)
        ]
        session.execute(insert(Allocation), allocations)
        requests = [_request(n, project_id, created) for n, project_id in enumerate(ids[::5])]
        session.execute(insert(ResourceRequest), requests)
    return len(allocations), len(requests)


def _person(n: int, created: datetime) -> dict[str, Any]:
    return {
        "team_id": TEAM,
        "user_id": user(n),
        "name": f"Person {n}",
        "capacity_hours": Decimal(32 if n % 4 == 0 else 40),
        "skills": [SKILLS[(n + k * 5) % len(SKILLS)] for k in range(1 + n % 3)],
        "cost_rate": Decimal(60 + n % 50) if n % 3 == 0 else None,
        "paused_until": MONDAY + timedelta(days=4) if n % 20 == 0 else None,
        "created_at": created,
    }


def _role(project_id: int, user_id: str, role: Role) -> dict[str, Any]:
    return {"team_id": TEAM, "project_id": project_id, "user_id": user_id, "role": role}


def _allocations(n: int, ids: list[int], created: datetime) -> list[dict[str, Any]]:
    # Two or three allocations that together cover the twelve weeks, overlapping a little:
    # hours on some, a share of the week on others.
    count = 2 + n % 2
    span = WEEKS * 7 // count
    rows = []
    for k in range(count):
        start = MONDAY + timedelta(days=k * span + (n + k) % 3)
        end = start + timedelta(days=span + 6)
        rows.append(
            {
                "team_id": TEAM,
                "project_id": ids[(n * 3 + k * 11) % len(ids)],
                "user_id": user(n),
                "start_date": start,
                "end_date": end,
                "hours_per_week": None if k == 1 else Decimal(10 + (n * 7 + k) % 30),
                "percent": 20 + (n % 5) * 15 if k == 1 else None,
                "created_by": user(0),
                "created_at": created,
            }
        )
    return rows


def _request(n: int, project_id: int, created: datetime) -> dict[str, Any]:
    start = MONDAY + timedelta(weeks=n % 6)
    return {
        "team_id": TEAM,
        "project_id": project_id,
        "number": 1,
        "skill": SKILLS[n % len(SKILLS)],
        "hours_per_week": Decimal(20),
        "start_date": start,
        "end_date": start + timedelta(weeks=4, days=4),
        "note": "",
        "requested_by": user(0),
        "requested_at": created,
        "status": RequestStatus.OPEN,
        "proposed": [],
        "reason": "",
        "version": 1,
    }


class Figures(NamedTuple):
    """One forecast's cost: statements, median milliseconds of each step, and sizes."""

    statements: int
    forecast: float
    heat: float
    draw: float
    cpu: float
    skills: int
    png_kb: int
    peak_mb: float

    @property
    def total(self) -> float:
        return self.forecast + self.heat + self.draw


def measure(database: Database, rounds: int) -> Figures:
    """The forecast, its heat map's data and its picture, `rounds` times (medians)."""
    forecasts, heats, draws, cpus = [], [], [], []
    counted = 0
    for _ in range(rounds):
        started, cpu = time.perf_counter(), time.process_time()
        with counting_statements(database.engine) as statements:
            planned, picture, png = run(database)
        forecasted, mapped, drawn = planned[1], picture[1], png[1]
        cpus.append((time.process_time() - cpu) * 1000)
        counted = statements()
        forecasts.append((forecasted - started) * 1000)
        heats.append((mapped - forecasted) * 1000)
        draws.append((drawn - mapped) * 1000)
    peak = peak_memory(lambda: run(database))
    return Figures(
        statements=counted,
        forecast=statistics.median(forecasts),
        heat=statistics.median(heats),
        draw=statistics.median(draws),
        cpu=statistics.median(cpus),
        skills=len(planned[0].by_skill) - 1,
        png_kb=round(len(png[0]) / 1024),
        peak_mb=peak,
    )


def run(
    database: Database,
) -> tuple[tuple[Forecast, float], tuple[HeatMap, float], tuple[bytes, float]]:
    """The forecast, its heat map's data and its picture, each with when it was done."""
    with database.session() as session:
        workspace = ensure_workspace(session=session, team_id=TEAM)
        planned = forecast(session=session, workspace=workspace, now=NOW)
    forecasted = time.perf_counter()
    picture = heat_map(planned)
    mapped = time.perf_counter()
    png = heatmap_png(picture)
    return (planned, forecasted), (picture, mapped), (png, time.perf_counter())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", help="a PostgreSQL server URL (default: SQLite files)")
    parser.add_argument("--sizes", default="200:50,2000:500", help="people:projects,...")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    backend = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"Capacity forecast for one workspace on {backend}, median of {args.rounds} rounds "
        f"({WEEKS} weeks; 2-3 allocations a person, an open request per 5 projects)\n"
    )
    columns = (
        "people",
        "projects",
        "allocations",
        "requests",
        "skills",
        "SQL statements",
        "forecast ms",
        "heat map ms",
        "draw ms",
        "total ms",
        "CPU ms",
        "PNG KB",
        "peak MB",
    )
    widths = (7, 9, 12, 9, 7, 15, 12, 12, 8, 9, 7, 7, 8)
    print(" ".join(f"{name:>{width}}" for name, width in zip(columns, widths, strict=True)))
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes.split(","):
            people, projects = (int(part) for part in size.split(":"))
            database, name = fresh_database(args.database_url, folder, f"capacity_bench_{people}")
            try:
                allocations, requests = seed(database, people, projects)
                as_in_service(database)
                figures = measure(database, args.rounds)
            finally:
                database.dispose()
                if name and args.database_url:
                    drop(args.database_url, name)
            row = (
                people,
                projects,
                allocations,
                requests,
                figures.skills,
                figures.statements,
                *(f"{ms:.1f}" for ms in (figures.forecast, figures.heat, figures.draw)),
                f"{figures.total:.1f}",
                f"{figures.cpu:.0f}",
                figures.png_kb,
                f"{figures.peak_mb:.1f}",
            )
            print(" ".join(f"{value:>{width}}" for value, width in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
