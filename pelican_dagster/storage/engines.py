"""Per-process engine caches shared by the resources and the CLI (one pool per database URL)."""

from __future__ import annotations

import threading

from sqlalchemy.engine import Engine

from pelican_dagster import settings
from pelican_dagster.storage import kingfisher, migrate
from pelican_dagster.storage.db import make_engine, normalise_url

_lock = threading.Lock()
_engines: dict[tuple[str, str], Engine] = {}


#: Set to 1 by the ``pelican-dagster`` CLI (and inherited by its run workers and ``pelican-dagster ui``):
#: only then does a missing database URL mean the embedded server.
EMBEDDED = settings.EMBEDDED


class MissingDatabaseURL(RuntimeError):
    """A database URL is not configured where the embedded server is not allowed."""


def embedded_allowed() -> bool:
    """Whether a missing URL selects the embedded server (``PELICAN_EMBEDDED=1``)."""
    return settings.env_flag(EMBEDDED)


def resolve(url: str | None, embedded_database: str, variable: str | None = None) -> str:
    """``url`` normalised, or the embedded server's ``embedded_database`` when ``url`` is empty and the
    embedded server is allowed; else :class:`MissingDatabaseURL` naming ``variable``. A worker or a daemon
    missing a variable must fail, not start an empty PostgreSQL server of its own."""
    if url:
        return normalise_url(url)
    if not embedded_allowed():
        raise MissingDatabaseURL(
            f"{variable or 'a database URL'} is not set: set it to the database's URL in this process's "
            f"environment (on every worker and the daemon); the embedded PostgreSQL server is used only "
            f"by the pelican-dagster CLI or with {EMBEDDED}=1"
        )
    from pelican_dagster.storage import embedded

    return embedded.database_url(embedded_database)


def kingfisher_engine(url: str, ensure_tables: bool = False) -> Engine:
    """A cached engine on a Kingfisher Process database; with ``ensure_tables`` (the loader), the tables
    are created when absent. Readers never write to a real Kingfisher Process database."""
    with _lock:
        key = ("kingfisher", url)
        if key not in _engines:
            _engines[key] = make_engine(url)
        engine = _engines[key]
    if ensure_tables:
        with engine.begin() as conn:
            kingfisher.ensure_tables(conn)
    return engine


def results_engine(url: str) -> Engine:
    """A cached engine on a results database migrated to the latest revision."""
    with _lock:
        key = ("results", url)
        if key not in _engines:
            engine = make_engine(url)
            migrate.upgrade(engine)
            _engines[key] = engine
        return _engines[key]


def dispose_all() -> None:
    """Close every cached pool (tests, forked processes)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
