"""The kudos rules, called directly: who is thanked, and who hears of it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.factories import APPROVER, MEMBER, PM, TEAM
from workflows import message_keys
from workflows.actor import Actor
from workflows.errors import InvalidInput
from workflows.kudos import KudosThanks, give_kudos

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_each_person_thanked_hears_of_it_once_and_the_giver_not_at_all(database):
    with database.session() as session:
        given = give_kudos(
            session=session,
            actor=Actor(TEAM, PM, "CTEAM0001"),
            receivers=[MEMBER, PM, APPROVER, MEMBER],
            reason="the demo",
            channel_id="CTEAM0001",
            now=NOW,
        )
        assert given.kudos.receivers == [MEMBER, APPROVER]
        assert [(m.to, m.key) for m in given.messages] == [
            (MEMBER, message_keys.kudos_thanks(given.kudos.id, MEMBER)),
            (APPROVER, message_keys.kudos_thanks(given.kudos.id, APPROVER)),
        ]
        assert all(m.content == KudosThanks(given.kudos) for m in given.messages)


def test_an_incomplete_thank_you_sends_nothing(database):
    with database.session() as session, pytest.raises(InvalidInput) as refused:
        give_kudos(
            session=session,
            actor=Actor(TEAM, PM),
            receivers=[PM],
            reason=" ",
            channel_id=None,
            now=NOW,
        )
    assert set(refused.value.errors) == {"receivers", "reason"}
