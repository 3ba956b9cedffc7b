"""How long does the Monday digest job take, how many SQL statements does it issue and how
much memory does it hold at its peak, for 10, 100 and 1,000 projects? (Under 2 s for
10,000 projects; a statement count that does not grow with the projects.) Measured is
what the scheduler runs, bot/jobs.py:digest_job: plan_digest (the digest, its 13-week
health trend and the capacity heat map), then the messages rendered, the chart and heat
map drawn, and all stored in the outbox; each round's outbox rows are removed after it.

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
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import delete, insert  # noqa: E402
from sqlmodel import Session  # noqa: E402

from bench.measure import TimedSender, counting_statements, peak_memory  # noqa: E402
from bench.scratch_db import as_in_service, drop, fresh_database  # noqa: E402
from bot.jobs import digest_job  # noqa: E402
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
    OutboxMessage,
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
        ids = [project.id or 0 for project in projects]
        session.execute(
            insert(ProjectRole),
            [
                {
                    "team_id": TEAM,
                    "project_id": pid,
                    "user_id": f"U0PM{n % 50:05d}",
                    "role": Role.PM,
                }
                for n, pid in enumerate(ids)
            ],
        )
        session.execute(
            insert(StatusUpdate),
            [
                _update(n, pid, week)
                for n, pid in enumerate(ids)
                for week in range(WEEKS)
                if not (week == WEEKS - 1 and n % 7 == 0)
            ],  # some miss the last week
        )
        session.execute(
            insert(Risk), [_risk(n, pid, r, created) for n, pid in enumerate(ids) for r in range(2)]
        )
        gates = [
            Gate(
                team_id=TEAM,
                project_id=pid,
                number=1,
                from_phase="Execute",
                to_phase="Close",
                requested_by="U0PM00001",
                requested_at=NOW - timedelta(days=4),
                evidence="Done.",
                rule="all",
                required=2,
            )
            for pid in ids[::10]
        ]
        session.add_all(gates)
        session.flush()
        session.execute(
            insert(GateApprover),
            [
                {"team_id": TEAM, "gate_id": gate.id or 0, "user_id": approver}
                for gate in gates
                for approver in ("U0APPR001", "U0APPR002")
            ],
        )
        seed_capacity(session, projects)
        seed_benefits(session, projects)
        seed_goals(session, projects)
        seed_retros(session, projects)


def _update(n: int, project_id: int, week: int) -> dict[str, Any]:
    rag = RAGS[(n + week) % len(RAGS)]
    return {
        "team_id": TEAM,
        "project_id": project_id,
        "period": f"W{week}",
        "author": "U0PM00001",
        "created_at": NOW - timedelta(weeks=WEEKS - week) + timedelta(days=2),
        "overall": rag,
        "schedule": rag,
        "scope": Rag.GREEN,
        "budget": Rag.GREEN,
        "resources": Rag.GREEN,
        "summary": "Steady.",
        "path_to_green": "" if rag == Rag.GREEN else "Plan.",
        "team_capacity": TeamCapacity.SHORT if rag == Rag.RED else None,
    }


def _risk(n: int, project_id: int, r: int, created: datetime) -> dict[str, Any]:
    probability, impact = 1 + (n + r) % 5, 1 + (n * 3 + r) % 5
    return {
        "team_id": TEAM,
        "project_id": project_id,
        "number": r + 1,
        "kind": "risk",
        "title": f"Risk {r}",
        "probability": probability,
        "impact": impact,
        "score": probability * impact,
        "category": "Other",
        "raised_by": "U0PM00001",
        "created_at": created,
        "updated_at": created,
    }


def seed_capacity(session: Session, projects: list[Project]) -> None:
    """A person per project at 30 h a week (a tenth of them on two projects: 60 h of 40),
    and an open request for a designer on every tenth project, started last week."""
    people = max(len(projects) * 9 // 10, 1)
    session.execute(
        insert(Person),
        [
            {"team_id": TEAM, "user_id": f"U0DEV{n:05d}", "skills": ["backend"]}
            for n in range(people)
        ],
    )
    session.execute(
        insert(Allocation),
        [
            {
                "team_id": TEAM,
                "project_id": project.id or 0,
                "user_id": f"U0DEV{n % people:05d}",
                "start_date": (NOW - timedelta(weeks=2)).date(),
                "end_date": (NOW + timedelta(weeks=10)).date(),
                "hours_per_week": Decimal(30),
                "created_by": "U0PM00001",
                "created_at": NOW - timedelta(weeks=3),
            }
            for n, project in enumerate(projects)
        ],
    )
    for project in projects[::10]:
        session.add(
            ResourceRequest(
                team_id=TEAM,
                project_id=project.id or 0,
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
    session.execute(
        insert(ProjectGoal),
        [
            {
                "team_id": TEAM,
                "project_id": project.id or 0,
                "goal_id": goals[n % len(goals)].id or 0,
                "weight": 60,
            }
            for n, project in enumerate(projects)
        ],
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
    """One digest job's cost: statements, median milliseconds of each step, peak memory."""

    statements: int
    plan: float
    store: float
    commit: float
    cpu: float
    outbox_rows: int
    peak_mb: float

    @property
    def total(self) -> float:
        return self.plan + self.store + self.commit


def run_job(database: Database, sender: TimedSender) -> tuple[float, float, float, float, int]:
    """The digest job once (as the scheduler runs it), then its outbox rows removed so the
    next round stores them again; returns milliseconds to plan, to store, to commit, and
    the job's own processor time (no database server's), and how many outbox rows it stored."""
    started, cpu = time.perf_counter(), time.process_time()
    plans = digest_job(database=database, sender=sender, now=NOW)
    ended, cpu = time.perf_counter(), time.process_time() - cpu
    assert plans and plans[0].messages, "the digest was not built"
    with database.session() as session:
        rows = session.execute(delete(OutboxMessage).where(OutboxMessage.team_id == TEAM))
    handed, stored = sender.handed[-1], sender.stored[-1]
    milliseconds = ((handed - started) * 1000, (stored - handed) * 1000, (ended - stored) * 1000)
    return (*milliseconds, cpu * 1000, rows.rowcount)


def measure(database: Database, rounds: int) -> Figures:
    """The digest job `rounds` times (medians), then once more for its peak memory."""
    sender = TimedSender(database, NOW)
    plans, stores, commits, cpus = [], [], [], []
    counted = rows = 0
    for _ in range(rounds):
        with counting_statements(database.engine) as statements:
            plan, store, commit, cpu, rows = run_job(database, sender)
        counted = statements() - 1  # not the DELETE that clears the round
        plans.append(plan)
        stores.append(store)
        commits.append(commit)
        cpus.append(cpu)
    return Figures(
        statements=counted,
        plan=statistics.median(plans),
        store=statistics.median(stores),
        commit=statistics.median(commits),
        cpu=statistics.median(cpus),
        outbox_rows=rows,
        peak_mb=peak_memory(lambda: run_job(database, sender)),
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", help="a PostgreSQL server URL (default: SQLite files)")
    parser.add_argument("--sizes", default="10,100,1000")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    backend = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"The digest job (plan_digest, then its messages rendered, drawn and stored in the "
        f"outbox) for one workspace on {backend}, median of {args.rounds} rounds "
        f"({WEEKS} weeks of updates, 2 risks per project, a pending gate per 10 projects)\n"
    )
    columns = (
        "projects",
        "SQL statements",
        "plan ms",
        "store ms",
        "commit ms",
        "total ms",
        "CPU ms",
        "outbox rows",
        "peak MB",
    )
    widths = (9, 15, 9, 9, 10, 9, 7, 12, 8)
    print(" ".join(f"{name:>{width}}" for name, width in zip(columns, widths, strict=True)))
    with tempfile.TemporaryDirectory() as folder:
        for size in (int(s) for s in args.sizes.split(",")):
            database, name = fresh_database(args.database_url, folder, f"digest_bench_{size}")
            try:
                seed(database, size)
                as_in_service(database)
                figures = measure(database, args.rounds)
            finally:
                database.dispose()
                if name and args.database_url:
                    drop(args.database_url, name)
            row = (
                size,
                figures.statements,
                *(f"{ms:.1f}" for ms in (figures.plan, figures.store, figures.commit)),
                f"{figures.total:.1f}",
                f"{figures.cpu:.0f}",
                figures.outbox_rows,
                f"{figures.peak_mb:.1f}",
            )
            print(" ".join(f"{value:>{width}}" for value, width in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
