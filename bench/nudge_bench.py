"""How long does the nudge job take to find who is due a nudge and store the nudges in the
outbox, how many SQL statements does it issue and how much memory does it hold at its
peak, for 1,000 and 10,000 people? (Under 2 s for 10,000 due people; a statement count
that does not grow with the people.) Measured is what the scheduler runs,
bot/jobs.py:nudge_job, from its first step: working out whose Slack profile to read again
(the "look-up" column). The bench has no Slack client (as for a workspace pmo-bot is not
installed in), so no `users.info` is asked and time zones stay as last read: in service,
up to 50 such calls a run come on top, Slack's time. Then each round's outbox rows are
removed and its gates' reminders forgotten (the audit trail is append-only), so the next
round does it all again.

Each person is the PM of one project that missed last week's update (a status nudge is
due); the workspace is firm, so on every tenth project, whose PM was reminded last week
and did not answer, the sponsor hears too. Every fifth project has a risk past its review
date, every twentieth a gate waiting past its SLA on two approvers, and a benefit awaiting
its value. People are spread over three time zones where it is the working day; one in
twenty is on leave. Everyone's Slack profile was read two hours ago, as in service where
the job runs every few minutes; with --profiles-unread nobody's was (the first run after
installing), and the look-up works out who may be nudged now, to read theirs first. Run:

    python bench/nudge_bench.py                       # SQLite
    python bench/nudge_bench.py --database-url postgresql://postgres@127.0.0.1:5432/test
    python bench/nudge_bench.py --sizes 1000,10000 [--profiles-unread]
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

from sqlalchemy import delete, insert, update  # noqa: E402
from sqlmodel import Session, col  # noqa: E402

from bench.measure import TimedSender, counting_statements, peak_memory  # noqa: E402
from bench.scratch_db import as_in_service, drop, fresh_database  # noqa: E402
from bot.jobs import nudge_job  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.models import (  # noqa: E402
    Benefit,
    BenefitStatus,
    Gate,
    GateApprover,
    NudgeStyle,
    OutboxMessage,
    OutboxStatus,
    Person,
    Project,
    ProjectRole,
    Rag,
    Risk,
    Role,
    StatusUpdate,
    Workspace,
)
from workflows import message_keys  # noqa: E402

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # a Tuesday: 10:00 in New York
LAST_WEEK = "2026-W48"
TEAM = "TBENCH001"
ZONES = ["Europe/London", "America/New_York", "Europe/Berlin"]


def user(n: int) -> str:
    return f"U{n:08d}"


def seed(database: Database, count: int, *, profiles_read: bool = True) -> None:
    """`count` people, each the PM of a project owing its update, inserted in bulk."""
    created = NOW - timedelta(weeks=20)
    with database.session() as session:
        session.add(Workspace(team_id=TEAM, nudge_style=NudgeStyle.FIRM))
        session.flush()
        people = [_person(n, created, profiles_read) for n in range(count)]
        session.execute(insert(Person), people)
        projects = [
            Project(
                team_id=TEAM,
                key=f"P{n:05d}",
                name=f"Project number {n}",
                phase="Execute",
                created_by=user(n),
                created_at=created,
                updated_at=created,
            )
            for n in range(count)
        ]
        session.add_all(projects)
        session.flush()
        ids = [project.id or 0 for project in projects]
        roles = [_role(pid, user(n), Role.PM) for n, pid in enumerate(ids)]
        roles += [_role(pid, user((n + 1) % count), Role.SPONSOR) for n, pid in enumerate(ids)]
        session.execute(insert(ProjectRole), roles)
        # The last update, two weeks ago: last week's is missing, this week's is due.
        session.execute(insert(StatusUpdate), [_update(pid) for pid in ids])
        # Last week's reminder, unanswered, on every tenth project: the sponsor hears now.
        session.execute(
            insert(OutboxMessage),
            [
                {
                    "team_id": TEAM,
                    "key": message_keys.nudge_status(pid, LAST_WEEK),
                    "channel": user(n),
                    "text": "Your update is due.",
                    "blocks": [],
                    "status": OutboxStatus.SENT,
                    "next_attempt_at": NOW - timedelta(days=6),
                    "sent_at": NOW - timedelta(days=6),
                    "created_at": NOW - timedelta(days=6),
                }
                for n, pid in enumerate(ids)
                if n % 10 == 0
            ],
        )
        session.execute(
            insert(Risk), [_risk(n, pid, created) for n, pid in enumerate(ids) if n % 5 == 0]
        )
        seed_gates(session, ids)
        seed_benefits(session, ids)


def _person(n: int, created: datetime, profile_read: bool) -> dict[str, Any]:
    return {
        "team_id": TEAM,
        "user_id": user(n),
        "name": f"Person {n}",
        "time_zone": ZONES[n % len(ZONES)],
        "profile_refreshed_at": NOW - timedelta(hours=2) if profile_read else None,
        "paused_until": (NOW + timedelta(days=3)).date() if n % 20 == 7 else None,
        "skills": [],
        "created_at": created,
    }


def _role(project_id: int, user_id: str, role: Role) -> dict[str, Any]:
    return {"team_id": TEAM, "project_id": project_id, "user_id": user_id, "role": role}


def _update(project_id: int) -> dict[str, Any]:
    return {
        "team_id": TEAM,
        "project_id": project_id,
        "period": "2026-W47",
        "author": "U0PM00001",
        "created_at": NOW - timedelta(days=12),
        "overall": Rag.AMBER,
        "schedule": Rag.AMBER,
        "scope": Rag.GREEN,
        "budget": Rag.GREEN,
        "resources": Rag.GREEN,
        "summary": "Steady.",
        "path_to_green": "Plan.",
    }


def _risk(n: int, project_id: int, created: datetime) -> dict[str, Any]:
    return {
        "team_id": TEAM,
        "project_id": project_id,
        "number": 1,
        "kind": "risk",
        "title": "Supplier late",
        "probability": 3,
        "impact": 4,
        "score": 12,
        "category": "Other",
        "owner": user(n),
        "review_date": (NOW - timedelta(days=3)).date(),
        "raised_by": user(n),
        "created_at": created,
        "updated_at": created,
    }


def seed_gates(session: Session, ids: list[int]) -> None:
    """A gate waiting a week (past its two-day SLA) on two approvers, every 20th project."""
    gates = [
        Gate(
            team_id=TEAM,
            project_id=pid,
            number=1,
            from_phase="Execute",
            to_phase="Close",
            requested_by=user(n),
            requested_at=NOW - timedelta(days=7),
            evidence="Done.",
            rule="all",
            required=2,
        )
        for n, pid in enumerate(ids)
        if n % 20 == 3
    ]
    session.add_all(gates)
    session.flush()
    session.execute(
        insert(GateApprover),
        [
            {"team_id": TEAM, "gate_id": gate.id or 0, "user_id": user((gate.project_id + k) % 97)}
            for gate in gates
            for k in (1, 2)
        ],
    )


def seed_benefits(session: Session, ids: list[int]) -> None:
    """A benefit due its check-in, every 20th project."""
    session.execute(
        insert(Benefit),
        [
            {
                "team_id": TEAM,
                "project_id": pid,
                "title": "Lower churn",
                "measure": "Monthly churn",
                "unit": "%",
                "target": Decimal(5),
                "realise_on": (NOW - timedelta(weeks=3)).date(),
                "status": BenefitStatus.DUE,
                "created_by": user(n),
                "created_at": NOW - timedelta(weeks=20),
            }
            for n, pid in enumerate(ids)
            if n % 20 == 11
        ],
    )


class NoSlack:
    """The job's Slack clients, with none for the workspace; notes when the job asks for
    one, once it knows whose profile it would read."""

    def __init__(self) -> None:
        self.asked: list[float] = []

    def for_team(self, team_id: str) -> None:
        self.asked.append(time.perf_counter())


class Figures(NamedTuple):
    """One nudge job's cost: statements, median milliseconds of each step, peak memory."""

    statements: int
    look_up: float
    plan: float
    store: float
    commit: float
    cpu: float
    nudges: int
    peak_mb: float

    @property
    def total(self) -> float:
        return self.look_up + self.plan + self.store + self.commit


def run_job(
    database: Database, sender: TimedSender
) -> tuple[float, float, float, float, float, int]:
    """The nudge job once, then what it stored undone; returns milliseconds to work out
    whose profile to read, to plan, to store, to commit, the job's own processor time (no
    database server's), and how many messages it stored."""
    slack = NoSlack()
    started, cpu = time.perf_counter(), time.process_time()
    messages = nudge_job(database=database, sender=sender, now=NOW, clients=slack)  # type: ignore[arg-type]
    ended, cpu = time.perf_counter(), time.process_time() - cpu
    with database.session() as session:
        session.execute(delete(OutboxMessage).where(col(OutboxMessage.created_at) >= NOW))
        session.execute(update(Gate).values(reminded_at=None, escalated_at=None))
    asked, handed, stored = slack.asked[-1], sender.handed[-1], sender.stored[-1]
    steps = (asked - started, handed - asked, stored - handed, ended - stored)
    look_up, plan, store, commit = (seconds * 1000 for seconds in steps)
    return look_up, plan, store, commit, cpu * 1000, len(messages)


def measure(database: Database, rounds: int) -> Figures:
    """The nudge job `rounds` times (medians), then once more for its peak memory."""
    sender = TimedSender(database, NOW)
    look_ups, plans, stores, commits, cpus = [], [], [], [], []
    counted = nudges = 0
    for _ in range(rounds):
        with counting_statements(database.engine) as statements:
            look_up, plan, store, commit, cpu, nudges = run_job(database, sender)
        counted = statements() - 2  # not the two that undo the round
        look_ups.append(look_up)
        plans.append(plan)
        stores.append(store)
        commits.append(commit)
        cpus.append(cpu)
    return Figures(
        statements=counted,
        look_up=statistics.median(look_ups),
        plan=statistics.median(plans),
        store=statistics.median(stores),
        commit=statistics.median(commits),
        cpu=statistics.median(cpus),
        nudges=nudges,
        peak_mb=peak_memory(lambda: run_job(database, sender)),
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", help="a PostgreSQL server URL (default: SQLite files)")
    parser.add_argument("--sizes", default="1000,10000", help="people,...")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--profiles-unread",
        action="store_true",
        help="nobody's Slack profile read yet (the first run after installing): the look-up "
        "works out who may be nudged now, to read their profiles first",
    )
    args = parser.parse_args()
    backend = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"The nudge job (whose Slack profile to read again, who is due, then the nudges "
        f"rendered and stored in the outbox) for "
        f"one workspace on {backend}, median of {args.rounds} rounds\n"
    )
    columns = (
        "people",
        "SQL statements",
        "look-up ms",
        "plan ms",
        "store ms",
        "commit ms",
        "total ms",
        "CPU ms",
        "nudges",
        "peak MB",
    )
    widths = (7, 15, 11, 9, 9, 10, 9, 7, 7, 8)
    print(" ".join(f"{name:>{width}}" for name, width in zip(columns, widths, strict=True)))
    with tempfile.TemporaryDirectory() as folder:
        for size in (int(s) for s in args.sizes.split(",")):
            database, name = fresh_database(args.database_url, folder, f"nudge_bench_{size}")
            try:
                seed(database, size, profiles_read=not args.profiles_unread)
                as_in_service(database)
                figures = measure(database, args.rounds)
            finally:
                database.dispose()
                if name and args.database_url:
                    drop(args.database_url, name)
            row = (
                size,
                figures.statements,
                *(
                    f"{ms:.1f}"
                    for ms in (figures.look_up, figures.plan, figures.store, figures.commit)
                ),
                f"{figures.total:.1f}",
                f"{figures.cpu:.0f}",
                figures.nudges,
                f"{figures.peak_mb:.1f}",
            )
            print(" ".join(f"{value:>{width}}" for value, width in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
