"""Alembic, driven from code: `pmo-bot migrate`, `serve` on SQLite, and the tests."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    """An Alembic configuration for the database at `url`, with no alembic.ini needed."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser treats % as interpolation; passwords may contain it.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Apply every migration up to `revision`."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    """Undo migrations down to `revision` (`base` empties the database)."""
    command.downgrade(alembic_config(url), revision)


@cache
def head_revision() -> str:
    """The newest migration this code knows (read from the scripts once per process)."""
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


def applied_revision(engine: Engine) -> str | None:
    """The migration the database is at, in one short query (for health checks); None when
    it has none. Raises when the database does not answer."""
    with engine.connect() as connection:
        try:
            versions = connection.execute(text("SELECT version_num FROM alembic_version"))
            return ",".join(sorted(versions.scalars())) or None
        except DBAPIError:
            connection.rollback()
            if inspect(connection).has_table("alembic_version"):
                raise
            return None


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at, or None when it has none applied."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
