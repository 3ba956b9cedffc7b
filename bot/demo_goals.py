"""The demo's strategy: goals the projects serve, benefits they promise, what they wait on.

Seeded through the same workflows as `/goal`, `/pmo benefits` and `/pmo depends`, so the
digest shows its Goals and Benefits sections and a dependency in danger in Needs attention.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from storage.db import Database
from storage.models import Project
from workflows import benefits, dependencies, goals
from workflows.actor import Actor

# key, title, owner, measure, unit, baseline, target, a monthly reading from oldest to newest
GOALS = [
    ("CHURN", "Keep more customers", "U0DEMO006", "Monthly churn", "%", "8", "5", "8 7.6 7.1 6.8"),
    ("COST", "Run leaner", "U0DEMO009", "Operating cost", "m", "12", "10", "12 11.8 11.5 11.6"),
]
# project, goal, weight
LINKS = [
    ("APOLLO", "CHURN", 60),
    ("ORION", "CHURN", 80),
    ("LYRA", "CHURN", 50),
    ("ECHO", "CHURN", 40),
    ("ATLAS", "COST", 50),
    ("ZEUS", "COST", 90),
    ("NOVA", "COST", 70),
    ("VEGA", "COST", 60),
]
# project, title, measure, target, unit, weeks from now to its realisation date
BENEFITS = [
    ("LYRA", "Fewer support calls", "Calls a month", "1500", "", -1),
    ("APOLLO", "New subscriptions", "Subscriptions a month", "4000", "", 20),
    ("ZEUS", "Lower hosting bill", "Hosting cost a year", "0.4m", "", 30),
]


def seed_strategy(
    database: Database, made: dict[str, Project], pms: dict[str, str], now: datetime
) -> None:
    """Goals with their measures, checked in monthly; the projects serving them; benefits
    (LYRA's, closed, due for its value); and ECHO waiting on NOVA, whose target is later."""
    lead = Actor(made["APOLLO"].team_id, "U0DEMO006")
    began = now - timedelta(weeks=13)
    for key, title, owner, measure, unit, baseline, target, readings in GOALS:
        with database.session() as session:
            goals.create_goal(
                session=session,
                actor=lead,
                draft=goals.GoalDraft(
                    key=key,
                    title=title,
                    owner=owner,
                    target_date=(now + timedelta(weeks=40)).date(),
                    measure=measure,
                    unit=unit,
                    baseline=baseline,
                    target=target,
                ),
                now=began,
            )
        for month, value in enumerate(readings.split()):
            with database.session() as session:
                goals.check_in(
                    session=session,
                    actor=Actor(lead.team_id, owner),
                    key=key,
                    value=value,
                    note="Month-end reading.",
                    now=began + timedelta(weeks=4 * month, days=4 if month == 3 else 0),
                )
    with database.session() as session:
        for key, goal_key, weight in LINKS:
            goals.link_project(
                session=session, actor=lead, key=key, goal_key=goal_key, weight=weight, now=began
            )
    for key, title, measure, target, unit, weeks in BENEFITS:
        with database.session() as session:
            benefits.add_benefit(
                session=session,
                actor=Actor(lead.team_id, pms[key]),
                key=key,
                draft=benefits.BenefitDraft(
                    title=title,
                    measure=measure,
                    target=target,
                    unit=unit,
                    realise_on=(now + timedelta(weeks=weeks)).date(),
                ),
                now=began,
            )
    with database.session() as session:
        dependencies.add_dependency(
            session=session,
            actor=Actor(lead.team_id, pms["ECHO"]),
            draft=dependencies.DependencyDraft(
                downstream="ECHO",
                upstream="NOVA",
                deliverable="Customer ledger API",
                need_by=(now + timedelta(weeks=3)).date(),
            ),
            now=now - timedelta(weeks=2),
        )
