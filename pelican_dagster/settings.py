"""Configuration read from the environment (docs/export-format.md lists the variables that make results
reproducible). A dataset run fixes its ``CheckContext`` once, at its first step, from these
(``pelican_dagster.pipeline.run_context``)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

#: Every environment variable the project reads, named here once (the README's "Configuration" explains
#: each; ``tests/test_settings.py`` checks that no other module spells a name and that the README lists
#: them all). Modules read them through these constants.

# Where the data is.
KINGFISHER_PROCESS_URL = "PELICAN_KINGFISHER_PROCESS_URL"
RESULTS_URL = "PELICAN_RESULTS_URL"
HOME = "PELICAN_HOME"
EMBEDDED = "PELICAN_EMBEDDED"
DAGSTER_HOME = "DAGSTER_HOME"
# Pelican backend's own names, so that a deployment's environment carries over.
RABBIT_URL = "RABBIT_URL"
RABBIT_EXCHANGE_NAME = "RABBIT_EXCHANGE_NAME"
# How runs execute.
EXECUTOR = "PELICAN_EXECUTOR"
CELERY_BROKER_URL = "PELICAN_CELERY_BROKER_URL"
CELERY_QUEUE = "PELICAN_CELERY_QUEUE"
CELERY_BACKEND = "PELICAN_CELERY_BACKEND"
WORKER_SLOTS = "PELICAN_WORKER_SLOTS"
CHUNK_SIZE = "PELICAN_CHUNK_SIZE"
LEASE_SECONDS = "PELICAN_LEASE_SECONDS"
LOG_LEVEL = "PELICAN_LOG_LEVEL"
# What a run decides with (fixed once per dataset run).
NOW = "PELICAN_NOW"
SEED = "PELICAN_SEED"
URL_CHECK_OFFLINE = "PELICAN_URL_CHECK_OFFLINE"
URL_TIMEOUT = "PELICAN_URL_TIMEOUT"
URL_TOTAL_TIMEOUT = "PELICAN_URL_TOTAL_TIMEOUT"
OCID_PREFIXES_FILE = "PELICAN_OCID_PREFIXES_FILE"
ORG_ID_FILE = "PELICAN_ORG_ID_FILE"
OCID_PREFIXES_URL = "PELICAN_OCID_PREFIXES_URL"
ORG_ID_URL = "PELICAN_ORG_ID_URL"
CODELIST_TIMEOUT = "PELICAN_CODELIST_TIMEOUT"
EXTENSION_TIMEOUT = "PELICAN_EXTENSION_TIMEOUT"
RELEASE_SCHEMA = "PELICAN_RELEASE_SCHEMA"
# What a dataset holds and how it is filtered and stored.
MAX_SIZE = "PELICAN_MAX_SIZE"
MAX_ITEMS = "PELICAN_MAX_ITEMS"
REGEX_TIMEOUT = "PELICAN_REGEX_TIMEOUT"
REPORTS_DIR = "PELICAN_REPORTS_DIR"

_TRUE = {"1", "true", "yes", "on"}


def env_flag(name: str, default: bool = False) -> bool:
    """A boolean environment variable (1/true/yes/on)."""
    value = os.environ.get(name)
    return default if value is None or value == "" else value.strip().lower() in _TRUE


def env_int(name: str, default: int | None) -> int | None:
    """An integer environment variable; empty or ``none`` means None."""
    value = os.environ.get(name)
    if value is None:
        return default
    value = value.strip().lower()
    return None if value in ("", "none", "null") else int(value)


def now() -> dt.datetime:
    """``PELICAN_NOW`` (ISO 8601; a naive value is UTC), else the current time."""
    value = os.environ.get(NOW)
    if not value:
        return dt.datetime.now(dt.UTC)
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def url_check_offline() -> bool:
    """``PELICAN_URL_CHECK_OFFLINE``: no network requests for URL availability (and extensions)."""
    return env_flag(URL_CHECK_OFFLINE)


def max_size() -> int | None:
    """``PELICAN_MAX_SIZE``: the default item size limit of new datasets (Pelican's 300,000 bytes)."""
    from pelican_dagster.storage.extraction import DEFAULT_MAX_SIZE

    return env_int(MAX_SIZE, DEFAULT_MAX_SIZE)


def max_items() -> int | None:
    """``PELICAN_MAX_ITEMS``: the default item cap of datasets the sensor registers (none)."""
    return env_int(MAX_ITEMS, None)


def extension_timeout() -> float:
    """``PELICAN_EXTENSION_TIMEOUT``: seconds per extension metadata download at extraction (5)."""
    return float(os.environ.get(EXTENSION_TIMEOUT) or 5)


def codelist_files() -> dict[str, str | None]:
    """The register files configured by ``PELICAN_OCID_PREFIXES_FILE`` / ``PELICAN_ORG_ID_FILE``."""
    return {"ocid_prefixes": os.environ.get(OCID_PREFIXES_FILE), "org-id": os.environ.get(ORG_ID_FILE)}


def load_codelists(results_url: str | None):
    """The codelists a check run uses now: configured files, else the versions stored in the results
    database at ``results_url`` (``codelists`` asset, ``codelists import``), else the shipped snapshot.
    Never downloads. Returns :class:`pelican_dagster.checks.codelists.Codelists`."""
    from pelican_dagster.storage.codelists import load_current
    from pelican_dagster.storage.db import make_engine

    engine = make_engine(results_url) if results_url else None
    try:
        return load_current(engine, codelist_files())
    finally:
        if engine is not None:
            engine.dispose()


def worker_slots() -> int:
    """``PELICAN_WORKER_SLOTS``: steps the whole cluster runs at once (the sum of the Celery workers'
    ``-c``), which sizes the chunks; default this machine's cores (one machine)."""
    return max(1, env_int(WORKER_SLOTS, None) or os.cpu_count() or 1)


def lease_seconds() -> int:
    """``PELICAN_LEASE_SECONDS``: how long a run's lease on a dataset lasts without a heartbeat (900)."""
    from pelican_dagster.storage.run_state import DEFAULT_LEASE_SECONDS

    return env_int(LEASE_SECONDS, None) or DEFAULT_LEASE_SECONDS


def reports_dir() -> Path:
    """Where the ``report`` asset writes each dataset's HTML report: ``PELICAN_REPORTS_DIR``, else
    ``PELICAN_HOME/reports`` (``~/.pelican-dagster/reports``)."""
    explicit = os.environ.get(REPORTS_DIR)
    if explicit:
        return Path(explicit)
    return Path(os.environ.get(HOME) or Path.home() / ".pelican-dagster") / "reports"
