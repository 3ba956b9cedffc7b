"""The request log: a key is seen for the first time once, in any process, until forgotten."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from storage.models import SeenRequest
from storage.request_log import first_sighting, forget_before
from tests.conftest import START
from tests.factories import TEAM


def sight(database, key, now=START):
    with database.connection() as connection:
        return first_sighting(connection=connection, key=key, team_id=TEAM, now=now)


def test_a_key_is_new_once(database):
    assert sight(database, "event:Ev1") is True
    assert sight(database, "event:Ev1") is False
    assert sight(database, "event:Ev2") is True


def test_a_second_sighting_leaves_the_first_as_it_was(database):
    sight(database, "event:Ev1")
    sight(database, "event:Ev1", now=START + timedelta(minutes=5))
    with database.session() as session:
        [seen] = session.exec(select(SeenRequest)).all()
    assert (seen.key, seen.team_id, seen.seen_at) == ("event:Ev1", TEAM, START)


def test_forgetting_drops_only_what_was_seen_before(database):
    sight(database, "event:old", now=START - timedelta(hours=2))
    sight(database, "event:new", now=START)
    with database.session() as session:
        assert forget_before(session=session, before=START - timedelta(hours=1)) == 1
    assert sight(database, "event:old") is True
    assert sight(database, "event:new") is False
