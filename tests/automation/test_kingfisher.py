"""The Kingfisher Process collection sensor: one partition and one run per complete compiled collection."""

import datetime as dt
import threading

import dagster as dg
import pytest
import sqlalchemy as sa

from pelican_dagster.automation import kingfisher as kingfisher_sensors
from pelican_dagster.automation.kingfisher import dataset_name, kingfisher_process_collections
from pelican_dagster.partitions import datasets
from pelican_dagster.pipeline.loader import load_file
from pelican_dagster.storage import kingfisher
from pelican_dagster.storage import schema as s
from tests.conftest import DATA


@pytest.fixture
def instance():
    with dg.instance_for_test() as instance:
        yield instance


def evaluate(instance, resources, cursor=None):
    """One sensor tick, applying its partition requests to the instance as the daemon would."""
    with dg.build_sensor_context(instance=instance, cursor=cursor, resources=resources) as context:
        result = kingfisher_process_collections(context)
    if isinstance(result, dg.SensorResult):
        for request in result.dynamic_partitions_requests or []:
            instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))
    return result


def _keys(result):
    return [r.partition_key for r in result.run_requests or []]


def _datasets(engine):
    with engine.connect() as conn:
        return conn.execute(
            sa.select(
                s.dataset.c.name, s.dataset.c.collection_id, s.dataset.c.ancestor_id, s.dataset.c.id
            ).order_by(s.dataset.c.id)
        ).all()


def test_new_collection_gives_one_partition_and_one_run_then_nothing(
    instance, resources, kfp_engine, results_engine
):
    loaded = load_file(kfp_engine, DATA / "paraguay.jsonl.gz", source_id="paraguay_dncp_records")
    first = evaluate(instance, resources)
    with kfp_engine.connect() as conn:
        expected = dataset_name(kingfisher.get_collection(conn, loaded.collection_id))
    assert expected.startswith("paraguay_dncp_records_") and expected.endswith(f"_{loaded.collection_id}")
    assert _keys(first) == [expected]
    assert first.run_requests[0].run_key == f"collection-{loaded.collection_id}"
    assert [list(r.partition_keys) for r in first.dynamic_partitions_requests] == [[expected]]
    assert instance.get_dynamic_partitions(datasets.name) == [expected]
    assert [(n, c) for n, c, _, _ in _datasets(results_engine)] == [(expected, loaded.collection_id)]

    second = evaluate(instance, resources, first.cursor)
    assert _keys(second) == []
    # Even without the cursor (a reset sensor), a registered collection is not registered again.
    third = evaluate(instance, resources, None)
    assert _keys(third) == [] and len(_datasets(results_engine)) == 1


def test_incomplete_deleted_and_non_compiled_collections_are_ignored(
    instance, resources, kfp_engine, results_engine
):
    incomplete = load_file(kfp_engine, DATA / "uganda.jsonl.gz").collection_id
    deleted = load_file(kfp_engine, DATA / "taiwan.jsonl.gz").collection_id
    with kfp_engine.begin() as conn:
        conn.execute(sa.text("UPDATE collection SET completed_at = NULL WHERE id = :c"), {"c": incomplete})
        conn.execute(sa.text("UPDATE collection SET deleted_at = now() WHERE id = :c"), {"c": deleted})
        # A complete compiled collection without compiled releases.
        conn.execute(
            sa.text(
                "INSERT INTO collection (source_id, data_version, transform_type, completed_at)"
                " VALUES ('empty', now(), 'compile-releases', now())"
            )
        )
    # Root collections (not compiled) of the loads above are complete but must be ignored too.
    result = evaluate(instance, resources)
    assert _keys(result) == []
    assert _datasets(results_engine) == []

    # Once Kingfisher Process completes the collection, the next tick registers it.
    with kfp_engine.begin() as conn:
        conn.execute(sa.text("UPDATE collection SET completed_at = now() WHERE id = :c"), {"c": incomplete})
    later = evaluate(instance, resources, result.cursor)
    assert [c for _, c, _, _ in _datasets(results_engine)] == [incomplete]
    assert len(_keys(later)) == 1


def test_ancestor_is_the_previous_dataset_of_the_same_source(instance, resources, kfp_engine, results_engine):
    a1 = load_file(kfp_engine, DATA / "paraguay.snapshot-a.jsonl.gz", source_id="paraguay").collection_id
    other = load_file(kfp_engine, DATA / "uganda.jsonl.gz", source_id="uganda").collection_id
    first = evaluate(instance, resources)
    assert len(_keys(first)) == 2
    a2 = load_file(kfp_engine, DATA / "paraguay.jsonl.gz", source_id="paraguay").collection_id
    a3 = load_file(kfp_engine, DATA / "paraguay.jsonl.gz", source_id="paraguay").collection_id
    second = evaluate(instance, resources, first.cursor)
    assert len(_keys(second)) == 2
    rows = {c: (ancestor, dataset_id) for _, c, ancestor, dataset_id in _datasets(results_engine)}
    assert rows[a1][0] is None and rows[other][0] is None
    assert rows[a2][0] == rows[a1][1]
    assert rows[a3][0] == rows[a2][1]


def test_concurrent_evaluations_register_each_collection_once(
    instance, resources, kfp_engine, results_engine
):
    for name in ("paraguay", "uganda", "taiwan"):
        load_file(kfp_engine, DATA / f"{name}.jsonl.gz")
    keys: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def tick():
        try:
            with dg.build_sensor_context(instance=instance, resources=resources) as context:
                result = kingfisher_process_collections(context)
            with lock:
                keys.extend(_keys(result))
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=tick) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(keys) == len(set(keys)) == 3
    assert len(_datasets(results_engine)) == 3


def test_a_registered_dataset_without_partition_is_requested_again(
    instance, resources, kfp_engine, monkeypatch
):

    monkeypatch.setattr(kingfisher_sensors, "RECOVERY_AFTER", dt.timedelta(0))
    load_file(kfp_engine, DATA / "uganda.jsonl.gz")
    with dg.build_sensor_context(instance=instance, resources=resources) as context:
        lost = kingfisher_process_collections(context)  # its partition request is never applied
    retry = evaluate(instance, resources, lost.cursor)
    assert _keys(retry) == _keys(lost)
    assert retry.run_requests[0].run_key == lost.run_requests[0].run_key
    assert _keys(evaluate(instance, resources, retry.cursor)) == []


def test_empty_kingfisher_process_database_is_skipped(instance, resources):
    result = evaluate(instance, resources)
    assert isinstance(result, dg.SkipReason)


def test_sensor_options_come_from_the_environment(
    instance, resources, kfp_engine, results_engine, monkeypatch
):
    monkeypatch.setenv("PELICAN_MAX_SIZE", "1000")
    monkeypatch.setenv("PELICAN_MAX_ITEMS", "5")
    load_file(kfp_engine, DATA / "uganda.jsonl.gz")
    evaluate(instance, resources)
    with results_engine.connect() as conn:
        options = conn.execute(sa.select(s.dataset.c.options)).scalar()
    assert options["max_size"] == 1000 and options["max_items"] == 5
