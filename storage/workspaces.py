"""Workspaces and the people in them."""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.db import is_reading
from storage.models import Person, Workspace


def ensure_workspace(*, session: Session, team_id: str) -> Workspace:
    """The workspace row for `team_id`, created with default settings on first use."""
    workspace = session.get(Workspace, team_id)
    if workspace is not None:
        return workspace
    if is_reading(session):
        return Workspace(team_id=team_id)  # the defaults, stored at the first write
    try:
        with session.begin_nested():
            workspace = Workspace(team_id=team_id)
            session.add(workspace)
    except IntegrityError:
        # Another request created it between our read and our insert.
        workspace = session.get(Workspace, team_id)
        assert workspace is not None
    return workspace


def ensure_people(*, session: Session, team_id: str, user_ids: list[str]) -> dict[str, Person]:
    """Rows for these Slack users, creating the missing ones (their profile comes later)."""
    wanted = sorted(set(user_ids))
    if not wanted:
        return {}
    found = people_of(session=session, team_id=team_id, user_ids=wanted)
    for user_id in wanted:
        if user_id in found:
            continue
        try:
            with session.begin_nested():
                person = Person(team_id=team_id, user_id=user_id)
                session.add(person)
            found[user_id] = person
        except IntegrityError:
            person = session.exec(
                select(Person).where(Person.team_id == team_id, Person.user_id == user_id)
            ).one()
            found[user_id] = person
    return found


def update_profile(
    *,
    session: Session,
    team_id: str,
    user_id: str,
    name: str | None,
    time_zone: str | None,
    now: datetime,
) -> Person:
    """Remember what Slack says of a person: display name and time zone."""
    person = ensure_people(session=session, team_id=team_id, user_ids=[user_id])[user_id]
    person.name = name
    person.time_zone = time_zone
    person.profile_refreshed_at = now
    session.add(person)
    return person


def names_of(*, session: Session, team_id: str) -> dict[str, str]:
    """Slack user id to name, for the people whose name is known."""
    return {
        person.user_id: person.name
        for person in session.exec(select(Person).where(Person.team_id == team_id))
        if person.name
    }


def team_ids(*, session: Session) -> list[str]:
    """Every workspace the bot knows, in team id order."""
    return list(session.exec(select(Workspace.team_id).order_by(col(Workspace.team_id))))


def people_of(
    *, session: Session, team_id: str, user_ids: list[str] | None = None
) -> dict[str, Person]:
    """The workspace's people known so far (only those among `user_ids`, when given), by
    Slack user id; nobody is created."""
    statement = select(Person).where(Person.team_id == team_id)
    if user_ids is not None:
        statement = statement.where(col(Person.user_id).in_(user_ids))
    return {person.user_id: person for person in session.exec(statement)}


def refreshed_since(*, session: Session, team_id: str, since: datetime) -> set[str]:
    """The workspace's people whose profile was read from Slack after `since`, by user id
    (ids only: the nudge job asks of everyone on a project, thousands in a large workspace)."""
    statement = select(Person.user_id).where(
        Person.team_id == team_id, col(Person.profile_refreshed_at) > since
    )
    return set(session.exec(statement))


class PersonClock(NamedTuple):
    """Where a person's day is and until when they paused nudges: all the nudge job asks
    of each person, read without the rest of their row."""

    time_zone: str | None
    paused_until: date | None


def clocks_of(*, session: Session, team_id: str) -> dict[str, PersonClock]:
    """The workspace's people known so far, by Slack user id, as `PersonClock`s."""
    rows = session.exec(
        select(Person.user_id, Person.time_zone, Person.paused_until).where(
            Person.team_id == team_id
        )
    )
    return {user_id: PersonClock(zone, paused) for user_id, zone, paused in rows}
