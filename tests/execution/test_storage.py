"""The instance storage with kept connections (``execution.storage``), on a real PostgreSQL database."""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy as sa

from pelican_dagster.execution.storage import PooledEventLogStorage


def _home(tmp_path: Path, url: str, kind: str) -> Path:
    storage = (
        f'  postgres:\n    postgres_url: "{url}"\n'
        if kind == "plain"
        else "  custom:\n    module: pelican_dagster.execution.storage\n    class: PooledPostgresStorage\n"
        f'    config:\n      postgres_url: "{url}"\n'
    )
    home = tmp_path / kind
    home.mkdir()
    (home / "dagster.yaml").write_text(f"storage:\n{storage}telemetry:\n  enabled: false\n")
    return home


@contextlib.contextmanager
def _instance(home: Path) -> Iterator[dg.DagsterInstance]:
    instance = dg.DagsterInstance.from_config(str(home))
    try:
        yield instance
    finally:
        instance.dispose()


def _sessions(engine: sa.Engine) -> int:
    """Sessions ever established to the current database (PostgreSQL 14+)."""
    with engine.connect() as conn:
        return conn.execute(
            sa.text("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        ).scalar_one()


def _events(instance: dg.DagsterInstance, run: dg.DagsterRun, n: int) -> None:
    for i in range(n):
        instance.report_engine_event(f"event {i}", run)


@pytest.fixture
def dagster_url(make_database) -> str:
    return make_database("dagster_storage")


@pytest.mark.parametrize(("kind", "most"), [("plain", None), ("pooled", 3)])
def test_events_reuse_one_connection(tmp_path, dagster_url, kind, most):
    engine = sa.create_engine(dagster_url, poolclass=sa.pool.NullPool)
    with _instance(_home(tmp_path, dagster_url, kind)) as instance:
        if kind == "pooled":
            assert isinstance(instance._event_storage, PooledEventLogStorage)
        run = instance.create_run_for_job(dg.GraphDefinition("g").to_job(), run_id=None)
        before = _sessions(engine)
        _events(instance, run, 20)
        opened = _sessions(engine) - before - 1  # this count's own session
        assert len(instance.all_logs(run.run_id)) == 20
    if most is None:
        # What the pooled storage saves: dagster_postgres's default opens a connection per event.
        assert opened >= 20
    else:
        assert opened <= most


def _backend(instance: dg.DagsterInstance) -> int:
    """The server process of the event log storage's kept connection."""
    with instance._event_storage._engine.connect() as conn:
        return conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()


def test_a_forked_child_never_uses_the_parents_connection(tmp_path, dagster_url):
    """A child forked after the parent used the instance writes over a connection of its own, and its
    exit (the instance disposed, finalizers run) does not close the parent's: the parent goes on over
    the same server process."""
    with _instance(_home(tmp_path, dagster_url, "pooled")) as instance:
        run = instance.create_run_for_job(dg.GraphDefinition("g").to_job(), run_id=None)
        _events(instance, run, 2)
        parent = _backend(instance)
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                os.write(write, str(_backend(instance)).encode())
                _events(instance, run, 1)
                instance.dispose()
                gc.collect()
                code = 0
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        child = int(os.read(read, 32))
        assert os.waitstatus_to_exitcode(status) == 0
        assert child != parent
        assert _backend(instance) == parent
        _events(instance, run, 2)
        messages = [record.dagster_event.message for record in instance.all_logs(run.run_id)]
    assert messages == ["event 0", "event 1", "event 0", "event 0", "event 1"]


def test_the_example_instance_configuration_uses_it(tmp_path, dagster_url, monkeypatch):
    """``dagster.yaml.example`` (deployments) opens with the pooled storage and stores events."""
    url = sa.engine.make_url(dagster_url)
    for name, value in {
        "DAGSTER_PG_HOST": url.host or "127.0.0.1",
        "DAGSTER_PG_USERNAME": url.username or "postgres",
        "DAGSTER_PG_PASSWORD": url.password or "",
        "DAGSTER_PG_DB": url.database,
    }.items():
        monkeypatch.setenv(name, value)
    home = tmp_path / "example"
    home.mkdir()
    (home / "dagster.yaml").write_text((Path(__file__).parents[2] / "dagster.yaml.example").read_text())
    with _instance(home) as instance:
        assert isinstance(instance._event_storage, PooledEventLogStorage)
        run = instance.create_run_for_job(dg.GraphDefinition("g").to_job(), run_id=None)
        _events(instance, run, 3)
        assert len(instance.all_logs(run.run_id)) == 3
