"""How long does the Monday digest take to build, and how many SQL statements does it issue,
for 10, 100 and 1,000 projects? (The statement count must not grow with the projects.)
The digest carries its chart: the 13-week health trend is built and drawn too.

Each portfolio has a quarter of weekly updates per project, two risks per project, a
pending gate on every tenth project, and for the Capacity section a person allocated to
each project (some over-allocated), an open request for people on every tenth, and red
updates saying the team is short; for the Goals section, five goals each served by a
fifth of the projects, with a check-in a week; for the Learning section, a retro summarised
this week on every tenth project, with one action done and one overdue. Run:

    python bench/digest_bench.py                      # SQLite
    python bench/digest_bench.py --database-url postgresql://postgres@127.0.0.1:5432/test
    python bench/digest_bench.py --sizes 1000,10000
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402
from sqlmodel import Session  # noqa: E402

from bench.scratch_db import drop, fresh_database  # noqa: E402
from commands.digest_chart import health_chart  # noqa: E402
from commands.digest_message import digest_messages  # noqa: E402
from commands.templates import Templates  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.models import (  # noqa: E402
    ActionStatus,
    Allocation,
    AuditEvent,
    Benefit,
    BenefitStatus,
    Gate,
    GateApprover,
    Goal,
    GoalCheckin,
    Person,
    Project,
    ProjectGoal,
    ProjectRole,
    Rag,
    ResourceRequest,
    Retro,
    RetroAction,
    RetroStatus,
    Risk,
    Role,
    StatusUpdate,
    TeamCapacity,
    Workspace,
)
from workflows.digest import build_digest, digest_trend  # noqa: E402

NOW = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)
TEAM = "TBENCH001"
WEEKS = 13
RAGS = [Rag.GREEN, Rag.GREEN, Rag.GREEN, Rag.AMBER, Rag.RED]


def seed(database: Database, count: int) -> None:
    """A portfolio of `count` projects, inserted in bulk."""
    created = NOW - timedelta(weeks=WEEKS + 4)
    with database.session() as session:
        session.add(Workspace(team_id=TEAM, digest_channel="CBENCH001"))
        session.flush()
        projects = [
            Project(
                team_id=TEAM,
                key=f"P{n:04d}",
                name=f"Project number {n}",
                phase="Execute",
                created_by="U0PM00001",
                created_at=created,
                updated_at=created,
            )
            for n in range(count)
        ]
        session.add_all(projects)
        session.flush()
        for n, project in enumerate(projects):
            assert project.id is not None
            session.add(
                ProjectRole(
                    team_id=TEAM, project_id=project.id, user_id=f"U0PM{n % 50:05d}", role=Role.PM
                )
            )
            for week in range(WEEKS):
                if week == WEEKS - 1 and n % 7 == 0:
                    continue  # some miss the last week
                rag = RAGS[(n + week) % len(RAGS)]
                session.add(
                    StatusUpdate(
                        team_id=TEAM,
                        project_id=project.id,
                        period=f"W{week}",
                        author="U0PM00001",
                        created_at=NOW - timedelta(weeks=WEEKS - week) + timedelta(days=2),
                        overall=rag,
                        schedule=rag,
                        scope=Rag.GREEN,
                        budget=Rag.GREEN,
                        resources=Rag.GREEN,
                        summary="Steady.",
                        path_to_green="" if rag == Rag.GREEN else "Plan.",
                        team_capacity=TeamCapacity.SHORT if rag == Rag.RED else None,
                    )
                )
            for r in range(2):
                probability, impact = 1 + (n + r) % 5, 1 + (n * 3 + r) % 5
                session.add(
                    Risk(
                        team_id=TEAM,
                        project_id=project.id,
                        number=r + 1,
                        kind="risk",
                        title=f"Risk {r}",
                        probability=probability,
                        impact=impact,
                        score=probability * impact,
                        category="Other",
                        raised_by="U0PM00001",
                        created_at=created,
                        updated_at=created,
                    )
                )
            if n % 10 == 0:
                gate = Gate(
                    team_id=TEAM,
                    project_id=project.id,
                    number=1,
                    from_phase="Execute",
                    to_phase="Close",
                    requested_by="U0PM00001",
                    requested_at=NOW - timedelta(days=4),
                    evidence="Done.",
                    rule="all",
                    required=2,
                )
                session.add(gate)
                session.flush()
                for approver in ("U0APPR001", "U0APPR002"):
                    session.add(GateApprover(team_id=TEAM, gate_id=gate.id or 0, user_id=approver))
        seed_capacity(session, projects)
        seed_benefits(session, projects)
        seed_goals(session, projects)
        seed_retros(session, projects)


def seed_capacity(session: Session, projects: list[Project]) -> None:
    """A person per project at 30 h a week (a tenth of them on two projects: 60 h of 40),
    and an open request for a designer on every tenth project, started last week."""
    people = max(len(projects) * 9 // 10, 1)
    for n in range(people):
        session.add(Person(team_id=TEAM, user_id=f"U0DEV{n:05d}", skills=["backend"]))
    for n, project in enumerate(projects):
        assert project.id is not None
        session.add(
            Allocation(
                team_id=TEAM,
                project_id=project.id,
                user_id=f"U0DEV{n % people:05d}",
                start_date=(NOW - timedelta(weeks=2)).date(),
                end_date=(NOW + timedelta(weeks=10)).date(),
                hours_per_week=Decimal(30),
                created_by="U0PM00001",
                created_at=NOW - timedelta(weeks=3),
            )
        )
        if n % 10 == 0:
            session.add(
                ResourceRequest(
                    team_id=TEAM,
                    project_id=project.id,
                    number=1,
                    skill="design",
                    hours_per_week=Decimal(20),
                    start_date=(NOW - timedelta(weeks=1)).date(),
                    end_date=(NOW + timedelta(weeks=8)).date(),
                    requested_by="U0PM00001",
                    requested_at=NOW - timedelta(weeks=2),
                )
            )


def seed_benefits(session: Session, projects: list[Project]) -> None:
    """For the Benefits section, on every fifth project: a benefit checked in three weeks
    ago and still awaiting its value, and one realised this week."""
    for project in projects[::5]:
        assert project.id is not None
        awaited, realised = (
            Benefit(
                team_id=TEAM,
                project_id=project.id,
                title=title,
                measure="Monthly churn",
                unit="%",
                target=Decimal(5),
                realise_on=(NOW - timedelta(weeks=3)).date(),
                status=status,
                realised=Decimal(4) if status == BenefitStatus.REALISED else None,
                recorded_by="U0SPON001" if status == BenefitStatus.REALISED else None,
                recorded_at=NOW - timedelta(days=2) if status == BenefitStatus.REALISED else None,
                created_by="U0PM00001",
                created_at=NOW - timedelta(weeks=WEEKS),
            )
            for title, status in (("Awaited", BenefitStatus.DUE), ("Hit", BenefitStatus.REALISED))
        )
        session.add_all([awaited, realised])
        session.flush()
        session.add(
            AuditEvent(
                team_id=TEAM,
                at=NOW - timedelta(weeks=3),
                actor="pmo-bot",
                action="benefit.due",
                entity="benefit",
                entity_id=str(awaited.id),
            )
        )


def seed_goals(session: Session, projects: list[Project]) -> None:
    """Five goals with a measure, each served by every fifth project and checked in
    weekly for the last quarter."""
    goals = [
        Goal(
            team_id=TEAM,
            key=f"GOAL{n}",
            title=f"Goal number {n}",
            owner="U0PM00001",
            measure="Churn",
            unit="%",
            baseline=Decimal(8),
            target=Decimal(5),
            created_by="U0PM00001",
            created_at=NOW - timedelta(weeks=WEEKS),
            updated_at=NOW - timedelta(weeks=WEEKS),
        )
        for n in range(5)
    ]
    session.add_all(goals)
    session.flush()
    for n, project in enumerate(projects):
        goal = goals[n % len(goals)]
        session.add(
            ProjectGoal(team_id=TEAM, project_id=project.id or 0, goal_id=goal.id or 0, weight=60)
        )
    for week in range(WEEKS):
        for goal in goals:
            session.add(
                GoalCheckin(
                    team_id=TEAM,
                    goal_id=goal.id or 0,
                    value=Decimal(8) - Decimal(week) / 4,
                    author="U0PM00001",
                    created_at=NOW - timedelta(weeks=WEEKS - week),
                )
            )


def seed_retros(session: Session, projects: list[Project]) -> None:
    """On every tenth project, a retro summarised this week whose two actions fell due last
    week: one done, one still open."""
    for project in projects[::10]:
        retro = Retro(
            team_id=TEAM,
            project_id=project.id or 0,
            number=1,
            reason="asked",
            facilitator="U0PM00001",
            opened_at=NOW - timedelta(days=9),
            closes_at=NOW - timedelta(days=2),
            status=RetroStatus.SUMMARISED,
            summarised_at=NOW - timedelta(days=2),
        )
        session.add(retro)
        session.flush()
        for title, status in (("Book the room", ActionStatus.DONE), ("Fix CI", ActionStatus.OPEN)):
            session.add(
                RetroAction(
                    team_id=TEAM,
                    project_id=project.id or 0,
                    retro_id=retro.id or 0,
                    title=title,
                    owner="U0DEV00001",
                    due_on=(NOW - timedelta(days=5)).date(),
                    status=status,
                    created_by="U0PM00001",
                    created_at=NOW - timedelta(days=2),
                )
            )


class Figures(NamedTuple):
    """One digest's cost: statements, median milliseconds of each step, and its size."""

    statements: int
    build: float
    trend: float
    render: float
    chart: float
    messages: int
    blocks: int
    png_kb: int

    @property
    def total(self) -> float:
        return self.build + self.trend + self.render + self.chart


def measure(database: Database, rounds: int) -> Figures:
    """The digest and its chart, built and rendered `rounds` times (medians)."""
    statements = 0

    def count(*_: object) -> None:
        nonlocal statements
        statements += 1

    event.listen(database.engine, "before_cursor_execute", count)
    builds, trends, renders, charts = [], [], [], []
    templates = Templates()
    counted = 0
    for _ in range(rounds):
        statements = 0
        started = time.perf_counter()
        with database.session() as session:
            digest = build_digest(session=session, team_id=TEAM, now=NOW)
            built = time.perf_counter()
            trend = digest_trend(session=session, team_id=TEAM, now=NOW)
        trended = time.perf_counter()
        messages = digest_messages(digest, templates)
        rendered = time.perf_counter()
        png = health_chart(trend)
        drawn = time.perf_counter()
        counted = statements
        builds.append((built - started) * 1000)
        trends.append((trended - built) * 1000)
        renders.append((rendered - trended) * 1000)
        charts.append((drawn - rendered) * 1000)
    event.remove(database.engine, "before_cursor_execute", count)
    return Figures(
        statements=counted,
        build=statistics.median(builds),
        trend=statistics.median(trends),
        render=statistics.median(renders),
        chart=statistics.median(charts),
        messages=len(messages),
        blocks=sum(len(m.blocks) for m in messages),
        png_kb=round(len(png) / 1024),
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", help="a PostgreSQL server URL (default: SQLite files)")
    parser.add_argument("--sizes", default="10,100,1000")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    backend = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"Digest build for one workspace on {backend}, median of {args.rounds} rounds "
        f"({WEEKS} weeks of updates, 2 risks per project, a pending gate per 10 projects)\n"
    )
    columns = (
        "projects",
        "SQL statements",
        "build ms",
        "trend ms",
        "render ms",
        "chart ms",
        "total ms",
        "messages",
        "blocks",
        "PNG KB",
    )
    widths = (9, 15, 9, 9, 10, 9, 9, 9, 7, 7)
    print(" ".join(f"{name:>{width}}" for name, width in zip(columns, widths, strict=True)))
    with tempfile.TemporaryDirectory() as folder:
        for size in (int(s) for s in args.sizes.split(",")):
            database, name = fresh_database(args.database_url, folder, f"digest_bench_{size}")
            try:
                seed(database, size)
                figures = measure(database, args.rounds)
            finally:
                database.dispose()
                if name and args.database_url:
                    drop(args.database_url, name)
            row = (
                size,
                figures.statements,
                *(f"{ms:.1f}" for ms in (figures.build, figures.trend, figures.render)),
                *(f"{ms:.1f}" for ms in (figures.chart, figures.total)),
                figures.messages,
                figures.blocks,
                figures.png_kb,
            )
            print(" ".join(f"{value:>{width}}" for value, width in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
