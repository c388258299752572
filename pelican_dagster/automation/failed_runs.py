"""Sensor ``failed_runs``: a run that died without its stage saying so (a step process killed by the
OOM killer or by hand, a worker's pool process lost) leaves its dataset marked FAILED, with the reason.

A stage that raises marks its dataset itself (``assets.guard.stage``); a process that is killed cannot.
Without this sensor such a dataset would show IN_PROGRESS for ever, with no run active. The sensor only
marks what the failed run still owned (it holds the dataset's lease) and never touches a dataset that
is CHECKED, DELETED or already FAILED, so no user action and no later run is undone. The
``pending_datasets`` sensor then retries it like any failed dataset (at most twice).
"""

from __future__ import annotations

import dagster as dg

from pelican_dagster.jobs.pipeline import pelican_job, time_based_job
from pelican_dagster.resources import ResultsDatabaseResource
from pelican_dagster.storage.results import dataset_by_name, get_progress
from pelican_dagster.storage.run_state import mark_failed, run_state

#: Phases after which nothing is left to mark.
_FINAL = {"CHECKED", "DELETED"}


def _reason(context: dg.RunFailureSensorContext) -> str:
    """The first step failure of the run, else the run's own failure message."""
    for event in context.get_step_failure_events():
        error = event.step_failure_data.error
        message = error.message.strip() if error else "no error recorded (the step's process died)"
        return f"run {context.dagster_run.run_id} failed at step {event.step_key}: {message}"
    message = context.failure_event.message or "the run failed"
    return f"run {context.dagster_run.run_id} failed: {message}"


def mark_failed_run(context: dg.RunFailureSensorContext, results: ResultsDatabaseResource) -> str | None:
    """Mark the failed run's dataset FAILED when the run still owns it; what was done, or None."""
    run = context.dagster_run
    name = run.tags.get("dagster/partition")
    if not name:
        return None
    engine = results.get_engine()
    with engine.begin() as conn:
        dataset = dataset_by_name(conn, name)
        if dataset is None:
            return None
        if run_state(conn, dataset.id).lease_run_id != run.run_id:
            return None  # another run (or nobody) owns the dataset: its status is not this run's
        progress = get_progress(conn, dataset.id)
        if progress is None or progress["phase"] in _FINAL or progress["state"] == "FAILED":
            return None
        reason = _reason(context)
        mark_failed(conn, dataset.id, progress["phase"], reason)
    return f"dataset {name!r} marked {progress['phase']}/FAILED: {reason}"


@dg.run_failure_sensor(
    name="failed_runs",
    monitored_jobs=[pelican_job, time_based_job],
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Marks the dataset of a run that died without its stage failing (a killed process) FAILED.",
)
def failed_runs(context: dg.RunFailureSensorContext, results: ResultsDatabaseResource) -> None:
    """Mark the failed run's dataset FAILED (see the module's docstring)."""
    done = mark_failed_run(context, results)
    if done:
        context.log.warning(done)
