"""storage/types.UTCDateTime: any aware moment is stored as naive UTC and read back as the
same moment, aware and in UTC, to the microsecond, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, literal, select, text
from sqlalchemy.exc import StatementError

from storage.db import Database
from storage.models import SeenRequest
from storage.types import UTCDateTime

ZONES = st.sampled_from(
    [
        UTC,
        timezone(timedelta(hours=5, minutes=30)),
        timezone(-timedelta(hours=11)),
        ZoneInfo("America/New_York"),
        ZoneInfo("Australia/Lord_Howe"),
    ]
)
# Within a day of the ends of datetime's range, a moment converted to UTC would leave it.
MOMENTS = st.datetimes(
    min_value=datetime(1900, 1, 2), max_value=datetime(9998, 12, 30), timezones=ZONES
)


def _stored(database: Database, moment: datetime) -> datetime:
    with database.session() as session:
        session.execute(delete(SeenRequest))
        session.add(SeenRequest(key="k", seen_at=moment))
    with database.reading() as session:
        return session.execute(select(SeenRequest.seen_at)).scalar_one()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(moment=MOMENTS)
def test_any_aware_moment_is_read_back_as_the_same_moment_in_utc(database, moment):
    read = _stored(database, moment)
    # Python never calls a moment in a gap or fold of its zone equal to one in another zone
    # (PEP 495): compared as the instant it names.
    assert read == moment.astimezone(UTC)
    assert read.timestamp() == moment.timestamp()
    assert read.tzinfo is UTC
    assert read.fold == 0


@pytest.mark.parametrize(
    ("moment", "as_text"),
    [
        (
            datetime(2026, 11, 30, 9, 30, 0, 123456, tzinfo=ZoneInfo("Europe/Paris")),
            "2026-11-30 08:30:00.123456",
        ),
        # Every microsecond digit, always: the text is compared and ordered as text.
        (datetime(2026, 11, 30, 9, 30, tzinfo=UTC), "2026-11-30 09:30:00.000000"),
        (datetime(987, 6, 5, 4, 3, 2, 1, tzinfo=UTC), "0987-06-05 04:03:02.000001"),
    ],
)
def test_it_is_stored_as_naive_utc(database, moment, as_text):
    _stored(database, moment)
    with database.reading() as session:
        raw = session.execute(text("SELECT seen_at FROM seen_requests")).scalar_one()
    if database.backend == "sqlite":
        assert raw == as_text
    else:
        assert raw == datetime.fromisoformat(as_text)


def test_a_value_written_by_hand_without_microseconds_is_read(database):
    with database.session() as session:
        session.execute(
            text("INSERT INTO seen_requests (key, seen_at) VALUES ('k', '2026-11-30 09:30:00')")
        )
    with database.reading() as session:
        read = session.execute(select(SeenRequest.seen_at)).scalar_one()
    assert read == datetime(2026, 11, 30, 9, 30, tzinfo=UTC)
    assert read.tzinfo is UTC


def test_none_is_none_both_ways(database):
    with database.reading() as session:
        assert session.execute(select(literal(None, UTCDateTime()))).scalar_one() is None


def test_a_naive_datetime_is_refused(database):
    refused = pytest.raises(StatementError, match="refusing to store a naive datetime")
    with refused, database.session() as session:
        session.add(SeenRequest(key="k", seen_at=datetime(2026, 11, 30, 9, 30)))
    with database.reading() as session:
        assert session.execute(select(SeenRequest.key)).all() == []
