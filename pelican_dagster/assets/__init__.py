"""Dagster assets, one module per pipeline stage (Dagster code only: the work is in checks/ and storage/).

``PIPELINE_ASSETS`` is what the ``pelican`` job materializes; add a stage's assets here.
"""

from pelican_dagster.assets.extraction import dataset_items
from pelican_dagster.assets.item_checks import item_checks

PIPELINE_ASSETS = [dataset_items, item_checks]

__all__ = ["PIPELINE_ASSETS", "dataset_items", "item_checks"]
