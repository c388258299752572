"""Downloading the two registers into the results database (the ``codelists`` asset's work).

Pelican downloads them when a check first needs them and, offline, retries for minutes and then fails
the batch. Here only the ``codelists`` asset (daily schedule, or on demand) downloads, with a timeout
and one attempt; check runs read the stored copy. A failed download leaves the last stored copy (or,
before the first success, the shipped snapshot) in use and is reported, never raised.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

import requests
from sqlalchemy.engine import Engine

from pelican_dagster import settings
from pelican_dagster.checks.codelists import REGISTERS, CodelistVersion, parse_codes
from pelican_dagster.storage.codelists import current_versions, store_version

#: Environment variables naming each register's source (documented in the README).
URL_VARIABLES = {"ocid_prefixes": settings.OCID_PREFIXES_URL, "org-id": settings.ORG_ID_URL}

#: Where Pelican downloads each register: OCP's published sheet of registered prefixes (CSV export)
#: and org-id.guide's list download.
DEFAULT_URLS = {
    "ocid_prefixes": (
        "https://docs.google.com/spreadsheets/d/e/"
        "2PACX-1vQP8EwbUhsfxN7Fx7vX3mTA6Y8CXyGi04bHUepdcfxvM6VRVP9f5BWAYEG6MPbnJjWJp-La81DgG8wx"
        "/pub?gid=506986894&single=true&output=csv"
    ),
    "org-id": "http://org-id.guide/download.csv",
}

#: A register is a few hundred KB; anything far larger is not one (and must not fill memory).
MAX_BYTES = 20 * 1024 * 1024


def source_urls() -> dict[str, str]:
    """Each register's URL: ``PELICAN_OCID_PREFIXES_URL`` / ``PELICAN_ORG_ID_URL``, else Pelican's."""
    return {name: os.environ.get(URL_VARIABLES[name]) or DEFAULT_URLS[name] for name in REGISTERS}


def download(url: str, timeout: float) -> bytes:
    """The body at ``url``: one attempt, ``timeout`` seconds to connect and between bytes, at most
    :data:`MAX_BYTES`. Raises ``requests.RequestException`` or ``ValueError``."""
    with requests.get(url, timeout=(timeout, timeout), stream=True) as response:
        response.raise_for_status()
        chunks, size = [], 0
        for chunk in response.iter_content(64 * 1024):
            size += len(chunk)
            if size > MAX_BYTES:
                raise ValueError(f"more than {MAX_BYTES} bytes")
            chunks.append(chunk)
    return b"".join(chunks)


@dataclass(frozen=True)
class RefreshOutcome:
    """What refreshing one register did."""

    name: str
    url: str
    #: ``downloaded`` (stored, changed or not), ``cached`` (fetched recently: not downloaded again) or
    #: ``failed`` (the previous version stays in use).
    status: str
    #: The version in use afterwards (None: the shipped snapshot).
    version: CodelistVersion | None
    changed: bool = False
    error: str | None = None


def refresh(
    engine: Engine,
    urls: dict[str, str] | None = None,
    timeout: float = 10.0,
    max_age: dt.timedelta = dt.timedelta(0),
) -> list[RefreshOutcome]:
    """Download each register (``urls``: name → URL, default :func:`source_urls`) and store it.

    A register downloaded less than ``max_age`` ago is not downloaded again (``cached``). Failures
    (network, HTTP status, a body that is not the register's CSV) are returned, not raised.
    """
    urls = source_urls() if urls is None else urls
    outcomes = []
    for name, url in urls.items():
        with engine.connect() as conn:
            before = current_versions(conn).get(name)
        previous = before[1] if before else None
        if previous and previous.origin == "download" and previous.fetched_at and max_age > dt.timedelta(0):
            age = dt.datetime.now(dt.UTC) - previous.fetched_at
            if age < max_age:
                outcomes.append(RefreshOutcome(name, url, "cached", previous))
                continue
        try:
            data = download(url, timeout)
            parse_codes(name, data)
        except (requests.RequestException, ValueError) as e:
            outcomes.append(RefreshOutcome(name, url, "failed", previous, error=f"{type(e).__name__}: {e}"))
            continue
        with engine.begin() as conn:
            version, changed = store_version(conn, name, data, "download", url)
        outcomes.append(RefreshOutcome(name, url, "downloaded", version, changed))
    return outcomes
