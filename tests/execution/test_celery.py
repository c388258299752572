"""The pelican job on the Celery executor over the real RabbitMQ, with two workers as subprocesses (``-c 1``)
and a dataset of 6 chunks (more than the 4 concurrency slots): results equal to an in-process run's;
a worker's pool child killed inside a chunk step (the run fails cleanly, then re-execution from failure);
a whole worker killed inside a chunk step (the broker hands its step to the other worker).

A worker is known to be inside a chunk step when it is killed: once the run's first step (which records
the dataset's check context) has succeeded, the test locks ``dataset_context``, which every chunk step
reads first; the chunk steps then wait inside their workers, seen by PostgreSQL as backends waiting for
that lock. The lock is released once the worker is killed."""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy as sa

pytest.importorskip("dagster_celery")

from pelican_dagster.execution.reexecution import reexecute_from_failure
from pelican_dagster.partitions import datasets
from pelican_dagster.pipeline.export import export_dataset
from pelican_dagster.pipeline.loader import load_file
from pelican_dagster.storage.results import dataset_by_name, get_progress, register_dataset
from tests.conftest import DATA, REPO, dagster_execute

pytestmark = [pytest.mark.broker, pytest.mark.slow]

BROKER = os.environ.get("PELICAN_TEST_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")
NOW = "2026-11-29T11:00:00Z"
COMPARED = ("items.jsonl.gz", "dataset_level.jsonl.gz", "reports.jsonl.gz")


@pytest.fixture
def env(db_env, make_database, tmp_path, monkeypatch) -> dict[str, str]:
    """The databases, a PostgreSQL Dagster instance with a pool limit, this test's queue, 2-item chunks."""
    home = Path(db_env["DAGSTER_HOME"])
    instance_url = make_database("dagster")
    (home / "dagster.yaml").write_text(
        f'storage:\n  postgres:\n    postgres_url: "{instance_url}"\n'
        "concurrency:\n  pools:\n    default_limit: 4\ntelemetry:\n  enabled: false\n"
    )
    extra = {
        "PELICAN_EXECUTOR": "celery",
        "PELICAN_CELERY_BROKER_URL": BROKER,
        "PELICAN_CELERY_QUEUE": f"pdt_{uuid.uuid4().hex[:10]}",
        "PELICAN_CHUNK_SIZE": "2",
        "PELICAN_NOW": NOW,
    }
    for key, value in extra.items():
        monkeypatch.setenv(key, value)
    return {**db_env, **extra}


class Workers:
    """Celery workers as subprocesses (each in its own process group), stopped by PID."""

    def __init__(self, env: dict[str, str], tmp_path: Path):
        self.env, self.tmp_path, self.procs = env, tmp_path, {}

    def start(self, name: str, without: tuple[str, ...] = ()) -> None:
        """Start worker ``name`` (with the test's environment, less the variables ``without``)."""
        celery = Path(sys.executable).parent / "celery"
        log = open(self.tmp_path / f"{name}.log", "w")  # noqa: SIM115
        self.procs[name] = subprocess.Popen(
            [
                str(celery),
                "-A",
                "pelican_dagster.execution.celery_app",
                "worker",
                "-Q",
                self.env["PELICAN_CELERY_QUEUE"],
                "-c",
                "1",
                "-n",
                # Unique on the broker: a worker's remote-control queue is named after it, and a second
                # worker of the same name (another test, another checkout) could not declare it.
                f"{name}.{self.env['PELICAN_CELERY_QUEUE']}@%h",
                "--without-gossip",
                "--without-mingle",
                "-l",
                "INFO",
            ],
            cwd=REPO,
            env={k: v for k, v in {**os.environ, **self.env}.items() if k not in without},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        for name in self.procs:
            while "ready." not in (self.tmp_path / f"{name}.log").read_text():
                assert time.monotonic() < deadline, (self.tmp_path / f"{name}.log").read_text()[-2000:]
                time.sleep(0.3)

    def children(self, name: str) -> list[int]:
        pid = self.procs[name].pid
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


@pytest.fixture
def workers(env, tmp_path):
    started = Workers(env, tmp_path)
    try:
        for name in ("w1", "w2"):
            started.start(name)
        started.wait_ready()
        yield started
    finally:
        # Also when a worker never became ready: none is left running.
        started.stop()


def _dataset(kfp_engine, results_engine, label: str, instance: dg.DagsterInstance | None = None) -> str:
    """The 12 items of ``paraguay.jsonl.gz`` loaded and registered as a dataset partition."""
    loaded = load_file(kfp_engine, DATA / "paraguay.jsonl.gz")
    key = f"{label}_{loaded.collection_id}"
    with results_engine.begin() as conn:
        register_dataset(conn, key, collection_id=loaded.collection_id)
    (instance or dg.DagsterInstance.get()).add_dynamic_partitions(datasets.name, [key])
    return key


def _execute(key: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        dagster_execute(key),
        cwd=REPO,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


#: Keys whose values differ between two datasets of the same data (database ids, timestamps).
_IDS = {"id", "dataset_id", "item_id", "created", "modified"}


def _without_ids(value):
    if isinstance(value, dict):
        return {k: _without_ids(v) for k, v in value.items() if k not in _IDS}
    if isinstance(value, list):
        return [_without_ids(v) for v in value]
    return value


def _export(results_engine, key: str, out: Path) -> dict[str, list]:
    export_dataset(results_engine, key, out)
    found = {}
    for name in COMPARED:
        with gzip.open(out / name, "rt") as f:
            rows = [json.loads(line) for line in f]
        found[name] = [_without_ids(row) for row in rows]
    return found


@pytest.fixture(scope="module")
def expected(make_database, _databases, tmp_path_factory) -> dict[str, list]:
    """The export of an in-process run of the same data and settings (once for the module's tests)."""
    from pelican_dagster.definitions import pelican_job_definition
    from pelican_dagster.storage import engines

    kfp_url, results_url = make_database("kfp", template="kfp"), make_database("results", template="results")
    with pytest.MonkeyPatch.context() as mp:
        for variable, value in {
            "PELICAN_KINGFISHER_PROCESS_URL": kfp_url,
            "PELICAN_RESULTS_URL": results_url,
            "PELICAN_URL_CHECK_OFFLINE": "1",
            "PELICAN_NOW": NOW,
        }.items():
            mp.setenv(variable, value)
        results_engine = engines.results_engine(results_url)
        with dg.DagsterInstance.local_temp(str(tmp_path_factory.mktemp("dagster"))) as instance:
            key = _dataset(engines.kingfisher_engine(kfp_url), results_engine, "inprocess", instance)
            result = pelican_job_definition("in_process").execute_in_process(
                instance=instance, partition_key=key
            )
            assert result.success
        found = _export(results_engine, key, tmp_path_factory.mktemp("inprocess"))
        engines.dispose_all()
    _databases.drop_later(kfp_url)
    _databases.drop_later(results_url)
    return found


def _run_id(key: str) -> str | None:
    runs = dg.DagsterInstance.get().get_runs(filters=dg.RunsFilter(tags={"dagster/partition": key}), limit=1)
    return runs[0].run_id if runs else None


def _succeeded(run_id: str | None, step: str) -> bool:
    if run_id is None:
        return False
    records = dg.DagsterInstance.get().get_records_for_run(run_id, of_type=dg.DagsterEventType.STEP_SUCCESS)
    return any(record.event_log_entry.step_key == step for record in records.records)


def _chunk_workers(run_id: str) -> list[tuple[str, str]]:
    """``(step key, worker)`` of each chunk step a Celery worker started in the run, in order."""
    found = []
    for record in dg.DagsterInstance.get().all_logs(run_id, of_type=dg.DagsterEventType.ENGINE_EVENT):
        event = record.dagster_event
        if (
            event
            and "in celery worker" in (event.message or "")
            and (record.step_key or "").startswith("item_checks.check_item_chunk")
        ):
            found.append((record.step_key, event.engine_event_data.metadata["Celery worker"].value))
    return found


def _name(worker: str) -> str:
    """The test's name of a worker (``w1``) from its node name (``w1.<queue>@<host>``)."""
    return worker.split("@")[0].split(".")[0]


@contextlib.contextmanager
def _chunks_held(results_engine) -> Iterator[Callable[[], int]]:
    """Lock ``dataset_context`` (read first by every chunk step) until the block ends; yields a function
    counting the database sessions waiting for the lock (the chunk steps held inside their workers)."""
    # The observer autocommits: within one transaction, PostgreSQL shows the same snapshot of
    # pg_stat_activity for ever.
    observing = results_engine.execution_options(isolation_level="AUTOCOMMIT")
    with results_engine.connect() as conn, observing.connect() as observer:
        conn.execute(sa.text("LOCK TABLE dataset_context IN ACCESS EXCLUSIVE MODE"))

        def waiting() -> int:
            return observer.execute(
                sa.text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock' AND query LIKE '%dataset_context%'"
                )
            ).scalar_one()

        try:
            yield waiting
        finally:
            conn.rollback()


def _wait_for(predicate, what: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"waited {timeout} s for {what}"
        time.sleep(0.2)


def _held_slots() -> int:
    info = dg.DagsterInstance.get().event_log_storage.get_concurrency_info("pelican_database")
    return len(info.claimed_slots)


def _progress(results_engine, key: str) -> dict | None:
    with results_engine.connect() as conn:
        return get_progress(conn, dataset_by_name(conn, key).id)


def test_two_workers_give_the_in_process_results(
    env, workers, kfp_engine, results_engine, expected, tmp_path
):
    key = _dataset(kfp_engine, results_engine, "celery")
    proc = _execute(key, env)
    output = proc.communicate(timeout=600)[0]
    assert proc.returncode == 0, output[-3000:]
    run = dg.DagsterInstance.get().get_run_by_id(_run_id(key))
    assert run.is_success
    assert {_name(worker) for _, worker in _chunk_workers(run.run_id)} == {"w1", "w2"}
    assert _held_slots() == 0
    assert _export(results_engine, key, tmp_path / "celery") == expected


@pytest.mark.parametrize("kill", ["pool child", "whole worker"])
def test_a_worker_killed_inside_a_chunk_step(
    env, workers, kfp_engine, results_engine, expected, tmp_path, kill
):
    key = _dataset(kfp_engine, results_engine, "celery")
    proc = _execute(key, env)
    try:
        _wait_for(lambda: _succeeded(_run_id(key), "dataset_items"), "the run's first step")
        run_id = _run_id(key)
        with _chunks_held(results_engine) as waiting:
            # Each worker runs one step at a time (-c 1): two held chunk steps are one in each worker.
            _wait_for(lambda: waiting() >= 2, "a chunk step held in each worker")
            started = _chunk_workers(run_id)
            assert {_name(worker) for _, worker in started} == {"w1", "w2"}
            victim = next(step for step, worker in reversed(started) if _name(worker) == "w1")
            if kill == "pool child":
                (child,) = workers.children("w1")
                os.kill(child, signal.SIGKILL)
            else:
                os.killpg(workers.procs["w1"].pid, signal.SIGKILL)
                workers.procs["w1"].wait()
    finally:
        output = proc.communicate(timeout=600)[0]
    instance = dg.DagsterInstance.get()
    run = instance.get_run_by_id(run_id)
    if kill == "whole worker":
        # Acknowledged late: the broker hands the lost step to the other worker; the run ends by itself.
        assert proc.returncode == 0, output[-3000:]
        assert run.is_success
        assert [_name(worker) for step, worker in _chunk_workers(run_id) if step == victim] == [
            "w1",
            "w2",
        ]
    else:
        # The lost step is a step failure: the other chunks end, the run fails and frees its slots.
        assert proc.returncode != 0 and run.status == dg.DagsterRunStatus.FAILURE, output[-3000:]
        failures = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.STEP_FAILURE).records
        assert [record.event_log_entry.step_key for record in failures] == [victim]
        assert (
            "WorkerLostError" in failures[0].event_log_entry.dagster_event.step_failure_data.error.to_string()
        )
        assert _held_slots() == 0
        assert _progress(results_engine, key)["phase"] != "CHECKED"
        result = reexecute_from_failure(instance, run_id)
        assert result.success
        assert result.dagster_run.tags["dagster/partition"] == key
    assert _held_slots() == 0
    progress = _progress(results_engine, key)
    assert (progress["phase"], progress["state"]) == ("CHECKED", "OK")
    assert _export(results_engine, key, tmp_path / "celery") == expected


def test_a_worker_without_the_results_url_fails_the_step_naming_it(env, kfp_engine, results_engine, tmp_path):
    # Not an empty embedded server of its own, then "no dataset named …": the variable, by name.
    started = Workers(env, tmp_path)
    started.start("w1", without=("PELICAN_RESULTS_URL",))
    try:
        started.wait_ready()
        key = _dataset(kfp_engine, results_engine, "celery")
        proc = _execute(key, env)
        output = proc.communicate(timeout=600)[0]
    finally:
        started.stop()
    assert proc.returncode != 0
    instance = dg.DagsterInstance.get()
    run_id = _run_id(key)
    assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.FAILURE
    failures = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.STEP_FAILURE).records
    assert [record.event_log_entry.step_key for record in failures] == ["dataset_items"], output[-3000:]
    failure = failures[0].event_log_entry.dagster_event.step_failure_data
    described = failure.user_failure_data.description if failure.user_failure_data else ""
    assert "PELICAN_RESULTS_URL is not set" in failure.error.to_string() + (described or "")
    progress = _progress(results_engine, key)
    assert progress is None or progress["phase"] != "CHECKED"
