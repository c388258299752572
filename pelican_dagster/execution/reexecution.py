"""Re-execution of a failed ``pelican`` run from its failed steps, keeping its partition.

Dagster's ``execute_job(reexecution_options=…)`` does not copy the parent run's tags, so the new run would
lose ``dagster/partition`` (and its steps would not know their dataset). Here the partition and the
user's tags are copied, and the concurrency slots the failed run still holds (a step whose process was
killed never frees its slot) are freed first: the run is over, so they can only be leaked.
"""

from __future__ import annotations

import dagster as dg

from pelican_dagster.execution.executors import reconstructable_job

#: Tags of the parent run that a re-execution keeps (besides tags outside the ``dagster/`` namespace).
KEPT_TAGS = ("dagster/partition",)


def reexecution_tags(parent: dg.DagsterRun) -> dict[str, str]:
    """The parent run's partition and user tags."""
    return {k: v for k, v in parent.tags.items() if k in KEPT_TAGS or not k.startswith("dagster/")}


def free_slots(instance: dg.DagsterInstance, run_id: str) -> None:
    """Free every concurrency slot ``run_id`` still holds (call only once the run has ended)."""
    instance.event_log_storage.free_concurrency_slots_for_run(run_id)


def reexecute_from_failure(
    instance: dg.DagsterInstance, run_id: str, executor: str | None = None, run_config: dict | None = None
) -> dg.ExecuteJobResult:
    """Re-execute the failed run ``run_id`` from failure on ``executor`` (default ``PELICAN_EXECUTOR``),
    in this process, with the parent's partition; returns the new run's result."""
    parent = instance.get_run_by_id(run_id)
    if parent is None:
        raise LookupError(f"no run {run_id} in the instance")
    if parent.status != dg.DagsterRunStatus.FAILURE:
        raise ValueError(
            f"run {run_id} is {parent.status.value}: only a failed run is re-executed from failure"
        )
    free_slots(instance, run_id)
    result = dg.execute_job(
        reconstructable_job(executor),
        instance=instance,
        tags=reexecution_tags(parent),
        run_config=run_config,
        reexecution_options=dg.ReexecutionOptions.from_failure(run_id, instance),
        raise_on_error=False,
    )
    free_slots(instance, result.run_id)
    return result
