"""The results database (Pelican's tables, created and upgraded automatically by Alembic migrations)."""

from __future__ import annotations

import os

import dagster as dg
from pydantic import Field
from sqlalchemy.engine import Engine

from pelican_dagster import settings
from pelican_dagster.storage import embedded, engines

VARIABLE = settings.RESULTS_URL


class ResultsDatabaseResource(dg.ConfigurableResource):
    """The results database, by URL (``PELICAN_RESULTS_URL``).

    Without a URL (in the resource's config or in ``PELICAN_RESULTS_URL``),
    the ``pelican`` database of the embedded server is used where allowed (``PELICAN_EMBEDDED``);
    elsewhere a step fails naming the variable. The first connection in a
    process migrates it to the latest revision.
    """

    url: str | None = Field(default=None, description="SQLAlchemy/libpq URL; unset = embedded PostgreSQL")

    def resolved_url(self) -> str:
        """The URL actually used (normalised to psycopg2)."""
        # The environment is read again here, so that a variable set after the definitions were
        # imported still counts.
        try:
            return engines.resolve(self.url or os.environ.get(VARIABLE), embedded.RESULTS, VARIABLE)
        except engines.MissingDatabaseURL as e:
            raise dg.Failure(description=str(e)) from None

    def get_engine(self) -> Engine:
        """An engine, cached per process, on a migrated database."""
        return engines.results_engine(self.resolved_url())
