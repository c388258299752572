"""Dagster assets, one module per pipeline stage (Dagster code only: the work is in checks/ and storage/).

``PIPELINE_ASSETS`` is what the ``pelican`` job materializes, in dependency order:
``dataset_items`` → ``item_checks`` → ``dataset_checks`` → ``time_based_checks`` → ``report``.
"""

from pelican_dagster.assets.dataset_checks import dataset_checks
from pelican_dagster.assets.dataset_items import dataset_items
from pelican_dagster.assets.item_checks import item_checks
from pelican_dagster.assets.report import report
from pelican_dagster.assets.time_based_checks import time_based_checks

PIPELINE_ASSETS = [dataset_items, item_checks, dataset_checks, time_based_checks, report]

__all__ = ["PIPELINE_ASSETS", "dataset_checks", "dataset_items", "item_checks", "report", "time_based_checks"]
