"""The goals a project serves, as a person writes them: `CHURN 60, NPS 40`.

Read (`parse_links`), checked against the workspace's goals (`check_links`: unknown goals
with close matches, archived ones, weights outside 0 to 100, a goal named twice) and
stored (`store_links`) in the caller's transaction, with the project's own change. A goal
named without a weight is served wholly (100). Links to archived goals are kept as they
are: the project form shows, and changes, only the active goals.
"""

from __future__ import annotations

import difflib
import re
from typing import NamedTuple

from sqlmodel import Session

from storage import goal_log
from workflows.errors import PmoError, UnknownGoal
from workflows.markup import quoted

# ASCII only, checked before upper-casing, like a project's key.
GOAL_KEY = re.compile(r"^[A-Za-z0-9]{2,10}$")
FIELD = "goals"
FULL_WEIGHT = 100
LINKS_MAX = 20
TYPED_MAX = 1000
_SEPARATORS = re.compile(r"[,;\n]+")
_WEIGHT = re.compile(r"-?[0-9]{1,9}")


class GoalLink(NamedTuple):
    """One goal a project serves, by key (in capitals), and how much of the project is
    for it, from 0 to 100."""

    key: str
    weight: int


def parse_links(text: str) -> list[GoalLink]:
    """`CHURN 60, NPS 40` (or `CHURN: 60 %; NPS`) as links; ValueError in words for the
    person when a part is not a key and a whole number. Empty text is no goal at all."""
    if len(text) > TYPED_MAX:
        raise ValueError(f"Goals can be at most {TYPED_MAX:,} characters; yours has {len(text):,}.")
    links = []
    for part in _SEPARATORS.split(text):
        words = re.sub(r"[:=%]", " ", part).split()
        if not words:
            continue
        if len(words) > 2 or (len(words) == 2 and not _WEIGHT.fullmatch(words[1])):
            raise ValueError(
                f"`{quoted(part.strip())}` is not a goal and a weight: write them like "
                "`CHURN 60, NPS 40` (weights from 0 to 100)."
            )
        weight = int(words[1]) if len(words) == 2 else FULL_WEIGHT
        links.append(GoalLink(words[0].upper(), weight))
    return links


def links_text(links: list[GoalLink]) -> str:
    """Links as the person writes them: `CHURN 60, NPS 40`."""
    return ", ".join(f"{link.key} {link.weight}" for link in links)


def suggest(key: str, keys: list[str]) -> UnknownGoal:
    """The error for a key no goal has, with up to three close matches among `keys`."""
    close = difflib.get_close_matches(key, keys, n=3, cutoff=0.5) if len(key) <= 20 else []
    return UnknownGoal(key, close)


def weights_for(*, session: Session, team_id: str, links: list[GoalLink]) -> dict[int, int]:
    """Goal id to weight for the links (one statement); a PmoError saying what is wrong:
    too many, a goal named twice, a weight outside 0 to 100, an unknown or archived goal."""
    if len(links) > LINKS_MAX:
        raise PmoError(f"A project serves at most {LINKS_MAX} goals; you named {len(links)}.")
    keys = [link.key for link in links]
    twice = next((key for n, key in enumerate(keys) if key in keys[:n]), None)
    if twice is not None:
        raise PmoError(f"{quoted(twice)} is named twice: give each goal once, with one weight.")
    for link in links:
        if not 0 <= link.weight <= 100:
            raise PmoError(
                f"The weight of {quoted(link.key)} must be from 0 to 100; yours is {link.weight}."
            )
    goals = {
        goal.key: goal
        for goal in goal_log.goals_of(session=session, team_id=team_id, include_archived=True)
    }
    weights = {}
    for link in links:
        goal = goals.get(link.key) if GOAL_KEY.match(link.key) else None
        if goal is None:
            raise suggest(link.key, sorted(goals))
        if goal.archived:
            raise PmoError(
                f"{goal.key} is archived: `/goal unarchive {goal.key}` brings it back first."
            )
        assert goal.id is not None
        weights[goal.id] = link.weight
    return weights


def check_links(*, session: Session, team_id: str, links: list[GoalLink]) -> dict[str, str]:
    """What is wrong with the links, on the `goals` field (empty when they may be stored)."""
    try:
        weights_for(session=session, team_id=team_id, links=links)
    except PmoError as exc:
        return {FIELD: str(exc)}
    return {}


def links_of(*, session: Session, team_id: str, project_id: int) -> list[GoalLink]:
    """The active goals the project serves, heaviest first: what its form shows."""
    return [
        GoalLink(goal.key, link.weight)
        for link, goal in goal_log.links_of_project(
            session=session, team_id=team_id, project_id=project_id
        )
        if not goal.archived
    ]


def store_links(
    *, session: Session, team_id: str, project_id: int, weights: dict[int, int]
) -> None:
    """Make the project serve exactly these active goals with these weights (goal id to
    weight), in the caller's transaction; its links to archived goals stay."""
    current = {
        goal.id: link.weight
        for link, goal in goal_log.links_of_project(
            session=session, team_id=team_id, project_id=project_id
        )
        if not goal.archived and goal.id is not None
    }
    for goal_id in current.keys() - weights.keys():
        goal_log.set_link(
            session=session, team_id=team_id, project_id=project_id, goal_id=goal_id, weight=None
        )
    for goal_id, weight in weights.items():
        if current.get(goal_id) != weight:
            goal_log.set_link(
                session=session,
                team_id=team_id,
                project_id=project_id,
                goal_id=goal_id,
                weight=weight,
            )


def described(links: list[GoalLink]) -> dict[str, int]:
    """Links as the audit keeps them: goal key to weight."""
    return {link.key: link.weight for link in links}
