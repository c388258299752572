"""Dagster resources, one per external system: Kingfisher Process and the results database."""

from pelican_dagster.resources.kingfisher_process import KingfisherProcessResource
from pelican_dagster.resources.results_database import ResultsDatabaseResource

__all__ = ["KingfisherProcessResource", "ResultsDatabaseResource"]
