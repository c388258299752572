"""The results database (Pelican's tables, created and upgraded automatically by Alembic migrations)."""

from __future__ import annotations

import os

import dagster as dg
from pydantic import Field
from sqlalchemy.engine import Engine

from pelican_dagster.resources import engines


class ResultsDatabaseResource(dg.ConfigurableResource):
    """The results database, by URL (``PELICAN_RESULTS_URL``).

    Without a URL (in the resource's config or in ``PELICAN_RESULTS_URL``),
    the ``pelican`` database of the embedded server is used. The first connection in a
    process migrates it to the latest revision.
    """

    url: str | None = Field(default=None, description="SQLAlchemy/libpq URL; unset = embedded PostgreSQL")

    def resolved_url(self) -> str:
        """The URL actually used (normalised to psycopg2)."""
        # The environment is read again here, so that a variable set after the definitions were
        # imported still counts.
        return engines.resolve(self.url or os.environ.get("PELICAN_RESULTS_URL"), "pelican")

    def get_engine(self) -> Engine:
        """An engine, cached per process, on a migrated database."""
        return engines.results_engine(self.resolved_url())
