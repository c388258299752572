"""The ``filter_dataset`` and ``wipe_dataset`` jobs and the ``pending_datasets`` sensor, end to end
through Dagster on real PostgreSQL: a filtered dataset runs the whole pipeline, an empty one completes,
invalid input creates nothing, and a wipe removes one dataset and nothing of another."""

import datetime as dt
import json

import dagster as dg
import pytest
import sqlalchemy as sa

from pelican_dagster.assets import PIPELINE_ASSETS
from pelican_dagster.automation.kingfisher import pending_datasets
from pelican_dagster.cli import main
from pelican_dagster.jobs.datasets import filter_dataset, wipe_dataset_job
from pelican_dagster.partitions import datasets
from pelican_dagster.pipeline.loader import load_file
from pelican_dagster.storage import schema as s
from pelican_dagster.storage.lifecycle import dataset_row_counts, lineage
from pelican_dagster.storage.results import dataset_by_id, dataset_by_name, get_progress, register_dataset
from tests.conftest import DATA, make_resources, register_seed

PARAGUAY = DATA / "paraguay.jsonl.gz"


@pytest.fixture(autouse=True)
def close_pools():
    """Close this test's connection pools when it ends: each test has its own databases, and idle pools
    kept to the end of the session would exhaust the server's connections."""
    yield
    from pelican_dagster.storage import engines

    engines.dispose_all()


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    # The URL availability check must not reach the network.
    monkeypatch.setenv("PELICAN_URL_CHECK_OFFLINE", "1")


@pytest.fixture
def instance():
    with dg.instance_for_test() as instance:
        yield instance


def _register(kfp_engine, results_engine, instance, name, path=PARAGUAY, **kwargs):
    loaded = load_file(kfp_engine, path, source_id=name)
    with results_engine.begin() as conn:
        dataset_id = register_dataset(
            conn, name, collection_id=loaded.collection_id, source_id=name, **kwargs
        )
    instance.add_dynamic_partitions(datasets.name, [name])
    return dataset_id


def _run_pipeline(instance, resources, key):
    result = dg.materialize(PIPELINE_ASSETS, partition_key=key, instance=instance, resources=resources)
    assert result.success
    return result


def _check_paraguay(kfp_url, results_url, dagster_home):
    """Paraguay (12 items) registered and checked through the whole pipeline with a temporary instance;
    returns its dataset id."""
    from pelican_dagster.storage import engines

    with pytest.MonkeyPatch.context() as mp, dg.instance_for_test() as instance:
        mp.setenv("PELICAN_URL_CHECK_OFFLINE", "1")
        resources = make_resources(kfp_url, results_url)
        kfp_engine = engines.kingfisher_engine(kfp_url, ensure_tables=True)
        dataset_id = _register(kfp_engine, engines.results_engine(results_url), instance, "paraguay")
        _run_pipeline(instance, resources, "paraguay")
    return dataset_id


# Checked once per worker; each test gets copies of its databases (a clean, equal state).
register_seed(__name__, "checked", _check_paraguay)


@pytest.fixture
def checked(seed_value, instance):
    """Paraguay (12 items), checked through the whole pipeline (its partition added to the test's
    instance); returns its dataset id."""
    instance.add_dynamic_partitions(datasets.name, ["paraguay"])
    return seed_value("checked")


def _filter(instance, resources, message, original="paraguay", **config):
    return filter_dataset.execute_in_process(
        run_config={
            "ops": {"create_filtered": {"config": {"original": original, "filter": message, **config}}}
        },
        instance=instance,
        resources=resources,
        raise_on_error=False,
    )


def _wipe(instance, resources, name, cascade=False):
    return wipe_dataset_job.execute_in_process(
        run_config={"ops": {"wipe": {"config": {"dataset": name, "cascade": cascade}}}},
        instance=instance,
        resources=resources,
        raise_on_error=False,
    )


def _failure(result) -> str:
    assert not result.success
    event = next(e for e in result.all_events if e.is_step_failure)
    data = event.step_failure_data
    return (data.user_failure_data.description if data.user_failure_data else None) or data.error.message


def _count(engine, table, **where):
    with engine.connect() as conn:
        query = sa.select(sa.func.count()).select_from(table)
        for column, value in where.items():
            query = query.where(table.c[column] == value)
        return conn.execute(query).scalar_one()


def _progress(engine, dataset_id):
    with engine.connect() as conn:
        return get_progress(conn, dataset_id)


def test_filtered_dataset_runs_the_whole_pipeline(instance, resources, results_engine, checked):
    # Every item of 2017-08-08 has a time that day: Pelican's text comparison would keep none of them.
    result = _filter(instance, resources, {"release_date_to": "2017-08-08"}, name="paraguay-august")
    assert result.success
    created = result.output_for_node("create_filtered")
    assert created["dataset"] == "paraguay-august"
    assert "paraguay-august" in instance.get_dynamic_partitions(datasets.name)
    new_id = created["dataset_id"]
    run = _run_pipeline(instance, resources, "paraguay-august")

    extraction = run.asset_materializations_for_node("dataset_items")[0].metadata
    assert (extraction["items"].value, extraction["scanned"].value) == (8, 12)
    assert extraction["original_dataset_id"].value == checked
    assert _progress(results_engine, new_id) == {"phase": "CHECKED", "state": "OK", "size": 8}
    assert _count(results_engine, s.item_check, dataset_id=new_id) == 8
    assert _count(results_engine, s.dataset_level_check, dataset_id=new_id) == 24
    # No ancestor: no time-based rows, as in Pelican.
    assert _count(results_engine, s.time_variance_level_check, dataset_id=new_id) == 0
    assert _count(results_engine, s.report, dataset_id=new_id) == 2
    with results_engine.connect() as conn:
        original, filtered = dataset_by_id(conn, checked), dataset_by_id(conn, new_id)
        assert lineage(conn, new_id).message == {"release_date_to": "2017-08-08"}
        dates = conn.execute(
            sa.select(s.data_item.c.data["date"].astext).where(s.data_item.c.dataset_id == new_id)
        ).scalars()
        assert {d[:10] for d in dates} == {"2017-08-08"}
    # Kingfisher and collection metadata inherited; the lifecycle and processing times recomputed.
    for key in ("kingfisher_metadata", "collection_metadata"):
        assert filtered.meta[key] == original.meta[key]
    assert filtered.meta["compiled_releases"] == {"total_unique_ocids": 8}
    assert original.meta["compiled_releases"] == {"total_unique_ocids": 12}
    assert filtered.meta["tender_lifecycle"] != original.meta["tender_lifecycle"]
    assert sum(filtered.meta["tender_lifecycle"].values()) < sum(original.meta["tender_lifecycle"].values())
    assert set(filtered.meta["data_quality_tool_metadata"]) == {"processing_start", "processing_end"}

    # Re-running the filtered dataset's pipeline replaces its rows.
    with results_engine.connect() as conn:
        before = dataset_row_counts(conn, new_id)
    _run_pipeline(instance, resources, "paraguay-august")
    with results_engine.connect() as conn:
        assert dataset_row_counts(conn, new_id) == before


def test_max_items_and_name_default(instance, resources, results_engine, checked):
    result = _filter(instance, resources, {"buyer_pattern": "%"}, max_items=3)
    assert result.success
    name = result.output_for_node("create_filtered")["dataset"]
    assert name == f"paraguay_filtered_{result.output_for_node('create_filtered')['dataset_id']}"
    _run_pipeline(instance, resources, name)
    with results_engine.connect() as conn:
        dataset = dataset_by_name(conn, name)
        assert lineage(conn, dataset.id).message == {"buyer_pattern": "%", "max_items": 3}
        # The first three of the four items that have a buyer name, in the original's order.
        expected = (
            conn.execute(
                sa.select(s.data_item.c.ocid)
                .where(s.data_item.c.dataset_id == checked, s.data_item.c.data["buyer"]["name"].isnot(None))
                .order_by(s.data_item.c.id)
            )
            .scalars()
            .all()
        )
        got = (
            conn.execute(
                sa.select(s.data_item.c.ocid)
                .where(s.data_item.c.dataset_id == dataset.id)
                .order_by(s.data_item.c.id)
            )
            .scalars()
            .all()
        )
    assert len(expected) == 4 and got == expected[:3]


def test_a_filter_matching_nothing_completes_with_an_empty_checked_dataset(
    instance, resources, results_engine, checked
):
    result = _filter(instance, resources, {"buyer": ["nobody at all"]}, name="empty")
    assert result.success
    new_id = result.output_for_node("create_filtered")["dataset_id"]
    run = _run_pipeline(instance, resources, "empty")
    assert run.output_for_node("item_checks")["items"] == 0
    assert _progress(results_engine, new_id) == {"phase": "CHECKED", "state": "OK", "size": 0}
    for table in (
        s.data_item,
        s.item_check,
        s.item_check_chunk,
        s.dataset_level_check,
        s.time_variance_level_check,
    ):
        assert _count(results_engine, table, dataset_id=new_id) == 0
    with results_engine.connect() as conn:
        reports = dict(
            conn.execute(
                sa.select(s.report.c.type, s.report.c.data).where(s.report.c.dataset_id == new_id)
            ).all()
        )
        meta = dataset_by_id(conn, new_id).meta
    field, resource = reports["field_level_check"], reports["resource_level_check"]
    assert len(field) == 559 and len(resource) == 37
    assert all(entry["coverage"]["total_count"] == 0 for entry in field.values())
    assert all(entry["total_count"] == 0 for entry in resource.values())
    assert meta["compiled_releases"] == {"total_unique_ocids": 0}
    assert set(meta["tender_lifecycle"].values()) == {0}


@pytest.mark.parametrize(
    ("message", "config", "error"),
    [
        ({}, {}, "the filter message is empty"),
        ({"colour": "red"}, {}, "unknown filter key(s): colour"),
        ({"buyer": "Ministry"}, {}, "buyer must be a non-empty list of names"),
        ({"buyer_regex": "("}, {}, "buyer_regex is not a valid regular expression"),
        ({"release_date_from": "2020-13-01"}, {}, "release_date_from is not a valid ISO 8601 date"),
        (
            {"release_date_from": "2021-01-01", "release_date_to": "2020-01-01"},
            {},
            "is after release_date_to",
        ),
        ({"max_items": 2}, {"max_items": 3}, "max_items is given twice"),
        ({"max_items": 0}, {}, "max_items must be a positive integer"),
        # The original is checked only after the filter: bad input is reported first.
        ({"buyer": []}, {"original": "missing"}, "buyer must be a non-empty list"),
    ],
)
def test_invalid_filter_input_fails_clearly_and_creates_nothing(
    instance, resources, results_engine, checked, message, config, error
):
    partitions = instance.get_dynamic_partitions(datasets.name)
    result = _filter(instance, resources, message, **config)
    failure = _failure(result)
    assert failure.startswith("invalid filter: ") and error in failure
    assert _count(results_engine, s.dataset) == 1 and _count(results_engine, s.dataset_filter) == 0
    assert instance.get_dynamic_partitions(datasets.name) == partitions


def test_only_an_existing_checked_dataset_can_be_filtered(
    instance, resources, kfp_engine, results_engine, checked
):
    _register(kfp_engine, results_engine, instance, "unchecked", DATA / "moldova.jsonl.gz")
    assert "is not checked yet (never run)" in _failure(
        _filter(instance, resources, {"max_items": 1}, "unchecked")
    )
    assert "no dataset named 'nope'" in _failure(_filter(instance, resources, {"max_items": 1}, "nope"))
    assert "exists already" in _failure(_filter(instance, resources, {"max_items": 1}, name="unchecked"))
    assert "cannot name a dataset" in _failure(_filter(instance, resources, {"max_items": 1}, name="a...b"))
    assert _count(results_engine, s.dataset) == 2 and _count(results_engine, s.dataset_filter) == 0


def _evaluate(instance, resources, cursor=None):
    with dg.build_sensor_context(instance=instance, cursor=cursor, resources=resources) as context:
        return pending_datasets(context)


def test_pending_datasets_requests_one_run_per_never_run_partition(
    instance, resources, kfp_engine, results_engine, checked
):
    filtered = _filter(instance, resources, {"max_items": 2}, name="two").output_for_node("create_filtered")
    # A collection dataset registered a while ago whose run never came, one just registered (its own
    # starter has the first go), and a dataset row without a partition.
    old = _register(kfp_engine, results_engine, instance, "old", DATA / "moldova.jsonl.gz")
    _register(kfp_engine, results_engine, instance, "young", DATA / "taiwan.jsonl.gz")
    with results_engine.begin() as conn:
        conn.execute(
            sa.update(s.dataset)
            .where(s.dataset.c.id == old)
            .values(created=sa.func.now() - dt.timedelta(hours=1))
        )
        register_dataset(conn, "no-partition", collection_id=None)

    first = _evaluate(instance, resources)
    assert [(r.partition_key, r.run_key) for r in first.run_requests] == [
        ("two", f"dataset-{filtered['dataset_id']}"),
        ("old", f"dataset-{old}"),
    ]
    assert all(r.job_name in (None, "pelican") for r in first.run_requests)
    assert json.loads(first.cursor) == sorted([filtered["dataset_id"], old])
    second = _evaluate(instance, resources, first.cursor)
    assert not second.run_requests

    # Once a run has written progress, the dataset leaves the cursor; nothing is requested again.
    _run_pipeline(instance, resources, "two")
    third = _evaluate(instance, resources, second.cursor)
    assert not third.run_requests and json.loads(third.cursor) == [old]
    # Without the cursor, a partition already run by someone (a run in the instance) is not requested.
    with results_engine.begin() as conn:
        conn.execute(
            sa.delete(s.progress_monitor_dataset).where(
                s.progress_monitor_dataset.c.dataset_id == filtered["dataset_id"]
            )
        )
    assert [r.partition_key for r in _evaluate(instance, resources).run_requests] == ["old"]


def test_wipe_removes_one_dataset_and_nothing_of_another(
    instance, resources, kfp_engine, results_engine, checked
):
    # Two datasets side by side, both with rows in every table (time-based rows need an ancestor).
    kept_id = _register(
        kfp_engine,
        results_engine,
        instance,
        "snapshot",
        DATA / "paraguay.snapshot-a.jsonl.gz",
        ancestor_id=checked,
    )
    other = _register(
        kfp_engine, results_engine, instance, "moldova", DATA / "moldova.jsonl.gz", ancestor_id=checked
    )
    _run_pipeline(instance, resources, "snapshot")
    _run_pipeline(instance, resources, "moldova")
    with results_engine.connect() as conn:
        kept, doomed = dataset_row_counts(conn, kept_id), dataset_row_counts(conn, other)
        first = dataset_row_counts(conn, checked)
    assert all(n for table, n in kept.items() if table != "dataset_filter"), kept
    assert all(n for table, n in doomed.items() if table != "dataset_filter"), doomed

    result = _wipe(instance, resources, "moldova")
    assert result.success
    wiped = result.output_for_node("wipe")
    assert wiped["wiped"] == ["moldova"] and wiped["rows"]["moldova"]["data_item"] == doomed["data_item"]
    assert wiped["rows"]["moldova"]["time_variance_level_check"] == 3
    with results_engine.connect() as conn:
        # Only the tombstone is left: the dataset row and its DELETED progress row.
        left = {table: n for table, n in dataset_row_counts(conn, other).items() if n}
        assert left == {"dataset": 1, "progress_monitor_dataset": 1}
        assert get_progress(conn, other) == {"phase": "DELETED", "state": "OK", "size": 0}
        assert dataset_row_counts(conn, kept_id) == kept
        assert dataset_row_counts(conn, checked) == first
    assert instance.get_dynamic_partitions(datasets.name) == ["paraguay", "snapshot"]
    assert "dataset 'moldova' is already wiped" in _failure(_wipe(instance, resources, "moldova"))


def test_wipe_is_refused_while_filtered_datasets_exist_unless_cascading(
    instance, resources, kfp_engine, results_engine, checked
):
    child = _filter(instance, resources, {"max_items": 5}, name="child").output_for_node("create_filtered")
    _run_pipeline(instance, resources, "child")
    grandchild = _filter(instance, resources, {"max_items": 2}, "child", name="grandchild")
    assert grandchild.success
    # A later snapshot whose ancestor is paraguay: not touched by the wipe.
    later = _register(
        kfp_engine, results_engine, instance, "later", DATA / "moldova.jsonl.gz", ancestor_id=checked
    )
    with results_engine.connect() as conn:
        before = dataset_row_counts(conn, checked)

    message = _failure(_wipe(instance, resources, "paraguay"))
    assert "datasets were filtered from 'paraguay': 'grandchild', 'child'" in message
    assert "cascade" in message
    with results_engine.connect() as conn:
        assert dataset_row_counts(conn, checked) == before
        assert dataset_row_counts(conn, child["dataset_id"])["data_item"] == 5

    result = _wipe(instance, resources, "paraguay", cascade=True)
    assert result.success
    assert result.output_for_node("wipe")["wiped"] == ["grandchild", "child", "paraguay"]
    assert instance.get_dynamic_partitions(datasets.name) == ["later"]
    with results_engine.connect() as conn:
        # The filtered datasets are gone; paraguay is a tombstone its descendant still points at.
        names = conn.execute(sa.select(s.dataset.c.name).order_by(s.dataset.c.id)).scalars().all()
        assert names == ["paraguay", "later"] and dataset_by_id(conn, later).ancestor_id == checked
        assert get_progress(conn, checked)["phase"] == "DELETED"
    assert _count(results_engine, s.dataset_filter) == 0 and _count(results_engine, s.data_item) == 0


def test_cli_filter_then_wipe(db_env, results_engine, tmp_path, capsys):
    assert (
        main(["check", str(PARAGUAY), "--out", str(tmp_path / "original"), "--no-items", "--in-process"]) == 0
    )
    with results_engine.connect() as conn:
        original = conn.execute(sa.select(s.dataset.c.name)).scalar_one()
    out = tmp_path / "filtered"
    message = json.dumps({"buyer_regex": "copaco"})
    code = main(
        ["filter", original, "--filter", message, "--name", "copaco", "--out", str(out), "--in-process"]
    )
    assert code == 0
    meta = json.loads((out / "dataset_meta.json").read_text())
    assert (meta["phase"], meta["state"], meta["size"]) == ("CHECKED", "OK", 2)

    assert main(["filter", original, "--filter", '{"buyer": "x"}']) == 2
    assert "invalid filter: buyer must be a non-empty list" in capsys.readouterr().err
    assert main(["wipe", original]) == 2
    err = capsys.readouterr().err
    assert "'copaco'" in err and "--cascade" in err and "cascade: true" not in err
    assert len(err.strip().splitlines()) == 1
    assert main(["wipe", original, "--cascade"]) == 0
    assert "wiped copaco, " + original in capsys.readouterr().out


def test_definitions_hold_the_dataset_jobs_and_the_sensor():
    from pelican_dagster.definitions import defs

    assert defs.resolve_job_def("filter_dataset").name == "filter_dataset"
    assert defs.resolve_job_def("wipe_dataset").name == "wipe_dataset"
    assert defs.resolve_sensor_def("pending_datasets").job_name == "pelican"
