"""Jobs: ``pelican`` materializes the whole pipeline for one dataset partition (its partitions are
those of the assets: ``pelican_dagster.partitions.datasets``)."""

import dagster as dg

from pelican_dagster.assets import PIPELINE_ASSETS, report, time_based_checks

#: The multiprocess executor's step processes fork from a server that has imported the project once, so
#: each step starts in a fraction of a second instead of ~2 s of imports (a 10,000-item run: 17 s, not 30).
MULTIPROCESS = {"start_method": {"forkserver": {"preload_modules": ["pelican_dagster.definitions"]}}}

#: Extraction → item checks → dataset checks → time-based checks → report. By default on the
#: multiprocess executor (the item-check chunks use every core); a run may choose ``in_process``.
pelican_job = dg.define_asset_job(
    "pelican",
    selection=dg.AssetSelection.assets(*PIPELINE_ASSETS),
    description="Check one dataset: extraction, item checks, dataset checks, time-based checks, report.",
    config={"execution": {"config": {"multiprocess": MULTIPROCESS}}},
)

#: The time-based checks and the report again, for a dataset whose ancestor was not yet checked when its
#: pipeline ran (started by the sensor ``ancestors_checked``).
time_based_job = dg.define_asset_job(
    "pelican_time_based",
    selection=dg.AssetSelection.assets(time_based_checks, report),
    description="Time-based checks and report of one dataset, once its ancestor is checked.",
    config={"execution": {"config": {"in_process": {}}}},
)
