"""The executor chosen by configuration, and a worker or run missing its configuration failing with the
variable's name (no broker needed: nothing here connects to one)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pelican_dagster.execution import executors
from tests.conftest import REPO


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, "multiprocess"),
        ("in-process", "in_process"),
        ("Celery", "celery"),
        ("multiprocess", "multiprocess"),
    ],
)
def test_the_executor_is_chosen_by_name_or_environment(monkeypatch, given, expected):
    monkeypatch.delenv(executors.EXECUTOR, raising=False)
    assert executors.executor_name(given) == expected


def test_an_unknown_executor_names_the_variable(monkeypatch):
    monkeypatch.setenv(executors.EXECUTOR, "dask")
    with pytest.raises(executors.ExecutorConfigError, match="PELICAN_EXECUTOR='dask'"):
        executors.executor_definition()


def test_celery_without_a_broker_names_the_variable(monkeypatch):
    monkeypatch.delenv(executors.CELERY_BROKER_URL, raising=False)
    with pytest.raises(executors.ExecutorConfigError, match="PELICAN_CELERY_BROKER_URL is not set"):
        executors.executor_definition("celery")


def test_the_shipped_celery_settings(monkeypatch):
    monkeypatch.setenv(executors.CELERY_BROKER_URL, "amqp://guest:guest@127.0.0.1:5672//")
    monkeypatch.setenv(executors.CELERY_QUEUE, "pelican_staging")
    config = executors.celery_executor_config()
    source = config["config_source"]
    assert config["broker"] == "amqp://guest:guest@127.0.0.1:5672//"
    assert source["task_default_queue"] == "pelican_staging"
    # A lost worker's step goes to another worker; a lost pool process fails its step (not requeued).
    assert (source["task_acks_late"], source["task_reject_on_worker_lost"]) == (True, False)
    assert source["worker_prefetch_multiplier"] == 1
    assert executors.celery_app_args()["config_source"] == source


def _worker(env: dict[str, str]) -> subprocess.CompletedProcess:
    """The documented worker command, which fails while loading the app when it lacks configuration."""
    celery = Path(sys.executable).parent / "celery"
    return subprocess.run(
        [str(celery), "-A", "pelican_dagster.execution.celery_app", "worker", "-c", "1"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_worker_without_a_broker_url_names_the_variable():
    env = {k: v for k, v in os.environ.items() if k != executors.CELERY_BROKER_URL}
    completed = _worker(env)
    assert completed.returncode != 0
    assert "PELICAN_CELERY_BROKER_URL is not set" in completed.stdout + completed.stderr


_OPEN_INSTANCE = """
import sys
import dagster._core.executor.multiprocess  # what the fork server imports first
import gc
import pelican_dagster.execution.preload  # noqa: F401
assert gc.get_freeze_count() > 0, "the fork server's objects are not frozen"
before = set(sys.modules)
from dagster import DagsterInstance
from dagster._core.instance.ref import InstanceRef
instance = DagsterInstance.from_ref(InstanceRef.from_dir(sys.argv[1]))
instance.get_runs(limit=1)
instance.dispose()
print("\\n".join(sorted(set(sys.modules) - before)))
"""


def test_a_step_process_opens_its_instance_with_the_modules_preloaded(make_database, tmp_path):
    """Every step process opens the Dagster instance before its work: the fork server it is forked from
    must already hold what that imports (~300 modules, ~0.35 s of CPU per step when it did not), and
    hold it frozen (out of the children's collections, and of the server's own collection at exit)."""
    url = make_database("preload_instance")
    (tmp_path / "dagster.yaml").write_text(f'storage:\n  postgres:\n    postgres_url: "{url}"\n')
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", _OPEN_INSTANCE, str(tmp_path)],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    imported = done.stdout.split()
    assert len(imported) <= 3, f"opening the instance imported {len(imported)} modules: {imported[:20]}"
