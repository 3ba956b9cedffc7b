"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

# datetime.replace(tzinfo=...) costs about 1 us on CPython 3.11; combine costs a fifth.
_combine = datetime.combine


class UTCDateTime(TypeDecorator[datetime]):
    """A moment in time: stored as naive UTC, always read back as an aware UTC datetime."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"refusing to store a naive datetime: {value!r}")
        if value.tzinfo is not UTC:
            value = value.astimezone(UTC)
        return _combine(value.date(), value.time())  # as replace(tzinfo=None), 4x faster

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return _combine(value.date(), value.time(), UTC)  # as replace(tzinfo=UTC), 4x faster

    def result_processor(self, dialect: Dialect, coltype: Any) -> Callable[[Any], datetime | None]:
        # What process_result_value does, in one call per value instead of the three of
        # TypeDecorator's own wrapper, still through the driver's own parsing (SQLite's text):
        # 1.7 -> 0.4 us a value, and a digest reads ninety thousand of them.
        parse = self.impl_instance.result_processor(dialect, coltype)
        if parse is None:  # the driver gives naive datetimes (psycopg)

            def process(value: Any) -> datetime | None:
                return None if value is None else _combine(value.date(), value.time(), UTC)

        else:

            def process(value: Any) -> datetime | None:
                if value is None:
                    return None
                value = parse(value)
                return _combine(value.date(), value.time(), UTC)

        return process
