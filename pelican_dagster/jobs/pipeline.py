"""Jobs: ``pelican`` materializes the whole pipeline for one dataset partition (its partitions are
those of the assets: ``pelican_dagster.partitions.datasets``)."""

from typing import TYPE_CHECKING

import dagster as dg

from pelican_dagster.assets import PIPELINE_ASSETS, report, time_based_checks
from pelican_dagster.execution.executors import MULTIPROCESS, executor_definition

if TYPE_CHECKING:
    from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

__all__ = ["MULTIPROCESS", "make_pelican_job", "pelican_job", "time_based_job"]


def make_pelican_job(executor: str | None = None) -> "UnresolvedAssetJobDefinition":
    """The ``pelican`` job on ``executor`` (default ``PELICAN_EXECUTOR``, else multiprocess): extraction →
    item checks → dataset checks → time-based checks → report. The executor is part of the definition
    (``.configured``), so runs started by ``dagster job execute``, sensors, the UI and the CLI all use it."""
    return dg.define_asset_job(
        "pelican",
        selection=dg.AssetSelection.assets(*PIPELINE_ASSETS),
        description="Check one dataset: extraction, item checks, dataset checks, time-based checks, report.",
        executor_def=executor_definition(executor),
    )


pelican_job = make_pelican_job()


#: The time-based checks and the report again, for a dataset whose ancestor was not yet checked when its
#: pipeline ran (started by the sensor ``ancestors_checked``); two steps, so in one process.
time_based_job = dg.define_asset_job(
    "pelican_time_based",
    selection=dg.AssetSelection.assets(time_based_checks, report),
    description="Time-based checks and report of one dataset, once its ancestor is checked.",
    executor_def=dg.in_process_executor,
)
