"""The partitioned assets materialize through Dagster on real databases: extraction then item checks."""

import dagster as dg
import pytest
import sqlalchemy as sa

from pelican_dagster.assets import dataset_items, item_checks
from pelican_dagster.assets.item_checks import chunk_size_for, run_chunk
from pelican_dagster.partitions import datasets
from pelican_dagster.pipeline.loader import load_file
from pelican_dagster.storage import schema as s
from pelican_dagster.storage.item_checks import coverage
from pelican_dagster.storage.results import chunk_bounds, register_dataset
from tests.conftest import DATA


@pytest.fixture
def instance():
    with dg.instance_for_test() as instance:
        yield instance


def _setup(kfp_engine, results_engine, instance, name="moldova", **options):
    loaded = load_file(kfp_engine, DATA / f"{name}.jsonl.gz")
    with results_engine.begin() as conn:
        dataset_id = register_dataset(conn, name, collection_id=loaded.collection_id, options=options)
    instance.add_dynamic_partitions(datasets.name, [name])
    return dataset_id


def _materialize(instance, resources, key, chunk_size=0):
    return dg.materialize(
        [dataset_items, item_checks],
        partition_key=key,
        instance=instance,
        resources=resources,
        run_config={
            "ops": {"item_checks": {"ops": {"plan_item_chunks": {"config": {"chunk_size": chunk_size}}}}}
        },
    )


def _count(engine, table, dataset_id):
    with engine.connect() as conn:
        return conn.execute(
            sa.select(sa.func.count()).select_from(table).where(table.c.dataset_id == dataset_id)
        ).scalar()


def test_materialize_extracts_and_checks_every_item_in_chunks(
    instance, resources, kfp_engine, results_engine
):
    dataset_id = _setup(kfp_engine, results_engine, instance)
    result = _materialize(instance, resources, "moldova", chunk_size=10)
    assert result.success
    assert _count(results_engine, s.data_item, dataset_id) == 51
    assert _count(results_engine, s.item_check, dataset_id) == 51
    assert _count(results_engine, s.item_check_chunk, dataset_id) == 6
    extraction = result.asset_materializations_for_node("dataset_items")[0].metadata
    assert extraction["items"].value == 51 and extraction["skipped"].value == 0
    summary = result.output_for_node("item_checks")
    assert summary["items"] == summary["checked"] == 51 and summary["uncovered"] == 0
    assert summary["chunks"] == 6
    # Pass rates summed over the chunks equal those of the merged report.
    checks = result.asset_materializations_for_node("item_checks")[0].metadata
    assert 0 < checks["coverage_pass_rate_percent"].value < 100
    assert 0 < checks["compiled_release_pass_rate_percent"].value < 100


def test_rematerializing_replaces_rows(instance, resources, kfp_engine, results_engine):
    dataset_id = _setup(kfp_engine, results_engine, instance)
    assert _materialize(instance, resources, "moldova", chunk_size=10).success
    assert _materialize(instance, resources, "moldova", chunk_size=20).success
    assert _count(results_engine, s.data_item, dataset_id) == 51
    assert _count(results_engine, s.item_check, dataset_id) == 51
    assert _count(results_engine, s.item_check_chunk, dataset_id) == 3


def test_a_retried_chunk_replaces_its_rows(kfp_engine, results_engine, instance, resources):
    dataset_id = _setup(kfp_engine, results_engine, instance)
    assert _materialize(instance, resources, "moldova", chunk_size=25).success
    with results_engine.connect() as conn:
        first, last, count = chunk_bounds(conn, dataset_id, 25)[0]
    chunk = {"dataset_id": dataset_id, "first": first, "last": last, "count": count, "total": 51}
    for _ in range(2):
        run_chunk(results_engine, chunk)
    assert _count(results_engine, s.item_check, dataset_id) == 51
    assert coverage(results_engine, dataset_id)["chunks"] == 3


def test_items_without_ocid_are_skipped_and_counted(
    kfp_engine, results_engine, instance, resources, tmp_path
):
    path = tmp_path / "noocid.jsonl"
    path.write_text('{"ocid": "a"}\n{"id": "no ocid"}\n{"ocid": null}\n')
    loaded = load_file(kfp_engine, path)
    with results_engine.begin() as conn:
        dataset_id = register_dataset(conn, "noocid", collection_id=loaded.collection_id)
    instance.add_dynamic_partitions(datasets.name, ["noocid"])
    result = _materialize(instance, resources, "noocid")
    assert result.success
    summary = result.output_for_node("item_checks")
    assert (summary["checked"], summary["skipped"]) == (2, 1)
    # The item without an ocid has no results, only facts (the time-based totals count it).
    assert _count(results_engine, s.item_check, dataset_id) == 3
    with results_engine.connect() as conn:
        rows = conn.execute(
            sa.select(s.item_check.c.field, s.item_check.c.facts)
            .where(s.item_check.c.dataset_id == dataset_id)
            .order_by(s.item_check.c.item_id)
        ).all()
    assert [(field is None, facts is None) for field, facts in rows] == [
        (False, False),
        (True, False),
        (False, False),
    ]


def test_missing_collection_fails_the_run_clearly(instance, resources, kfp_engine, results_engine):
    with results_engine.begin() as conn:
        register_dataset(conn, "ghost", collection_id=12345)
    instance.add_dynamic_partitions(datasets.name, ["ghost"])
    result = dg.materialize(
        [dataset_items], partition_key="ghost", instance=instance, resources=resources, raise_on_error=False
    )
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert "does not exist" in str(failure.step_failure_data.error.message) + str(
        failure.step_failure_data.user_failure_data
    )


@pytest.mark.parametrize(
    ("items", "configured", "expected"),
    [(0, 0, 500), (100, 0, 500), (10_000, 7, 7)],
)
def test_chunk_size(items, configured, expected, monkeypatch):
    monkeypatch.delenv("PELICAN_CHUNK_SIZE", raising=False)
    assert chunk_size_for(items, configured) == expected


@pytest.mark.parametrize(
    ("slots", "expected"),
    # One chunk per slot of the cluster (the sum of the Celery workers' -c), whatever this machine's
    # cores; at least 500 items a chunk.
    [(None, 5000), ("3", 3334), ("8", 1250), ("40", 500)],
)
def test_chunk_size_scales_with_the_cluster_slots(monkeypatch, slots, expected):
    monkeypatch.delenv("PELICAN_CHUNK_SIZE", raising=False)
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    if slots is None:
        monkeypatch.delenv("PELICAN_WORKER_SLOTS", raising=False)
    else:
        monkeypatch.setenv("PELICAN_WORKER_SLOTS", slots)
    assert chunk_size_for(10_000) == expected


def test_chunk_size_scales_with_cores(monkeypatch):
    monkeypatch.delenv("PELICAN_CHUNK_SIZE", raising=False)
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert chunk_size_for(10_000) == 5000
    monkeypatch.setenv("PELICAN_CHUNK_SIZE", "123")
    assert chunk_size_for(10_000) == 123
