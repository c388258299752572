"""The Kingfisher Process database (read by extraction and the sensor; written by the loader)."""

from __future__ import annotations

import os

import dagster as dg
from pydantic import Field
from sqlalchemy.engine import Engine

from pelican_dagster import settings
from pelican_dagster.storage import embedded, engines

VARIABLE = settings.KINGFISHER_PROCESS_URL


class KingfisherProcessResource(dg.ConfigurableResource):
    """A Kingfisher Process database, by URL (``PELICAN_KINGFISHER_PROCESS_URL``).

    Without a URL (in the resource's config or in ``PELICAN_KINGFISHER_PROCESS_URL``),
    the ``kingfisher_process`` database of the embedded server is used where allowed
    (``PELICAN_EMBEDDED``); elsewhere a step fails naming the variable.
    """

    url: str | None = Field(default=None, description="SQLAlchemy/libpq URL; unset = embedded PostgreSQL")

    def resolved_url(self) -> str:
        """The URL actually used (normalised to psycopg2)."""
        # The environment is read again here, so that a variable set after the definitions were
        # imported still counts.
        try:
            return engines.resolve(
                self.url or os.environ.get(VARIABLE), embedded.KINGFISHER_PROCESS, VARIABLE
            )
        except engines.MissingDatabaseURL as e:
            raise dg.Failure(description=str(e)) from None

    def get_engine(self, ensure_tables: bool = False) -> Engine:
        """An engine, cached per process; ``ensure_tables`` creates the tables when absent (loader)."""
        return engines.kingfisher_engine(self.resolved_url(), ensure_tables)
