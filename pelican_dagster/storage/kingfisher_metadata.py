"""Kingfisher metadata of a collection, merged into ``dataset.meta`` at extraction (docs/pipeline.md §6.1)."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from pelican_dagster.checks.primitives import parse_datetime
from pelican_dagster.storage import kingfisher

_FORMAT = "%Y-%m-%d %H.%M.%S"


def _format(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC)
    return value.strftime(_FORMAT)


def default_collection_metadata() -> dict[str, Any]:
    """``collection_metadata`` when nothing is known (Pelican's defaults)."""
    return {
        "publisher": None,
        "ocid_prefix": None,
        "data_license": None,
        "publication_policy": None,
        "extensions": [],
        "published_from": None,
        "published_to": None,
    }


def fetch_extension(url: str, timeout: float) -> dict[str, Any] | None:
    """The extension metadata at ``url`` with ``repositoryUrl`` added, or None on any failure."""
    import requests

    try:
        response = requests.get(url, timeout=timeout)
        if response.status_code != 200:
            return None
        value = response.json()
    except Exception:  # Pelican skips every failure silently
        return None
    if not isinstance(value, dict):
        return None
    return {**value, "repositoryUrl": url}


def fetch_extensions_within(urls: list[str], timeout: float) -> list[dict[str, Any]]:
    """The extension metadata of every URL that answers, in the URLs' order, fetched concurrently.

    Extraction waits ``timeout`` seconds at most in all (not per URL): on a machine without network a
    package listing ten extensions must not add ten time-outs to the run. Failures are skipped, as
    Pelican skips them.
    """
    if not urls:
        return []
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=min(8, len(urls)))
    futures = [pool.submit(fetch_extension, url, timeout) for url in urls]
    concurrent.futures.wait(futures, timeout=timeout)
    pool.shutdown(wait=False, cancel_futures=True)
    return [f.result() for f in futures if f.done() and not f.cancelled() and f.result() is not None]


def collect(
    conn: Connection, collection_id: int, *, fetch_extensions: bool = True, timeout: float = 5.0
) -> dict[str, Any]:
    """``{"kingfisher_metadata": ..., "collection_metadata": ...}`` for a Kingfisher Process collection.

    Like Pelican, the collection chain is followed only from a leaf collection; otherwise
    ``kingfisher_metadata`` is ``{}`` and ``collection_metadata`` keeps its defaults. Extension URLs are
    fetched only when ``fetch_extensions`` (skipped offline).
    """
    collection_metadata = default_collection_metadata()
    chain = kingfisher.collection_chain(conn, collection_id)
    if not chain:
        return {"kingfisher_metadata": {}, "collection_metadata": collection_metadata}
    given, root = chain[0], chain[-1]
    kingfisher_metadata = {
        "collection_id": collection_id,
        "processing_start": _format(root["store_start_at"]),
        "processing_end": _format(given["store_end_at"]),
    }

    row = conn.execute(
        sa.text(
            "SELECT max(ocid), min(release_date), max(release_date) FROM compiled_release "
            "WHERE collection_id = :id AND release_date IS NOT NULL AND release_date <> ''"
        ),
        {"id": collection_id},
    ).one()
    if row[0] is not None:
        collection_metadata["ocid_prefix"] = row[0][:11]
        low, high = parse_datetime(row[1]), parse_datetime(row[2])
        collection_metadata["published_from"] = low.strftime(_FORMAT) if low else None
        collection_metadata["published_to"] = high.strftime(_FORMAT) if high else None

    package = None
    for table in ("record", "release"):
        package = conn.execute(
            sa.text(
                f"SELECT pd.data FROM {table} t JOIN package_data pd ON pd.id = t.package_data_id "
                "WHERE t.collection_id = :id ORDER BY t.id LIMIT 1"
            ),
            {"id": root["id"]},
        ).scalar()
        if package is not None:
            break
    if isinstance(package, dict):
        publisher = package.get("publisher")
        if isinstance(publisher, dict) and publisher.get("name"):
            collection_metadata["publisher"] = publisher["name"]
        if package.get("license"):
            collection_metadata["data_license"] = package["license"]
        if package.get("publicationPolicy"):
            collection_metadata["publication_policy"] = package["publicationPolicy"]
        extensions = package.get("extensions")
        if fetch_extensions and isinstance(extensions, list):
            urls = [url for url in extensions if isinstance(url, str)]
            collection_metadata["extensions"] = fetch_extensions_within(urls, timeout)
    return {"kingfisher_metadata": kingfisher_metadata, "collection_metadata": collection_metadata}
