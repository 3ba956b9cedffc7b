"""`pmo-bot demo`: a realistic sample portfolio, seeded through the same rules Slack uses.

A dozen projects, a quarter of weekly status updates, risks and issues, gate decisions
and a pending gate, a team with capacities and skills whose allocations ask one person for
more than they have, and a request for a data engineer still unfilled past its start;
goals, benefits and a dependency in danger (bot/demo_goals.py), and a retrospective with
its actions and lessons (bot/demo_retro.py): in a workspace of its own (DEMO_TEAM), so a
real one is never touched.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import delete
from sqlmodel import Session, SQLModel, select

from bot.demo_goals import seed_strategy
from bot.demo_retro import seed_retro
from storage.db import Database
from storage.models import Cadence, Project, Rag, TeamCapacity, Verdict
from storage.workspaces import ensure_workspace, update_profile
from workflows import capacity, gate_decisions, gates, projects, resource_requests, risks, status
from workflows.actor import Actor
from workflows.load import monday
from workflows.periods import zone

DEMO_TEAM = "T0DEMO001"
DEMO_CHANNEL = "CDEMOPMO1"
TIME_ZONE = "Europe/London"
WEEKS = 13
# Kept by a reset: the audit trail is append-only (the database refuses to delete from it),
# and its rows name the workspace.
KEPT_BY_RESET = {"audit_events", "workspaces"}

PEOPLE = {
    "U0DEMO001": "Priya Shah",
    "U0DEMO002": "Marcus Webb",
    "U0DEMO003": "Lena Fischer",
    "U0DEMO004": "Tomás Alvarez",
    "U0DEMO005": "Aiko Tanaka",
    "U0DEMO006": "Grace Okafor",
    "U0DEMO007": "Sam Lindqvist",
    "U0DEMO008": "Nadia Haddad",
    "U0DEMO009": "Oliver Grant",
    "U0DEMO010": "Chen Wei",
}
SPONSORS = ["U0DEMO006", "U0DEMO009"]
PMO_LEAD = "U0DEMO006"
APPROVERS = ["U0DEMO007", "U0DEMO008", "U0DEMO010"]
# key, name, phase, PM, budget, how it tends to go (chance of green, of red)
PORTFOLIO = [
    ("APOLLO", "Apollo product launch", "Execute", "U0DEMO001", 1_200_000, (0.7, 0.05)),
    ("HERMES", "CRM migration", "Plan", "U0DEMO002", 450_000, (0.6, 0.1)),
    ("ATLAS", "Data platform", "Execute", "U0DEMO003", 2_300_000, (0.4, 0.25)),
    ("ORION", "Mobile app v2", "Execute", "U0DEMO004", 800_000, (0.75, 0.05)),
    ("VEGA", "Warehouse automation", "Plan", "U0DEMO005", 3_100_000, (0.5, 0.2)),
    ("LYRA", "Customer portal", "Close", "U0DEMO001", 600_000, (0.9, 0.0)),
    ("NOVA", "ERP upgrade", "Execute", "U0DEMO002", 1_750_000, (0.3, 0.35)),
    ("TITAN", "Security hardening", "Execute", "U0DEMO003", 520_000, (0.8, 0.05)),
    ("IRIS", "Analytics dashboards", "Initiate", "U0DEMO004", 150_000, (0.85, 0.0)),
    ("ZEUS", "Cloud migration", "Execute", "U0DEMO005", 2_900_000, (0.45, 0.2)),
    ("PULSE", "Employee onboarding", "Plan", "U0DEMO001", 90_000, (0.9, 0.0)),
    ("ECHO", "Call-centre assistant", "Execute", "U0DEMO002", 1_100_000, (0.55, 0.15)),
]
SILENT_LAST_WEEK = {"NOVA", "ZEUS"}
RISKS = [
    ("APOLLO", 4, 5, "Vendor API may slip the launch date", "Vendor"),
    ("ATLAS", 4, 4, "Data engineers are over-allocated", "Resources"),
    ("ATLAS", 3, 5, "Source systems change their schema without notice", "Technical"),
    ("NOVA", 5, 4, "Finance freeze blocks the go-live window", "Schedule"),
    ("NOVA", 3, 3, "Customisations double the test effort", "Scope"),
    ("ZEUS", 4, 5, "Egress costs exceed the forecast", "Budget"),
    ("VEGA", 3, 4, "Robot supplier capacity in Q1", "Vendor"),
    ("ECHO", 2, 4, "Call recordings need consent changes", "Compliance"),
    ("ORION", 2, 2, "App store review delays", "Schedule"),
    ("HERMES", 3, 2, "Sales reps resist the new pipeline stages", "Other"),
    ("TITAN", 2, 5, "Penetration test finds critical issues late", "Technical"),
    ("PULSE", 1, 3, "HR content not ready", "Scope"),
]
# Weekly hours and skills of the people who do the work.
TEAM = {
    "U0DEMO003": ("40", "data, backend"),
    "U0DEMO004": ("40", "mobile, frontend"),
    "U0DEMO007": ("32", "backend"),
    "U0DEMO008": ("40", "design, frontend"),
    "U0DEMO010": ("40", "data"),
}
# project, person, how much, first and last week (0: this one). Chen Wei is asked for 50 h
# of his 40 in weeks 1 to 3: ATLAS and ZEUS both need him.
ALLOCATIONS = [
    ("ATLAS", "U0DEMO010", "30h", 0, 9),
    ("ZEUS", "U0DEMO010", "20h", 1, 3),
    ("ATLAS", "U0DEMO003", "16h", 0, 12),
    ("ORION", "U0DEMO004", "32h", 0, 11),
    ("APOLLO", "U0DEMO007", "50%", 0, 6),
    ("TITAN", "U0DEMO007", "12h", 2, 8),
    ("ECHO", "U0DEMO008", "24h", 0, 8),
    ("APOLLO", "U0DEMO008", "12h", 0, 4),
]
# What each project's PM says of the team's next two weeks (the others: enough).
TEAM_SAYS = {"ATLAS": TeamCapacity.SHORT, "ZEUS": TeamCapacity.STRETCHED}
SUMMARIES = {
    Rag.GREEN: ["On plan.", "Milestone reached on time.", "Steady progress, no surprises."],
    Rag.AMBER: ["A dependency is late.", "Scope creep under review.", "Two people out this week."],
    Rag.RED: [
        "Critical path slipped.",
        "Budget overrun confirmed.",
        "Key supplier failed delivery.",
    ],
}


def demo_now(today: date | None = None) -> datetime:
    """Monday 09:30 London time of this week: just after the digest's moment."""
    tz = zone(TIME_ZONE)
    today = today or datetime.now(tz).date()
    monday = today - timedelta(days=today.weekday())
    return datetime.combine(monday, time(9, 30), tzinfo=tz).astimezone(zone("UTC"))


def seeded(database: Database) -> bool:
    """True when the demo workspace already has its projects."""
    with database.session() as session:
        return session.exec(select(Project).where(Project.team_id == DEMO_TEAM)).first() is not None


def erase(database: Database) -> None:
    """Delete the demo workspace's rows (no other workspace's), so `seed` starts afresh;
    its audit trail stays, as every audit trail does."""
    with database.session() as session:
        for table in reversed(SQLModel.metadata.sorted_tables):
            if "team_id" in table.c and table.name not in KEPT_BY_RESET:
                session.execute(delete(table).where(table.c.team_id == DEMO_TEAM))


def seed(database: Database, now: datetime) -> None:
    """Create the demo workspace's portfolio as it would be at `now`."""
    rng = random.Random(2026)
    # Monday of the first reported week; updates come in midweek, as they do.
    start = now - timedelta(weeks=WEEKS)
    with database.session() as session:
        workspace = ensure_workspace(session=session, team_id=DEMO_TEAM)
        workspace.name = "Demo Corp"
        workspace.time_zone = TIME_ZONE
        workspace.digest_channel = DEMO_CHANNEL
        workspace.digest_leaders = list(SPONSORS)
        workspace.pmo_leads = [PMO_LEAD]
        session.add(workspace)
        for user_id, name in PEOPLE.items():
            update_profile(
                session=session,
                team_id=DEMO_TEAM,
                user_id=user_id,
                name=name,
                time_zone=TIME_ZONE,
                now=start,
            )
        made = {
            key: _project(session, key, name, phase, pm, budget, start, rng)
            for key, name, phase, pm, budget, _ in PORTFOLIO
        }
    for week in range(WEEKS):
        for key, _, _, pm, _, (green, red) in PORTFOLIO:
            if week == WEEKS - 1 and key in SILENT_LAST_WEEK:
                continue
            posted_at = start + timedelta(
                weeks=week, days=rng.choice([2, 3, 4]), hours=rng.randint(0, 7)
            )
            roll = rng.random()
            rag = Rag.GREEN if roll < green else Rag.RED if roll > 1 - red else Rag.AMBER
            with database.session() as session:
                status.post_update(
                    session=session,
                    project=made[key],
                    author=pm,
                    now=posted_at,
                    draft=_draft(rag, week, rng, TEAM_SAYS.get(key, TeamCapacity.ENOUGH)),
                )
    _risks(database, made, now - timedelta(weeks=6), rng)
    _gates(database, made, now)
    _capacity(database, made, now)
    seed_strategy(database, made, {key: pm for key, _, _, pm, _, _ in PORTFOLIO}, now)
    seed_retro(database, made["APOLLO"], now)


def _project(
    session: Session,
    key: str,
    name: str,
    phase: str,
    pm: str,
    budget: int,
    start: datetime,
    rng: random.Random,
) -> Project:
    approvers = rng.sample(APPROVERS, 2)
    others = [u for u in PEOPLE if u != pm and u not in SPONSORS and u not in approvers]
    members = rng.sample(others, 2)
    return projects.create_project(
        session=session,
        team_id=DEMO_TEAM,
        actor=pm,
        now=start - timedelta(days=30),
        draft=projects.ProjectDraft(
            key=key,
            name=name,
            pm=pm,
            sponsor=rng.choice(SPONSORS),
            approvers=approvers,
            members=members,
            channel_id=f"CDEMO{key[:4]}",
            phase=phase,
            start_date=(start - timedelta(days=30)).date(),
            target_date=(start + timedelta(weeks=30 + rng.randint(0, 20))).date(),
            budget=Decimal(budget),
            status_cadence=Cadence.WEEKLY,
        ),
    )


def _draft(
    rag: Rag, week: int, rng: random.Random, team_capacity: TeamCapacity
) -> status.StatusDraft:
    dimensions = {name: rag if rng.random() < 0.5 else Rag.GREEN for name in status.DIMENSIONS}
    return status.StatusDraft(
        overall=rag,
        summary=rng.choice(SUMMARIES[rag]),
        percent_complete=min(100, 5 + week * 7 + rng.randint(0, 5)),
        accomplishments="Weekly demo to stakeholders.",
        next_steps="Keep the plan.",
        blockers="Waiting on procurement" if rag == Rag.RED else "",
        path_to_green="" if rag == Rag.GREEN else "Re-plan with the sponsor on Tuesday.",
        team_capacity=team_capacity,
        **dimensions,
    )


def _risks(
    database: Database, made: dict[str, Project], when: datetime, rng: random.Random
) -> None:
    for key, probability, impact, title, category in RISKS:
        with database.session() as session:
            project = made[key]
            owner = rng.choice([u for u in PEOPLE if u not in SPONSORS])
            risks.store_risk(
                session=session,
                project=project,
                raised_by=owner,
                now=when,
                draft=risks.RiskDraft(
                    title=title,
                    probability=probability,
                    impact=impact,
                    category=category,
                    owner=owner,
                    review_date=(when + timedelta(days=rng.randint(7, 60))).date(),
                ),
            )


def _gates(database: Database, made: dict[str, Project], now: datetime) -> None:
    ready = gates.GateDraft(
        evidence="Plan, budget and team signed off; see the project wiki.", ticked=[0, 1, 2]
    )
    decided_at = now - timedelta(days=4)
    with database.session() as session:
        requested = gates.store_request(
            session=session,
            project=made["VEGA"],
            requester="U0DEMO005",
            draft=ready,
            now=decided_at - timedelta(days=2),
        )
        for approver in requested.plan.approvers:
            gate_decisions.decide(
                session=session,
                actor=Actor(DEMO_TEAM, approver),
                gate_id=requested.gate.id or 0,
                verdict=Verdict.APPROVE,
                reason="",
                now=decided_at,
            )
    with database.session() as session:
        requested = gates.store_request(
            session=session,
            project=made["HERMES"],
            requester="U0DEMO002",
            draft=ready,
            now=now - timedelta(days=5),
        )
        gate_decisions.decide(
            session=session,
            actor=Actor(DEMO_TEAM, requested.plan.approvers[0]),
            gate_id=requested.gate.id or 0,
            verdict=Verdict.APPROVE,
            reason="",
            now=now - timedelta(days=4),
        )


def _capacity(database: Database, made: dict[str, Project], now: datetime) -> None:
    # Capacities a fortnight ago, allocations by each project's PM ten days ago, and then
    # ATLAS's request for a data engineer from last Monday, which nobody has filled.
    pms = {key: pm for key, _, _, pm, _, _ in PORTFOLIO}
    first = monday(now.astimezone(zone(TIME_ZONE)).date())
    with database.session() as session:
        for user_id, (hours, skills) in TEAM.items():
            capacity.set_capacity(
                session=session,
                actor=Actor(DEMO_TEAM, user_id),
                user_id=user_id,
                draft=capacity.CapacityDraft(
                    capacity_hours=capacity.parse_hours(hours),
                    skills=capacity.parse_skills(skills),
                ),
                now=now - timedelta(days=14),
            )
    for key, user_id, amount, start, end in ALLOCATIONS:
        with database.session() as session:
            capacity.allocate(
                session=session,
                actor=Actor(DEMO_TEAM, pms[key]),
                project=made[key],
                draft=capacity.AllocationDraft(
                    user_id=user_id,
                    start_date=first + timedelta(weeks=start),
                    end_date=first + timedelta(weeks=end, days=4),
                    amount=capacity.parse_amount(amount),
                ),
                now=now - timedelta(days=10),
            )
    with database.session() as session:
        resource_requests.request_person(
            session=session,
            actor=Actor(DEMO_TEAM, pms["ATLAS"]),
            key="ATLAS",
            draft=resource_requests.RequestDraft(
                skill="data",
                hours="20h",
                start_date=first - timedelta(weeks=1),
                end_date=first + timedelta(weeks=8, days=4),
                note="A second data engineer for the ingestion rewrite.",
            ),
            now=now - timedelta(days=10),
        )
