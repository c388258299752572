"""Jobs: ``pelican`` materializes the whole pipeline for one dataset partition (its partitions are
those of the assets: ``pelican_dagster.partitions.datasets``)."""

import dagster as dg

from pelican_dagster.assets import PIPELINE_ASSETS

#: Extraction → item checks → (dataset checks → time-based checks → report, as they are added).
#: Runs on the default multiprocess executor: the item-check chunks use every core.
pelican_job = dg.define_asset_job(
    "pelican",
    selection=dg.AssetSelection.assets(*PIPELINE_ASSETS),
    description="Check one dataset: extraction, item checks, dataset checks, time-based checks, report.",
)
