"""A wipe stays wiped: real sensor ticks (a real instance, ``dg.build_sensor_context``) after
``pelican-dagster wipe`` (and ``--cascade``) register nothing again; ``recheck`` checks the collection
again on purpose; a dataset whose ancestor was wiped says so; a run that cannot be right fails before it
writes a row."""

import datetime as dt
import os
import subprocess

import dagster as dg
import pytest
import sqlalchemy as sa

from pelican_dagster.assets import PIPELINE_ASSETS
from pelican_dagster.automation import kingfisher as kingfisher_sensors
from pelican_dagster.automation.kingfisher import kingfisher_process_collections, pending_datasets
from pelican_dagster.cli import main
from pelican_dagster.partitions import datasets
from pelican_dagster.pipeline.loader import load_file
from pelican_dagster.storage import schema as s
from pelican_dagster.storage.lifecycle import dataset_row_counts
from pelican_dagster.storage.results import dataset_by_name, get_progress
from tests.conftest import DATA, REPO, dagster_execute, make_resources, register_seed


def _tick(instance, resources, sensor, cursor=None):
    """One real sensor evaluation, its partition requests applied as the daemon would."""
    with dg.build_sensor_context(instance=instance, cursor=cursor, resources=resources) as context:
        result = sensor(context)
    if isinstance(result, dg.SensorResult):
        for request in result.dynamic_partitions_requests or []:
            instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))
    return result


def _requests(result) -> list[str]:
    return [r.partition_key for r in (getattr(result, "run_requests", None) or [])]


def _run(instance, resources, key):
    result = dg.materialize(
        PIPELINE_ASSETS, partition_key=key, instance=instance, resources=resources, raise_on_error=False
    )
    return result


@pytest.fixture
def instance(db_env):
    """The instance of ``DAGSTER_HOME`` (the one the CLI uses), a real persistent instance."""
    with dg.DagsterInstance.get() as instance:
        yield instance


def _register_and_check(kfp_url, results_url, dagster_home):
    """Two collections of one source registered by the sensor and checked, in the persistent instance of
    ``dagster_home``; returns their names, older first."""
    from pelican_dagster.storage import engines

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(kingfisher_sensors, "RECOVERY_AFTER", dt.timedelta(0))
        mp.setattr(kingfisher_sensors, "PENDING_GRACE", dt.timedelta(0))
        mp.setenv("DAGSTER_HOME", str(dagster_home))
        mp.setenv("PELICAN_URL_CHECK_OFFLINE", "1")
        mp.setenv("PELICAN_KINGFISHER_PROCESS_URL", kfp_url)
        mp.setenv("PELICAN_RESULTS_URL", results_url)
        resources = make_resources(kfp_url, results_url)
        kfp_engine = engines.kingfisher_engine(kfp_url, ensure_tables=True)
        with dg.DagsterInstance.get() as instance:
            load_file(kfp_engine, DATA / "paraguay.snapshot-a.jsonl.gz", source_id="paraguay")
            load_file(kfp_engine, DATA / "paraguay.jsonl.gz", source_id="paraguay")
            names = _requests(_tick(instance, resources, kingfisher_process_collections))
            assert len(names) == 2
            for name in names:
                assert _run(instance, resources, name).success
    return names


# Registered and checked once per worker; each test gets copies of the databases and the Dagster home.
register_seed(__name__, "registered", _register_and_check)


@pytest.fixture
def registered(instance, seed_value, monkeypatch):
    """Two collections of one source registered by the sensor and checked; returns their names, older
    first. Lost-partition recovery is made immediate, so that the ticks below exercise it."""
    monkeypatch.setattr(kingfisher_sensors, "RECOVERY_AFTER", dt.timedelta(0))
    monkeypatch.setattr(kingfisher_sensors, "PENDING_GRACE", dt.timedelta(0))
    return seed_value("registered")


def _phase(engine, name):
    with engine.connect() as conn:
        dataset = dataset_by_name(conn, name)
        return (get_progress(conn, dataset.id) or {}).get("phase")


@pytest.mark.parametrize("cascade", [False, True])
def test_wipe_then_two_sensor_ticks_register_nothing(
    instance, resources, results_engine, registered, capsys, cascade
):
    older, newer = registered
    if cascade:
        assert main(["filter", older, "--filter", '{"max_items": 3}', "--name", "f", "--in-process"]) == 0
    assert main(["wipe", older, *(["--cascade"] if cascade else [])]) == 0
    capsys.readouterr()

    cursor = None
    for _ in range(2):  # the first tick after the wipe, and the next one
        collections = _tick(instance, resources, kingfisher_process_collections, cursor)
        cursor = collections.cursor
        assert _requests(collections) == []
        assert _requests(_tick(instance, resources, pending_datasets)) == []
    # Even a reset sensor (no cursor) does not bring it back.
    assert _requests(_tick(instance, resources, kingfisher_process_collections)) == []
    assert older not in instance.get_dynamic_partitions(datasets.name)
    assert _phase(results_engine, older) == "DELETED"
    with results_engine.connect() as conn:
        ids = {n: dataset_by_name(conn, n).id for n in (older, newer)}
        left = {t: n for t, n in dataset_row_counts(conn, ids[older]).items() if n}
        assert left == {"dataset": 1, "progress_monitor_dataset": 1}
        assert dataset_by_name(conn, "f") is None
        # Nothing points at a missing row: the newer dataset's ancestor is the tombstone.
        ancestor = conn.execute(sa.select(s.dataset.c.ancestor_id).where(s.dataset.c.id == ids[newer]))
        assert ancestor.scalar_one() == ids[older]

    # Its time-based checks, run again, say why they are not applicable.
    result = dg.materialize(
        PIPELINE_ASSETS,
        selection=["time_based_checks", "report"],
        partition_key=newer,
        instance=instance,
        resources=resources,
    )
    # Not applicable: no evaluation (Skipped in the UI); the reason is in the materialization.
    assert not [e for e in result.get_asset_check_evaluations() if e.asset_key.path == ["time_based_checks"]]
    (materialization,) = result.asset_materializations_for_node("time_based_checks")
    reasons = materialization.metadata["not_applicable"].value
    assert len(reasons) == 3 and set(reasons.values()) == {f"the ancestor {older!r} was wiped"}
    assert main(["report", newer, "--markdown", "/dev/null"]) == 0

    # Exporting or reporting the wiped dataset: one line, status 2.
    assert main(["export", older, "--out", "/tmp/never"]) == 2
    assert "was wiped: `pelican-dagster recheck" in capsys.readouterr().err

    # On purpose, the collection is checked again (same row, so its descendant's ancestor is back).
    assert main(["recheck", older, "--in-process"]) == 0
    assert _phase(results_engine, older) == "CHECKED"
    assert older in instance.get_dynamic_partitions(datasets.name)
    with results_engine.connect() as conn:
        assert dataset_by_name(conn, older).id == ids[older]
        assert dataset_row_counts(conn, ids[older])["item_check"] == 9  # the snapshot's items


def test_a_new_collection_does_not_take_a_wiped_dataset_as_ancestor(
    instance, resources, kfp_engine, results_engine, registered
):
    older, newer = registered
    assert main(["wipe", newer]) == 0
    load_file(kfp_engine, DATA / "paraguay.jsonl.gz", source_id="paraguay")
    [latest] = _requests(_tick(instance, resources, kingfisher_process_collections))
    with results_engine.connect() as conn:
        assert dataset_by_name(conn, latest).ancestor_id == dataset_by_name(conn, older).id


@pytest.mark.slow
def test_the_ci_command_without_dagster_home_touches_nothing(db_env, results_engine, registered):
    older, _ = registered
    with results_engine.connect() as conn:
        dataset = dataset_by_name(conn, older)
        before = dataset_row_counts(conn, dataset.id), get_progress(conn, dataset.id)
    env = {k: v for k, v in {**os.environ, **db_env}.items() if k != "DAGSTER_HOME"}
    completed = subprocess.run(
        dagster_execute(older), cwd=REPO, env=env, capture_output=True, text=True, timeout=600
    )
    assert completed.returncode != 0
    assert (
        "this Dagster instance is temporary (DAGSTER_HOME is not set)" in completed.stdout + completed.stderr
    )
    with results_engine.connect() as conn:
        assert (dataset_row_counts(conn, dataset.id), get_progress(conn, dataset.id)) == before


def test_a_run_with_bad_options_touches_nothing(instance, resources, results_engine, registered):
    older, _ = registered
    with results_engine.begin() as conn:
        conn.execute(
            sa.update(s.dataset).where(s.dataset.c.name == older).values(options={"max_items": "ten"})
        )
        dataset = dataset_by_name(conn, older)
    with results_engine.connect() as conn:
        before = dataset_row_counts(conn, dataset.id), get_progress(conn, dataset.id)
    result = _run(instance, resources, older)
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert "option max_items" in failure.step_failure_data.user_failure_data.description
    with results_engine.connect() as conn:
        assert (dataset_row_counts(conn, dataset.id), get_progress(conn, dataset.id)) == before


def test_sensors_refuse_a_temporary_instance(resources, kfp_engine, results_engine):
    load_file(kfp_engine, DATA / "uganda.jsonl.gz")
    with dg.DagsterInstance.ephemeral() as temporary:
        for sensor in (kingfisher_process_collections, pending_datasets):
            result = _tick(temporary, resources, sensor)
            reason = result.skip_reason if isinstance(result, dg.SensorResult) else result
            assert "DAGSTER_HOME is not set" in str(reason)
    with results_engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(s.dataset)).scalar_one() == 0
