"""Sensor ``failed_runs``: a run that died without its stage failing leaves its dataset FAILED, and
only when the run still owned the dataset."""

from __future__ import annotations

import dagster as dg
import pytest
import sqlalchemy as sa

from pelican_dagster.automation.failed_runs import failed_runs
from pelican_dagster.definitions import defs
from pelican_dagster.storage.results import get_progress, register_dataset, set_phase
from pelican_dagster.storage.run_state import run_state, take_lease


@pytest.fixture
def instance():
    with dg.instance_for_test() as instance:
        yield instance


def _failed_run(instance: dg.DagsterInstance, name: str) -> dg.DagsterRun:
    """A run of the ``pelican`` job for partition ``name``, reported failed as run monitoring reports a
    run whose process died."""
    job = defs.resolve_job_def("pelican")
    run = instance.create_run_for_job(job_def=job, tags={"dagster/partition": name})
    instance.report_run_failed(run, "the run's process died")
    return instance.get_run_by_id(run.run_id)


def _evaluate(instance, resources, run) -> None:
    records = instance.get_records_for_run(run.run_id).records
    event = next(
        r.event_log_entry.dagster_event
        for r in records
        if r.event_log_entry.is_dagster_event
        and r.event_log_entry.dagster_event.event_type == dg.DagsterEventType.RUN_FAILURE
    )
    context = dg.build_run_status_sensor_context(
        sensor_name="failed_runs",
        dagster_instance=instance,
        dagster_run=run,
        dagster_event=event,
        resources={"results": resources["results"]},
    ).for_run_failure()
    failed_runs(context)


@pytest.mark.parametrize(
    ("phase", "state", "owner", "expected"),
    [
        ("CONTRACTING_PROCESS", "IN_PROGRESS", "failed run", ("CONTRACTING_PROCESS", "FAILED")),
        ("DATASET", "OK", "failed run", ("DATASET", "FAILED")),
        ("CONTRACTING_PROCESS", "IN_PROGRESS", "another run", ("CONTRACTING_PROCESS", "IN_PROGRESS")),
        ("CHECKED", "OK", "failed run", ("CHECKED", "OK")),
        ("DELETED", "OK", "failed run", ("DELETED", "OK")),
    ],
    ids=["in progress", "between stages", "owned by another run", "checked", "wiped"],
)
def test_a_dead_run_marks_only_what_it_owned(
    instance, resources, results_engine, phase, state, owner, expected
):
    name = f"died_{phase.lower()}"
    run = _failed_run(instance, name)
    holder = run.run_id if owner == "failed run" else "another-run"
    with results_engine.begin() as conn:
        dataset_id = register_dataset(conn, name, collection_id=None)
        set_phase(conn, dataset_id, phase, state, 100)
        take_lease(conn, dataset_id, holder, lambda _: False)

    _evaluate(instance, resources, run)

    with results_engine.connect() as conn:
        progress = get_progress(conn, dataset_id)
        failure = run_state(conn, dataset_id).failure
    assert (progress["phase"], progress["state"]) == expected
    if expected[1] == "FAILED":
        assert failure.startswith(f"{phase}: run {run.run_id} failed")
        assert "process died" in failure
    else:
        assert failure is None


def test_a_run_without_partition_or_dataset_changes_nothing(instance, resources, results_engine):
    run = _failed_run(instance, "no_such_dataset")
    _evaluate(instance, resources, run)
    with results_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM dataset")).scalar_one() == 0
