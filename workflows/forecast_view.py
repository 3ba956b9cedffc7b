"""What `/capacity forecast`, `bench` and `heatmap` answer: the forecast as people ask
for it.

Anyone sees the forecast, for the workspace or one skill: each week's capacity against
demand and the gap, and without a skill each skill's worst week. The bench (people with
little allocated over the next four weeks) and the heat map are for PMO leads: they
say who is free and who is stretched, which is theirs to act on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlmodel import Session

from storage.models import Workspace
from storage.workspaces import ensure_workspace
from workflows import message_keys
from workflows.actor import Actor
from workflows.capacity import is_pmo_lead
from workflows.errors import NotPermitted, PmoError
from workflows.forecast import ALL, Forecast, SkillWeek, forecast
from workflows.load import BENCH_WEEKS, ZERO, PersonLoad, Someone
from workflows.load_heatmap import HeatMap, heat_map
from workflows.markup import mentions, quoted
from workflows.outgoing import Outgoing

# How many skills an error names before "and N more".
SKILLS_NAMED = 30


class UnknownSkill(PmoError):
    """Nobody has the skill and no open request asks for it."""

    def __init__(self, skill: str, known: list[str]) -> None:
        self.skill = skill
        self.known = known
        message = f"Nobody has the skill `{quoted(skill)}` and no open request asks for it."
        if known:
            named = ", ".join(f"`{quoted(s)}`" for s in known[:SKILLS_NAMED])
            more = len(known) - SKILLS_NAMED
            message += f" Skills known: {named}" + (f" and {more} more." if more > 0 else ".")
        else:
            message += " No skills are known yet: `/capacity set @person skills backend` adds some."
        super().__init__(message)


@dataclass(frozen=True)
class WorstWeek:
    """A skill's worst week ahead: the one with the least capacity left (or most short)."""

    skill: str
    week: SkillWeek


@dataclass(frozen=True)
class ForecastView:
    """The weeks of the workspace (skill None) or of one skill, and how many people
    count in them; without a skill, each skill's worst week too, the shortest first."""

    skill: str | None
    weeks: list[SkillWeek]
    people: int
    worst_weeks: list[WorstWeek] = field(default_factory=list)


def known_skills(planned: Forecast) -> list[str]:
    """The skills people have or open requests ask for, in order."""
    return [skill for skill in planned.by_skill if skill != ALL]


def skill_weeks(planned: Forecast, skill: str) -> list[SkillWeek]:
    """The skill's weeks; UnknownSkill naming the known ones if nobody has it."""
    weeks = planned.by_skill.get(skill)
    if weeks is None:
        raise UnknownSkill(skill, known_skills(planned))
    return weeks


def forecast_view(
    *, session: Session, actor: Actor, skill: str | None, now: datetime
) -> ForecastView:
    """Demand against capacity for the next twelve weeks, for the workspace or a skill."""
    workspace = ensure_workspace(session=session, team_id=actor.team_id)
    planned = forecast(session=session, workspace=workspace, now=now)
    if skill is not None and skill != ALL:
        weeks = skill_weeks(planned, skill)
        people = sum(1 for load in planned.loads if skill in load.person.skills)
        return ForecastView(skill=skill, weeks=weeks, people=people)
    worst = [
        WorstWeek(skill=name, week=min(planned.by_skill[name], key=lambda week: week.gap))
        for name in known_skills(planned)
    ]
    worst.sort(key=lambda line: (line.week.gap, line.skill))
    return ForecastView(
        skill=None,
        weeks=planned.by_skill.get(ALL) or _empty_weeks(planned),
        people=len(planned.loads),
        worst_weeks=worst,
    )


# -- the bench -----------------------------------------------------------------------------


@dataclass(frozen=True)
class BenchLine:
    """Someone on the bench: their capacity and allocated hours over the bench's weeks."""

    person: Someone
    capacity: Decimal
    allocated: Decimal

    @property
    def free(self) -> Decimal:
        """Hours not yet allocated."""
        return max(self.capacity - self.allocated, ZERO)

    @property
    def percent(self) -> int:
        """Allocated as a share of capacity."""
        return round(100 * self.allocated / self.capacity) if self.capacity else 0


@dataclass(frozen=True)
class Bench:
    """The bench's weeks (Mondays) and the people on it, the most free first."""

    weeks: list[date]
    lines: list[BenchLine]


def require_pmo_lead(workspace: Workspace, user_id: str, what: str) -> None:
    """NotPermitted naming the PMO leads, unless `user_id` is one; `what` completes
    "Only PMO leads can see …"."""
    if is_pmo_lead(workspace, user_id):
        return
    if workspace.pmo_leads:
        raise NotPermitted(f"Only the PMO leads ({mentions(workspace.pmo_leads)}) can see {what}.")
    raise NotPermitted(
        f"Only PMO leads can see {what}, and this workspace has none yet: a Slack admin "
        "names them in `/pmo settings`."
    )


def bench(*, session: Session, actor: Actor, now: datetime) -> Bench:
    """The people with under half their capacity allocated over the next four weeks
    (PMO leads only)."""
    workspace = ensure_workspace(session=session, team_id=actor.team_id)
    require_pmo_lead(workspace, actor.user_id, "the bench")
    planned = forecast(session=session, workspace=workspace, now=now, weeks=BENCH_WEEKS)
    lines = [_bench_line(load) for load in planned.loads if load.on_bench()]
    lines.sort(key=lambda line: (-line.free, line.person.user_id))
    return Bench(weeks=planned.weeks, lines=lines)


def _bench_line(load: PersonLoad) -> BenchLine:
    weeks = load.weeks[:BENCH_WEEKS]
    return BenchLine(
        person=load.person,
        capacity=sum((w.capacity for w in weeks), ZERO),
        allocated=sum((w.allocated for w in weeks), ZERO),
    )


# -- the heat map --------------------------------------------------------------------------


@dataclass(frozen=True)
class HeatMapShared:
    """The heat map, and the message that sends it to the PMO lead who asked."""

    heat_map: HeatMap
    messages: list[Outgoing] = field(default_factory=list)


def share_heat_map(
    *, session: Session, actor: Actor, skill: str | None, now: datetime
) -> HeatMapShared:
    """The heat map of the next twelve weeks (of the people with `skill`, when given), sent
    to the PMO lead who asked, in their direct messages with the bot."""
    workspace = ensure_workspace(session=session, team_id=actor.team_id)
    require_pmo_lead(workspace, actor.user_id, "the heat map")
    planned = forecast(session=session, workspace=workspace, now=now)
    if skill == ALL:
        skill = None
    if skill is not None:
        skill_weeks(planned, skill)  # an unknown skill is refused, naming the known ones
    picture = heat_map(planned, skill=skill)
    message = Outgoing(
        team_id=actor.team_id,
        key=message_keys.capacity_heatmap(actor.user_id, now),
        to=actor.user_id,
        content=picture,
    )
    return HeatMapShared(heat_map=picture, messages=[message])


def _empty_weeks(planned: Forecast) -> list[SkillWeek]:
    # Nobody on a project and no request: every week is zero against zero.
    return [SkillWeek(week, ZERO, ZERO, ZERO) for week in planned.weeks]
