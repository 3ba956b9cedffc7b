"""A condition that a column holds one of many ids (a large workspace's projects)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import ColumnElement, bindparam


def one_of(column: Any, ids: Collection[int]) -> ColumnElement[bool]:
    """`column IN (…)` with the ids written into the statement, in order: a workspace may
    name more of them than a database driver binds in one statement."""
    return column.in_(bindparam(None, sorted(ids), expanding=True, literal_execute=True))
