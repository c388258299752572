"""Codelists the field-level quality checks read (docs/checks.md §0.7), shipped with the package.

Pelican bundles documentType (OCDS 1.1), language and mediaType (OCDS 1.2-dev) and downloads the
org-id.guide scheme codes and the registered OCID prefixes, with no offline fallback. Here all five
are shipped as CSV files in ``pelican_dagster/data/codelists/``; the two downloaded lists may be
refreshed with :func:`refresh_remote`, which never raises and falls back to the shipped copy.
:func:`codelist_versions` records what was loaded (sha256 per file) for the dataset metadata.
"""

from __future__ import annotations

import csv
import hashlib
import io
import threading
import time
import urllib.request
from functools import cache
from pathlib import Path

__all__ = [
    "DATA_DIR",
    "codelist_versions",
    "document_type_sections",
    "languages",
    "load_ocid_prefixes",
    "load_org_id_codes",
    "media_types",
    "refresh_remote",
]

#: Where the shipped codelist files live.
DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "codelists"

#: Shipped file of each named codelist, and the CSV column holding its codes.
_FILES = {
    "documentType": ("documentType.csv", "Code"),
    "language": ("language.csv", "Code"),
    "mediaType": ("mediaType.csv", "Code"),
    "org-id": ("org-id.csv", "code"),
    "ocid_prefixes": ("ocid_prefixes.csv", "OCID"),
}

# file name -> sha256 of the bytes last loaded under that name (see codelist_versions()).
_versions: dict[str, str] = {}
_lock = threading.Lock()


def _record(name: str, data: bytes) -> None:
    with _lock:
        _versions[name] = hashlib.sha256(data).hexdigest()


def _read(path: Path) -> bytes:
    data = path.read_bytes()
    _record(path.name, data)
    return data


def _column(data: bytes, column: str) -> list[str]:
    """The non-empty values of one column of a UTF-8 CSV (a BOM is tolerated)."""
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    return [row[column] for row in reader if row.get(column)]


def load_ocid_prefixes(path: str | None = None) -> tuple[str, ...]:
    """Registered OCID prefixes from a CSV with header ``OCID`` (the shipped copy by default)."""
    file = Path(path) if path else DATA_DIR / _FILES["ocid_prefixes"][0]
    return tuple(dict.fromkeys(_column(_read(file), "OCID")))


def load_org_id_codes(path: str | None = None) -> frozenset[str]:
    """org-id.guide scheme codes from a CSV with header ``code`` (the shipped copy by default)."""
    file = Path(path) if path else DATA_DIR / _FILES["org-id"][0]
    return frozenset(_column(_read(file), "code"))


@cache
def document_type_sections() -> dict[str, frozenset[str]]:
    """documentType code → the sections it is expected in (OCDS 1.1, docs/checks.md Appendix B)."""
    reader = csv.DictReader(io.StringIO(_read(DATA_DIR / "documentType.csv").decode("utf-8")))
    return {row["Code"]: frozenset(s.strip() for s in row["Section"].split(",")) for row in reader}


@cache
def media_types() -> frozenset[str]:
    """The 1,905 mediaType codes of OCDS 1.2-dev (IANA media types plus ``offline/print``)."""
    return frozenset(_column(_read(DATA_DIR / "mediaType.csv"), "Code"))


@cache
def languages() -> frozenset[str]:
    """The 184 two-letter language codes of OCDS 1.2-dev (ISO 639-1)."""
    return frozenset(_column(_read(DATA_DIR / "language.csv"), "Code"))


# name -> (fetched at (monotonic seconds), codes); a successful download is reused for a day.
_remote_cache: dict[str, tuple[float, tuple[str, ...]]] = {}
_ONE_DAY = 24 * 3600.0


def refresh_remote(name: str, url: str, timeout: float = 5.0) -> tuple[str, ...]:
    """The codes of codelist ``name`` (``org-id`` or ``ocid_prefixes``) downloaded from ``url``.

    A download is cached in memory for one day. Offline, on a timeout, an HTTP error or a file without
    the expected column, the shipped copy is returned instead: this never raises and never waits
    longer than ``timeout`` (one attempt, no retries – Pelican's retries stall a batch for minutes).
    """
    file, column = _FILES[name]
    now = time.monotonic()
    with _lock:
        hit = _remote_cache.get(name)
    if hit and now - hit[0] < _ONE_DAY:
        return hit[1]
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            data = response.read()
        codes = tuple(dict.fromkeys(_column(data, column)))
        if not codes:
            raise ValueError(f"no {column!r} values at {url}")
    except Exception:
        # Any failure (network, HTTP, decoding, CSV shape) means: use the shipped snapshot.
        return tuple(dict.fromkeys(_column(_read(DATA_DIR / file), column)))
    _record(f"{file} ({url})", data)
    with _lock:
        _remote_cache[name] = (now, codes)
    return codes


def codelist_versions() -> dict[str, str]:
    """File name → sha256 of the content loaded so far (shipped files, given paths, downloads)."""
    with _lock:
        return dict(_versions)
