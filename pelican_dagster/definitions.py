"""The Dagster definitions of pelican-dagster (``dagster dev -w workspace.yaml``).

Resources come from the environment: ``PELICAN_KINGFISHER_PROCESS_URL`` and ``PELICAN_RESULTS_URL``
(read at run time through ``dg.EnvVar``); when unset, the embedded PostgreSQL server under
``PELICAN_HOME`` is used by the ``pelican-dagster`` CLI (or with ``PELICAN_EMBEDDED=1``), and anywhere else
a step fails naming the missing variable. The ``pelican`` job's executor is ``PELICAN_EXECUTOR``
(``pelican_dagster.execution.executors``).
"""

from __future__ import annotations

import os

import dagster as dg

from pelican_dagster import settings
from pelican_dagster.assets import PIPELINE_ASSETS
from pelican_dagster.assets.codelists import codelists
from pelican_dagster.automation.codelists import codelists_daily
from pelican_dagster.automation.failed_runs import failed_runs
from pelican_dagster.automation.frontend import frontend_messages, pelican_frontend_messages
from pelican_dagster.automation.kingfisher import (
    ancestors_checked,
    kingfisher_process_collections,
    pending_datasets,
)
from pelican_dagster.jobs.codelists import codelists_job
from pelican_dagster.jobs.datasets import DATASET_JOBS
from pelican_dagster.jobs.pipeline import make_pelican_job, pelican_job, time_based_job
from pelican_dagster.resources import (
    KingfisherProcessResource,
    ResultsDatabaseIOManager,
    ResultsDatabaseResource,
)
from pelican_dagster.resources.rabbitmq import DEFAULT_EXCHANGE, RabbitMQResource

KINGFISHER_PROCESS_URL = settings.KINGFISHER_PROCESS_URL
RESULTS_URL = settings.RESULTS_URL


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
        # Pelican backend's own variables, so that a deployment's environment carries over.
        "rabbitmq": RabbitMQResource(
            url=_url(settings.RABBIT_URL),
            exchange_name=os.environ.get(settings.RABBIT_EXCHANGE_NAME) or DEFAULT_EXCHANGE,
        ),
    }


defs = dg.Definitions(
    assets=[*PIPELINE_ASSETS, codelists, frontend_messages],
    jobs=[pelican_job, time_based_job, *DATASET_JOBS, codelists_job],
    schedules=[codelists_daily],
    sensors=[
        kingfisher_process_collections,
        pending_datasets,
        ancestors_checked,
        failed_runs,
        pelican_frontend_messages,
    ],
    resources=resources(),
)


def pelican_job_definition(executor: str | None = None) -> dg.JobDefinition:
    """The resolved ``pelican`` job, on ``executor`` when given (the CLI reconstructs it by name and
    arguments with ``dg.build_reconstructable_job``, so step processes and workers build the same)."""
    if executor is None:
        return defs.resolve_job_def("pelican")
    return dg.Definitions(
        assets=PIPELINE_ASSETS, jobs=[make_pelican_job(executor)], resources=resources()
    ).resolve_job_def("pelican")
