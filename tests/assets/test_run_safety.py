"""No run reports success on wrong results (issue 16), on real PostgreSQL databases and real Dagster
instances: one run per dataset at a time, stage guards, the ancestor rule, failure status, recovery of
missing chunks, chunk-size cap."""

from __future__ import annotations

import dagster as dg
import pytest
import sqlalchemy as sa
from dagster._core.test_utils import create_run_for_test

from pelican_dagster.assets import PIPELINE_ASSETS, dataset_items, item_checks, report
from pelican_dagster.assets.item_checks import MAX_CHUNK_SIZE, chunk_size_for, collect_item_checks
from pelican_dagster.automation.kingfisher import ancestors_checked, pending_datasets
from pelican_dagster.partitions import datasets
from pelican_dagster.pipeline.loader import load_file
from pelican_dagster.storage import schema as s
from pelican_dagster.storage.results import get_progress, register_dataset
from pelican_dagster.storage.run_state import release_lease, run_state, take_lease
from tests.conftest import DATA


@pytest.fixture
def instance():
    with dg.instance_for_test() as instance:
        yield instance


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    monkeypatch.setenv("PELICAN_URL_CHECK_OFFLINE", "1")


def _register(kfp_engine, results_engine, instance, file, key, ancestor_id=None, **options):
    loaded = load_file(kfp_engine, DATA / f"{file}.jsonl.gz")
    with results_engine.begin() as conn:
        dataset_id = register_dataset(
            conn, key, collection_id=loaded.collection_id, ancestor_id=ancestor_id, options=options
        )
    instance.add_dynamic_partitions(datasets.name, [key])
    return dataset_id


def _tick(sensor, instance, resources):
    with dg.build_sensor_context(instance=instance, resources=resources) as context:
        return sensor(context)


def _run(instance, resources, key, assets=PIPELINE_ASSETS):
    return dg.materialize(
        assets, partition_key=key, instance=instance, resources=resources, raise_on_error=False
    )


def _failure(result) -> str:
    return "\n".join(
        str(
            e.step_failure_data.user_failure_data.description if e.step_failure_data.user_failure_data else ""
        )
        + str(e.step_failure_data.error.message if e.step_failure_data.error else "")
        for e in result.all_events
        if e.event_type_value == "STEP_FAILURE"
    )


def _results(engine, dataset_id):
    """Everything a run stores that a clean run must reproduce."""
    with engine.connect() as conn:
        level = conn.execute(
            sa.text(
                "SELECT check_name, result, value, meta FROM dataset_level_check WHERE dataset_id = :id "
                "ORDER BY check_name"
            ),
            {"id": dataset_id},
        ).all()
        reports = conn.execute(
            sa.text("SELECT type, data FROM report WHERE dataset_id = :id ORDER BY type"), {"id": dataset_id}
        ).all()
        items = conn.execute(
            sa.text("SELECT count(*) FROM item_check WHERE dataset_id = :id"), {"id": dataset_id}
        ).scalar()
        progress = get_progress(conn, dataset_id)
    return {"level": level, "reports": reports, "item_checks": items, "progress": progress}


def test_a_second_run_is_refused_while_another_active_run_holds_the_dataset(
    instance, resources, kfp_engine, results_engine
):
    dataset_id = _register(kfp_engine, results_engine, instance, "moldova", "moldova")
    other = create_run_for_test(instance, job_name="pelican", status=dg.DagsterRunStatus.STARTED)
    with results_engine.begin() as conn:
        take_lease(conn, dataset_id, other.run_id, lambda run_id: True)
        # Registration's "in progress, never run" row (what the frontend shows).
        before = get_progress(conn, dataset_id)

    result = _run(instance, resources, "moldova")
    assert not result.success
    assert f"being checked by run {other.run_id}" in _failure(result)
    with results_engine.connect() as conn:
        # Nothing was written and the other run's status was not touched.
        assert get_progress(conn, dataset_id) == before
        assert run_state(conn, dataset_id).lease_run_id == other.run_id

    # Once the holder is no longer active (terminated, or marked failed by run monitoring), a run takes over.
    instance.report_run_canceled(instance.get_run_by_id(other.run_id))
    assert _run(instance, resources, "moldova").success
    with results_engine.connect() as conn:
        assert get_progress(conn, dataset_id)["phase"] == "CHECKED"
        assert run_state(conn, dataset_id).lease_run_id is None


def test_report_alone_on_unchecked_items_is_refused_and_marks_the_dataset_failed(
    instance, resources, kfp_engine, results_engine
):
    dataset_id = _register(kfp_engine, results_engine, instance, "moldova", "moldova")
    assert _run(instance, resources, "moldova", [dataset_items]).success
    result = _run(instance, resources, "moldova", [report])
    assert not result.success
    assert "51 items have not been checked yet" in _failure(result)
    with results_engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(s.report)).scalar() == 0
        assert get_progress(conn, dataset_id)["state"] == "FAILED"
        assert get_progress(conn, dataset_id)["phase"] == "CHECKED"
        assert "have not been checked" in run_state(conn, dataset_id).failure


def test_a_newer_dataset_run_before_its_ancestor_waits_for_it_and_is_run_again(
    instance, resources, kfp_engine, results_engine
):
    old = _register(kfp_engine, results_engine, instance, "paraguay.snapshot-a", "old")
    new = _register(kfp_engine, results_engine, instance, "paraguay", "new", ancestor_id=old)
    # The ancestor extracted but not checked yet: its facts are incomplete.
    assert _run(instance, resources, "old", [dataset_items]).success
    result = _run(instance, resources, "new")
    assert result.success
    # Not applicable: no check evaluation (the UI shows Skipped), the reason in the materialization.
    assert not [
        e for e in result.get_asset_check_evaluations() if e.asset_key == dg.AssetKey("time_based_checks")
    ]
    reasons = _not_applicable(result, "time_based_checks")
    assert len(reasons) == 3 and all("ancestor not yet checked" in r for r in reasons.values())
    with results_engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(s.time_variance_level_check)).scalar() == 0
        assert run_state(conn, new).waiting_for_ancestor

    sensor = _tick(ancestors_checked, instance, {"results": resources["results"]})
    assert not sensor.run_requests  # the ancestor is still not checked

    assert _run(instance, resources, "old").success
    sensor = _tick(ancestors_checked, instance, {"results": resources["results"]})
    assert [r.partition_key for r in sensor.run_requests] == ["new"]
    job = dg.Definitions(
        assets=PIPELINE_ASSETS, jobs=[ancestors_checked.job], resources=resources
    ).resolve_job_def("pelican_time_based")
    assert job.execute_in_process(instance=instance, partition_key="new").success
    with results_engine.connect() as conn:
        rows = dict(
            conn.execute(
                sa.select(s.time_variance_level_check.c.check_name, s.time_variance_level_check.c.check_value)
            ).all()
        )
        assert set(rows) == {"ocid", "tender_title", "phase_stable"}
        assert not run_state(conn, new).waiting_for_ancestor
        assert get_progress(conn, new)["phase"] == "CHECKED"


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ({"max_items": 0}, "no compiled release"),
        ({"max_size": 1}, "no compiled release below the size limit"),
    ],
)
def test_a_failed_extraction_marks_the_dataset_failed_and_is_picked_up_again(
    instance, resources, kfp_engine, results_engine, options, reason
):
    dataset_id = _register(kfp_engine, results_engine, instance, "moldova", "moldova", **options)
    result = _run(instance, resources, "moldova")
    assert not result.success
    with results_engine.connect() as conn:
        progress = get_progress(conn, dataset_id)
        assert (progress["phase"], progress["state"]) == ("CONTRACTING_PROCESS", "FAILED")
        assert reason in run_state(conn, dataset_id).failure
    tick = _tick(pending_datasets, instance, {"results": resources["results"]})
    assert [(r.partition_key, r.tags.get("pelican/retry")) for r in tick.run_requests] == [
        ("moldova", "failed")
    ]


def test_collect_checks_the_items_no_chunk_covered(instance, resources, kfp_engine, results_engine):
    """Re-execution from failure after a killed run: the mapped chunks that never started are not run
    again by Dagster; the collect step re-plans them from what is missing."""
    dataset_id = _register(kfp_engine, results_engine, instance, "moldova", "moldova")
    assert _run(instance, resources, "moldova").success
    before = _results(results_engine, dataset_id)
    with results_engine.begin() as conn:
        # Two of the chunks "never ran".
        conn.execute(
            sa.text("DELETE FROM item_check WHERE dataset_id = :id AND item_id % 3 = 0"), {"id": dataset_id}
        )
        conn.execute(sa.text("DELETE FROM item_check_chunk WHERE dataset_id = :id"), {"id": dataset_id})
    context = dg.build_op_context(
        resources={"results": resources["results"]}, partition_key="moldova", instance=instance
    )
    summary = collect_item_checks(context, chunks=[])
    assert summary["uncovered"] == 0 and summary["checked"] == 51
    with results_engine.begin() as conn:  # the op ran outside a run: give its lease back
        release_lease(conn, dataset_id, context.run_id)
    assert _run(instance, resources, "moldova", [report]).success
    assert _results(results_engine, dataset_id)["reports"] == before["reports"]


@pytest.mark.parametrize(
    ("items", "configured", "expected"),
    [
        (10_000, 0, 5_000),
        (6_000, 0, 3_000),
        (100_000, 0, MAX_CHUNK_SIZE),
        (1_000_000, 0, MAX_CHUNK_SIZE),
        (1_000_000, 50_000, MAX_CHUNK_SIZE),
        (100, 0, 500),
        (100, 10, 10),
    ],
)
def test_chunk_size_is_capped(monkeypatch, items, configured, expected):
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    monkeypatch.delenv("PELICAN_CHUNK_SIZE", raising=False)
    assert chunk_size_for(items, configured) == expected


def test_chunk_size_from_the_environment_is_capped_in_a_real_run(
    instance, resources, kfp_engine, results_engine, monkeypatch
):
    monkeypatch.setenv("PELICAN_CHUNK_SIZE", "10000000")
    dataset_id = _register(kfp_engine, results_engine, instance, "moldova", "moldova")
    result = _run(instance, resources, "moldova", [dataset_items, item_checks])
    assert result.success
    assert result.output_for_node("item_checks")["chunks"] == 1
    assert chunk_size_for(10**6) == MAX_CHUNK_SIZE
    with results_engine.connect() as conn:
        assert (
            conn.execute(
                sa.select(sa.func.count()).where(s.item_check_chunk.c.dataset_id == dataset_id)
            ).scalar()
            == 1
        )


def _not_applicable(result, asset: str) -> dict[str, str]:
    """The not-applicable reasons the asset's materialization records (check name → reason)."""
    (materialization,) = [
        m for m in result.asset_materializations_for_node(asset) if m.asset_key == dg.AssetKey(asset)
    ]
    return materialization.metadata["not_applicable"].value
