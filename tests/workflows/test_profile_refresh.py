"""Whose Slack profile the nudge job reads again (workflows.nudges.people_to_refresh)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage.models import Person
from storage.workspaces import ensure_workspace
from tests.factories import OTHER_TEAM, TEAM
from workflows.nudges import people_to_refresh

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def test_unknown_never_read_and_read_a_full_day_ago_are_read_again_in_the_order_asked(database):
    read_at = {
        "U0FRESH01": NOW - timedelta(days=1) + timedelta(seconds=1),
        "U0DAYOLD1": NOW - timedelta(days=1),
        "U0NEVER01": None,
        "U0FUTURE1": NOW + timedelta(minutes=5),  # another clock ahead: read, not stale
    }
    with database.session() as session:
        for team_id in (TEAM, OTHER_TEAM):
            ensure_workspace(session=session, team_id=team_id)
        for user_id, refreshed in read_at.items():
            session.add(Person(team_id=TEAM, user_id=user_id, profile_refreshed_at=refreshed))
        # Read yesterday in another workspace: says nothing of this one.
        session.add(Person(team_id=OTHER_TEAM, user_id="U0ELSEWH1", profile_refreshed_at=NOW))
        session.commit()
    asked = ["U0NEVER01", "U0ELSEWH1", "U0FRESH01", "U0UNKNOWN", "U0DAYOLD1", "U0FUTURE1"]
    with database.session() as session:
        stale = people_to_refresh(
            session=session, team_id=TEAM, user_ids=asked, now=NOW, max_age_days=1
        )
        assert stale == ["U0NEVER01", "U0ELSEWH1", "U0UNKNOWN", "U0DAYOLD1"]
        week = people_to_refresh(session=session, team_id=TEAM, user_ids=asked, now=NOW)
        assert week == ["U0NEVER01", "U0ELSEWH1", "U0UNKNOWN"]
        assert people_to_refresh(session=session, team_id=TEAM, user_ids=[], now=NOW) == []
