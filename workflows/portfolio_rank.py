"""The portfolio ranked by a transparent score, shown with its formula so leaders can
challenge it.

Each active project scores the sum, over four parts, of the part's weight times its value
from 0 to 1. The weights are the workspace's settings (they add up to 100, so a score runs
from 0 to 100); the values are:

- goal: the weights of its links to goals that are not archived, added up (at most 100),
  over 100: a project wholly for a goal gets 1, one with no goal 0;
- health: its newest standing update green 1, amber ½, red 0; on hold or never reported ½;
- budget: the share of its budget not yet spent, (budget - spent to date in its newest
  update) over budget, between 0 and 1; ½ when it has no budget or reported no spend;
- risk: 1 less ¼ for each open high or critical risk or issue (scored at least the
  workspace's high band), so 0 from four on.

A part that can't be known counts half rather than nothing, so a project is neither
rewarded nor punished for what nobody reported. Ties go by key.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlmodel import Session

from storage.models import Project, Rag
from storage.projects import list_projects
from storage.ranking_inputs import goal_weights, latest_reported, open_risks_from
from storage.workspaces import ensure_workspace
from workflows.workspace_policy import PRIORITY_PARTS

GOAL_WEIGHT_FULL = 100
RISKS_TO_ZERO = 4
HALF = Decimal("0.5")
HEALTH = {Rag.GREEN: Decimal(1), Rag.AMBER: HALF, Rag.RED: Decimal(0)}


@dataclass(frozen=True)
class ScoreInputs:
    """What the score reads of one project."""

    goal_weight: int
    rag: Rag | None
    budget: Decimal | None
    spent: Decimal | None
    high_risks: int


@dataclass(frozen=True)
class Part:
    """One part of a score: its weight, its value from 0 to 1, and whether the value was
    known (False: it counts half for want of data)."""

    name: str
    weight: int
    value: Decimal
    known: bool = True

    @property
    def points(self) -> Decimal:
        """What the part adds to the score."""
        return self.weight * self.value


@dataclass(frozen=True)
class RankedProject:
    """A project, its place in the ranking, what its score read and the score's parts."""

    rank: int
    project: Project
    inputs: ScoreInputs
    parts: list[Part]

    @property
    def score(self) -> Decimal:
        """From 0 to 100 (the weights add up to 100)."""
        return sum((part.points for part in self.parts), Decimal(0))


@dataclass(frozen=True)
class Ranking:
    """The active projects, highest score first, with the weights and risk band used."""

    weights: dict[str, int]
    high_from: int
    projects: list[RankedProject]


def score_parts(inputs: ScoreInputs, weights: dict[str, int]) -> list[Part]:
    """The four parts of a project's score, in the order of PRIORITY_PARTS."""
    goal = Decimal(min(inputs.goal_weight, GOAL_WEIGHT_FULL)) / GOAL_WEIGHT_FULL
    health = HEALTH.get(inputs.rag) if inputs.rag is not None else None
    budget = _remaining_share(inputs.budget, inputs.spent)
    risk = Decimal(max(RISKS_TO_ZERO - inputs.high_risks, 0)) / RISKS_TO_ZERO
    values = {
        "goal": (goal, True),
        "health": (health if health is not None else HALF, health is not None),
        "budget": (budget if budget is not None else HALF, budget is not None),
        "risk": (risk, True),
    }
    return [Part(name, weights.get(name, 0), *values[name]) for name in PRIORITY_PARTS]


def rank_portfolio(*, session: Session, team_id: str) -> Ranking:
    """Every active project of the workspace scored with its weights, highest first (four
    statements however many projects)."""
    workspace = ensure_workspace(session=session, team_id=team_id)
    weights = dict(workspace.priority_weights)
    goals = goal_weights(session=session, team_id=team_id)
    reported = latest_reported(session=session, team_id=team_id)
    risks = open_risks_from(session=session, team_id=team_id, min_score=workspace.risk_high_from)
    scored = []
    for project in list_projects(session=session, team_id=team_id):
        assert project.id is not None
        latest = reported.get(project.id)
        inputs = ScoreInputs(
            goal_weight=goals.get(project.id, 0),
            rag=Rag(latest.overall) if latest else None,
            budget=project.budget,
            spent=latest.spent_to_date if latest else None,
            high_risks=risks.get(project.id, 0),
        )
        scored.append((project, inputs, score_parts(inputs, weights)))
    scored.sort(key=lambda row: (-sum(p.points for p in row[2]), row[0].key))
    ranked = [
        RankedProject(rank, project, inputs, parts)
        for rank, (project, inputs, parts) in enumerate(scored, start=1)
    ]
    return Ranking(weights, workspace.risk_high_from, ranked)


def _remaining_share(budget: Decimal | None, spent: Decimal | None) -> Decimal | None:
    # None when it can't be known: no budget (or none to speak of), or no spend reported.
    if budget is None or budget <= 0 or spent is None:
        return None
    return min(max((budget - spent) / budget, Decimal(0)), Decimal(1))
