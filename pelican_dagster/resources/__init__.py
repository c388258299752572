"""Dagster resources, one per external system: Kingfisher Process and the results database (which also
keeps the small values passed between steps)."""

from pelican_dagster.resources.io_manager import ResultsDatabaseIOManager
from pelican_dagster.resources.kingfisher_process import KingfisherProcessResource
from pelican_dagster.resources.results_database import ResultsDatabaseResource

__all__ = ["KingfisherProcessResource", "ResultsDatabaseIOManager", "ResultsDatabaseResource"]
