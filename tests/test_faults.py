"""Real faults, then the user's obvious recovery, give the results of a clean run (issues 9 and 16).

* ``kill -9`` of a whole ``pelican-dagster check`` (its process group: the run and its step processes)
  while item checks are being stored; the run is then marked failed, as Dagster's run monitoring does
  for a run whose process died, and ``pelican-dagster reexecute RUN_ID`` finishes it. The export then
  equals Pelican's reference results.
* a database connection terminated (``pg_terminate_backend``) during the extraction's COPY: the run fails,
  the dataset is marked failed, and re-running it gives the results of a clean run of the same data,
  with no orphan rows; during a chunk's COPY of its results: the chunk is retried and the run ends by
  itself with the same results.
* the same partition launched twice at once through the Dagster CLI: one run is refused before it
  writes anything, the other's results equal Pelican's reference.
"""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy as sa

from pelican_dagster.assets import PIPELINE_ASSETS
from pelican_dagster.partitions import datasets
from pelican_dagster.pipeline.loader import load_file
from pelican_dagster.storage import engines
from pelican_dagster.storage.db import make_engine
from pelican_dagster.storage.results import dataset_by_name, get_progress, register_dataset
from tests.conformance import compare
from tests.conftest import DATA, dagster_execute, make_resources

pytestmark = pytest.mark.slow


def _cli(env: dict[str, str], *args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "pelican_dagster.cli", *args],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        **kwargs,
    )


def _read(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def _reference_env(db_env: dict[str, str], monkeypatch, chunk_size: int) -> dict[str, str]:
    """The databases plus the configuration of the reference results, here and for subprocesses."""
    env = {
        **db_env,
        "PELICAN_NOW": "2026-11-29T11:00:00Z",
        "PELICAN_OCID_PREFIXES_FILE": str(compare.CODELISTS / "ocid_prefixes.csv"),
        "PELICAN_ORG_ID_FILE": str(compare.CODELISTS / "org-id.csv"),
        "PELICAN_MAX_SIZE": "0",
        "PELICAN_CHUNK_SIZE": str(chunk_size),
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


def test_kill_9_of_a_whole_run_then_reexecution_from_failure_equals_the_reference(
    db_env, monkeypatch, tmp_path
):
    folder = "moldova"
    # Many small chunks, so that the kill lands between them.
    env = _reference_env(db_env, monkeypatch, chunk_size=4)
    results = make_engine(db_env["PELICAN_RESULTS_URL"], poolclass=sa.pool.NullPool)

    check = _cli(
        env,
        "check",
        str(compare.input_file(folder)),
        "--out",
        str(tmp_path / "never"),
        "--multiprocess",
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 240
        stored = 0
        while time.monotonic() < deadline and check.poll() is None:
            try:
                with results.connect() as conn:
                    stored = conn.execute(sa.text("SELECT count(*) FROM item_check_chunk")).scalar()
            except sa.exc.SQLAlchemyError:
                stored = 0  # tables not migrated yet
            if stored >= 2:
                break
            time.sleep(0.05)
        assert check.poll() is None, "the run ended before it could be killed"
        assert stored >= 2
        os.killpg(check.pid, signal.SIGKILL)
    finally:
        check.wait(30)

    instance = dg.DagsterInstance.get()
    (run,) = [r for r in instance.get_runs() if r.job_name == "pelican"]
    assert run.status == dg.DagsterRunStatus.STARTED  # a dead process leaves the run "started" for ever
    with results.connect() as conn:
        (name,) = conn.execute(sa.text("SELECT name FROM dataset")).scalars()
        progress = get_progress(conn, dataset_by_name(conn, name).id)
    assert progress["phase"] != "CHECKED"
    # What run monitoring (the daemon, dagster.yaml.example) does for a run whose process died.
    instance.report_run_failed(run)

    recovery = _cli(env, "reexecute", run.run_id, "--executor", "in_process")
    output, _ = recovery.communicate(timeout=600)
    assert recovery.returncode == 0, output

    out = tmp_path / "out"
    export = _cli(env, "export", name, "--out", str(out))
    output, _ = export.communicate(timeout=300)
    assert export.returncode == 0, output

    problems: list[str] = []
    ours = {row["ocid"]: row for row in _read(out / "items.jsonl.gz")}
    reference_items = compare.reference(folder, "items")
    assert len(ours) == len(reference_items)
    for row in reference_items:
        for part in ("field_level", "resource_level"):
            problems += compare.differences(row[part], ours[row["ocid"]][part], f"{row['ocid']} {part}: ")
    expected = {r["check_name"]: r for r in compare.reference(folder, "dataset_level")}
    actual = {r["check_name"]: r for r in _read(out / "dataset_level.jsonl.gz")}
    assert expected.keys() == actual.keys()
    for key in expected:
        problems += compare.differences(expected[key], actual[key], f"dataset_level {key}: ")
    expected_reports = {r["type"]: r["data"] for r in compare.reference(folder, "reports")}
    actual_reports = {r["type"]: r["data"] for r in _read(out / "reports.jsonl.gz")}
    for kind, data in expected_reports.items():
        problems += compare.differences(data, actual_reports[kind], f"report {kind}: ")
    assert problems == []
    with results.connect() as conn:
        dataset_id = dataset_by_name(conn, name).id
        assert get_progress(conn, dataset_id)["phase"] == "CHECKED"
        # No orphan or duplicate rows: one result per item, chunks covering each item once.
        items, checked, covered = conn.execute(
            sa.text(
                "SELECT (SELECT count(*) FROM data_item WHERE dataset_id = :id),"
                " (SELECT count(*) FROM item_check WHERE dataset_id = :id),"
                " (SELECT coalesce(sum(item_count), 0) FROM item_check_chunk WHERE dataset_id = :id)"
            ),
            {"id": dataset_id},
        ).one()
        assert items == checked == covered == len(reference_items)
    results.dispose()


class _Terminator(threading.Thread):
    """Terminates, once, the first backend of ``database`` whose active query matches ``pattern``."""

    def __init__(self, server_url: str, database: str, pattern: str) -> None:
        super().__init__(daemon=True)
        self.engine = make_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
        self.database = database
        self.pattern = pattern
        self.terminated: str | None = None
        self.stop = threading.Event()

    def run(self) -> None:
        with self.engine.connect() as conn:
            while not self.stop.is_set():
                row = conn.execute(
                    sa.text(
                        "SELECT pid, query FROM pg_stat_activity WHERE datname = :db AND state = 'active'"
                        " AND query ILIKE :pattern AND pid <> pg_backend_pid() LIMIT 1"
                    ),
                    {"db": self.database, "pattern": self.pattern},
                ).first()
                if row is not None:
                    conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": row.pid})
                    self.terminated = row.query
                    return
                time.sleep(0.002)


def _level(engine, dataset_id: int) -> list[tuple]:
    with engine.connect() as conn:
        return conn.execute(
            sa.text(
                "SELECT check_name, result, value FROM dataset_level_check WHERE dataset_id = :id"
                " ORDER BY check_name"
            ),
            {"id": dataset_id},
        ).all()


def _counts(engine, dataset_id: int) -> tuple[int, int]:
    with engine.connect() as conn:
        return conn.execute(
            sa.text(
                "SELECT (SELECT count(*) FROM data_item WHERE dataset_id = :id),"
                " (SELECT count(*) FROM item_check WHERE dataset_id = :id)"
            ),
            {"id": dataset_id},
        ).one()


@pytest.mark.parametrize(
    ("side", "pattern"),
    [
        # The extraction reads Kingfisher Process with COPY … TO STDOUT: the run fails, marked FAILED.
        ("kingfisher_process", "COPY%"),
        # Kingfisher Process's tables in the results database (the embedded default): the extraction is
        # one INSERT … SELECT, whose transaction rolls back; the run fails, marked FAILED.
        ("one database", "INSERT INTO data_item%"),
        # A chunk writes its results with COPY item_check …: the chunk op's RetryPolicy runs it again.
        ("results", "COPY item_check%"),
    ],
)
def test_a_connection_terminated_during_a_copy(
    side, pattern, server_url, kfp_url, results_url, kfp_engine, results_engine, resources, monkeypatch
):
    monkeypatch.setenv("PELICAN_URL_CHECK_OFFLINE", "1")
    path = DATA / "dominican-republic-dgcp.jsonl.gz"
    keys = {}
    if side == "one database":
        kfp_url = results_url
        kfp_engine = engines.kingfisher_engine(results_url, ensure_tables=True)
        resources = make_resources(results_url, results_url)
    with dg.instance_for_test() as instance:
        for key in ("terminated", "clean"):
            loaded = load_file(kfp_engine, path)
            with results_engine.begin() as conn:
                keys[key] = register_dataset(conn, key, collection_id=loaded.collection_id)
            instance.add_dynamic_partitions(datasets.name, [key])

        def run(key: str) -> dg.ExecuteInProcessResult:
            return dg.materialize(
                PIPELINE_ASSETS,
                partition_key=key,
                instance=instance,
                resources=resources,
                raise_on_error=False,
            )

        database = sa.make_url(kfp_url if side != "results" else results_url).database
        terminator = _Terminator(server_url, database, pattern)
        terminator.start()
        first = run("terminated")
        terminator.stop.set()
        terminator.join(10)
        assert terminator.terminated, f"no query like {pattern!r} was seen to terminate"
        if side != "results":
            assert not first.success
            with results_engine.connect() as conn:
                progress = get_progress(conn, keys["terminated"])
            assert (progress["phase"], progress["state"]) == ("CONTRACTING_PROCESS", "FAILED")
            # The user's obvious recovery: run it again.
            assert run("terminated").success
        else:
            # The chunk's transaction rolled back and its retry stored it: the run finished by itself.
            assert first.success
            retries = [e for e in first.all_events if e.event_type_value == "STEP_UP_FOR_RETRY"]
            assert retries
        assert run("clean").success
    assert _level(results_engine, keys["terminated"]) == _level(results_engine, keys["clean"])
    items, checked = _counts(results_engine, keys["terminated"])
    assert (items, checked) == _counts(results_engine, keys["clean"])
    assert items == checked > 9000


def test_the_same_partition_launched_twice_at_once(db_env, kfp_engine, results_engine, monkeypatch):
    folder = "moldova"
    env = _reference_env(db_env, monkeypatch, chunk_size=10)
    loaded = load_file(kfp_engine, compare.input_file(folder))
    key = "moldova_twice"
    with results_engine.begin() as conn:
        dataset_id = register_dataset(conn, key, collection_id=loaded.collection_id)
    dg.DagsterInstance.get().add_dynamic_partitions(datasets.name, [key])

    command = dagster_execute(key)
    launched = [
        subprocess.Popen(
            command, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=600)[0] for p in launched]
    codes = sorted(p.returncode for p in launched)
    assert codes[0] == 0, outputs
    runs = dg.DagsterInstance.get().get_runs()
    assert len(runs) == 2
    if codes[1] != 0:
        # The second was refused: the dataset was being checked by the first.
        assert any("is being checked by run" in output for output in outputs), outputs
    with results_engine.connect() as conn:
        progress = get_progress(conn, dataset_id)
        rows = conn.execute(
            sa.text("SELECT check_name, result, value FROM dataset_level_check WHERE dataset_id = :id"),
            {"id": dataset_id},
        ).all()
        items, checked = _counts(results_engine, dataset_id)
    assert (progress["phase"], progress["state"]) == ("CHECKED", "OK")
    reference = {r["check_name"]: r for r in compare.reference(folder, "dataset_level")}
    assert len(rows) == len(reference)
    problems: list[str] = []
    for name, result, value in rows:
        problems += compare.differences(
            {"result": reference[name]["result"], "value": reference[name]["value"]},
            {"result": result, "value": value},
            f"{name}: ",
        )
    assert problems == []
    assert items == checked == len(compare.reference(folder, "items"))
