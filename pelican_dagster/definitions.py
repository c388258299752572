"""The Dagster definitions of pelican-dagster (``dagster dev -w workspace.yaml``).

Resources come from the environment: ``PELICAN_KINGFISHER_PROCESS_URL`` and ``PELICAN_RESULTS_URL``
(read at run time through ``dg.EnvVar``); when unset, the embedded PostgreSQL server under
``PELICAN_HOME`` is used.
"""

from __future__ import annotations

import os

import dagster as dg

from pelican_dagster.assets import PIPELINE_ASSETS
from pelican_dagster.dataset_jobs import DATASET_JOBS
from pelican_dagster.jobs import pelican_job
from pelican_dagster.resources import (
    KingfisherProcessResource,
    ResultsDatabaseIOManager,
    ResultsDatabaseResource,
)
from pelican_dagster.sensors import kingfisher_process_collections, pending_datasets

KINGFISHER_PROCESS_URL = "PELICAN_KINGFISHER_PROCESS_URL"
RESULTS_URL = "PELICAN_RESULTS_URL"


def _url(name: str) -> dg.EnvVar | None:
    # EnvVar keeps the value out of the UI and the run config; None selects the embedded server.
    return dg.EnvVar(name) if os.environ.get(name) else None


def resources() -> dict[str, dg.ConfigurableResource | dg.ConfigurableIOManager]:
    """The resources, configured from the environment."""
    results = ResultsDatabaseResource(url=_url(RESULTS_URL))
    return {
        "kingfisher_process": KingfisherProcessResource(url=_url(KINGFISHER_PROCESS_URL)),
        "results": results,
        # Step outputs (id ranges, counts) in the results database: any executor, any machine.
        "io_manager": ResultsDatabaseIOManager(results=results),
    }


defs = dg.Definitions(
    assets=PIPELINE_ASSETS,
    jobs=[pelican_job, *DATASET_JOBS],
    sensors=[kingfisher_process_collections, pending_datasets],
    resources=resources(),
)


def pelican_job_definition() -> dg.JobDefinition:
    """The resolved ``pelican`` job (for ``dg.reconstructable`` in the CLI)."""
    return defs.resolve_job_def("pelican")
