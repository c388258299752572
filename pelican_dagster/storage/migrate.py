"""Create or upgrade the results database to the latest Alembic revision, safely from many processes.

Runs when the results resource first connects in a process. A PostgreSQL advisory lock serialises
concurrent upgrades (several run workers may start at once), and the version table is named so that it
cannot collide with Dagster's own ``alembic_version`` if both share a database.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

VERSION_TABLE = "pelican_alembic_version"
MIGRATIONS = Path(__file__).parent / "migrations"
#: Arbitrary constant key of the advisory lock ("pelican" in ASCII).
_LOCK_KEY = 0x70656C6963616E


def alembic_config() -> Config:
    """An Alembic configuration for the bundled migrations (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    """The newest migration's revision id."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None if never migrated)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE}).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database of ``engine`` to ``revision`` under an advisory lock (a no-op when current)."""
    if revision == "head" and current_revision(engine) == head_revision():
        return
    config = alembic_config()
    with engine.begin() as conn:
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
