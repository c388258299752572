"""Jobs: ``pelican`` materializes the whole pipeline for one dataset partition."""

import dagster as dg

from pelican_dagster.assets import PIPELINE_ASSETS
from pelican_dagster.partitions import datasets

#: Extraction → item checks → (dataset checks → time-based checks → report, as they are added).
#: Runs on the default multiprocess executor: the item-check chunks use every core.
pelican_job = dg.define_asset_job(
    "pelican",
    selection=dg.AssetSelection.assets(*PIPELINE_ASSETS),
    partitions_def=datasets,
    description="Check one dataset: extraction, item checks, dataset checks, time-based checks, report.",
)
