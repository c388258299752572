"""Configuration read from the environment (export-format.md lists the variables that make results
reproducible). Every command and every Dagster run builds its ``CheckContext`` here, once per process."""

from __future__ import annotations

import datetime as dt
import functools
import os

from pelican_dagster.checks.context import CheckContext

#: Environment variables of this module (documented in the README).
NOW = "PELICAN_NOW"
SEED = "PELICAN_SEED"
URL_CHECK_OFFLINE = "PELICAN_URL_CHECK_OFFLINE"
URL_TIMEOUT = "PELICAN_URL_TIMEOUT"
OCID_PREFIXES_FILE = "PELICAN_OCID_PREFIXES_FILE"
ORG_ID_FILE = "PELICAN_ORG_ID_FILE"
MAX_SIZE = "PELICAN_MAX_SIZE"
MAX_ITEMS = "PELICAN_MAX_ITEMS"
EXTENSION_TIMEOUT = "PELICAN_EXTENSION_TIMEOUT"
CHUNK_SIZE = "PELICAN_CHUNK_SIZE"

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


@functools.cache
def check_context() -> CheckContext:
    """The check configuration of this process, from the environment (cached)."""
    seed_text = os.environ.get(SEED, "0")
    seed: int | str = int(seed_text) if seed_text.lstrip("-").isdigit() else seed_text
    sources: dict[str, str] = {}
    # TODO(lead): load the codelists (PELICAN_OCID_PREFIXES_FILE, PELICAN_ORG_ID_FILE, else the shipped
    # defaults) and the exchange rates here; record where each came from in ``sources``.
    for name in (OCID_PREFIXES_FILE, ORG_ID_FILE):
        if os.environ.get(name):
            sources[name] = os.environ[name]
    return CheckContext(
        now=now(),
        ocid_prefixes=(),
        org_id_codes=frozenset(),
        rates=None,
        seed=seed,
        url_check_offline=url_check_offline(),
        url_timeout=float(os.environ.get(URL_TIMEOUT) or 30),
        sources=sources,
    )
