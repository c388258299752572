"""Extraction: copy a collection's compiled releases from Kingfisher Process into ``data_item``
(docs/pipeline.md §2), streaming and replacing the dataset's previous items.

When Kingfisher Process's tables and the results are in the same database (the embedded default, or a
deployment that puts them together), the copy is one ``INSERT INTO data_item SELECT …`` on the server:
the stored jsonb values are copied as they are, never printed as text and parsed again (about 4× faster
than the pipe for the Dominican Republic items). Otherwise the two databases are joined by a pipe: a
thread runs ``COPY (SELECT …) TO STDOUT`` on Kingfisher Process while the caller's thread runs
``COPY data_item FROM STDIN`` on the results database. Either way no collection is ever held in memory,
nothing is parsed in Python, and the copy is in the transaction that deletes the dataset's previous items.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from pelican_dagster.storage import kingfisher, kingfisher_metadata
from pelican_dagster.storage import schema as s
from pelican_dagster.storage.db import raw_cursor
from pelican_dagster.storage.results import Dataset, dataset_by_name, merge_meta, set_phase

#: Pelican's KINGFISHER_PROCESS_MAX_SIZE: items whose stored jsonb is this many bytes or more are skipped.
DEFAULT_MAX_SIZE = 300_000
#: How many skipped items are listed (with their reason) in the result; all are counted.
SKIPPED_LISTED = 100


class ExtractionError(Exception):
    """The collection cannot be extracted (missing, not compiled, or nothing to extract)."""


@dataclass
class ExtractionResult:
    """What one extraction did."""

    dataset_id: int
    collection_id: int
    items: int
    #: Compiled releases of the collection not extracted because of the size limit.
    skipped_count: int
    #: Up to SKIPPED_LISTED of them: {"data_id", "ocid", "size", "reason"}.
    skipped: list[dict[str, Any]] = field(default_factory=list)
    #: Compiled releases left out by max_items.
    over_max_items: int = 0
    seconds: float = 0.0

    @property
    def items_per_second(self) -> float:
        return self.items / self.seconds if self.seconds else 0.0


def _check_collection(conn, collection_id: int) -> None:
    if not conn.execute(sa.text("SELECT to_regclass('compiled_release') IS NOT NULL")).scalar():
        raise ExtractionError("the Kingfisher Process database has no compiled_release table")
    collection = kingfisher.get_collection(conn, collection_id)
    if collection is None:
        raise ExtractionError(f"Kingfisher Process collection {collection_id} does not exist")
    if not collection.is_compiled:
        raise ExtractionError(
            f"Kingfisher Process collection {collection_id} is not a compiled collection "
            f"(transform_type {collection.transform_type!r}, expected {kingfisher.COMPILED!r})"
        )
    if not kingfisher.has_compiled_releases(conn, collection_id):
        raise ExtractionError(f"Kingfisher Process collection {collection_id} has no compiled releases")


def extract(
    kfp_engine: Engine,
    results_engine: Engine,
    dataset_name: str,
    *,
    fetch_extensions: bool = False,
    extension_timeout: float = 5.0,
    log: Callable[[str], None] | None = None,
) -> ExtractionResult:
    """Extract the items of the dataset named ``dataset_name`` (its row holds the collection id and the
    options ``max_items`` and ``max_size``), replacing any items it had; returns counts and timing.

    ``max_size`` (default 300,000; null = no limit) keeps items with ``pg_column_size(data) < max_size``.
    ``max_items`` keeps the first items in Kingfisher Process order (``compiled_release.id``), so the
    choice is reproducible (Pelican's is arbitrary).
    """
    start = time.perf_counter()
    with results_engine.connect() as conn:
        dataset = dataset_by_name(conn, dataset_name)
    if dataset is None:
        raise ExtractionError(f"no dataset named {dataset_name!r} in the results database")
    if dataset.collection_id is None:
        raise ExtractionError(f"dataset {dataset_name!r} has no Kingfisher Process collection")
    collection_id = dataset.collection_id
    max_size = dataset.options.get("max_size", DEFAULT_MAX_SIZE)
    max_items = dataset.max_items

    with kfp_engine.connect() as kconn:
        _check_collection(kconn, collection_id)
        size_filter = "pg_column_size(d.data) < %(max_size)s" if max_size else "true"
        params = {"collection_id": collection_id, "max_size": max_size}
        skipped: list[dict[str, Any]] = []
        skipped_count = 0
        if max_size:
            # Only the listed rows are fetched, with the count of all (one pass): a collection of
            # oversized items must not become a list of them in this process.
            rows = kconn.exec_driver_sql(
                "SELECT d.id, d.data->>'ocid', pg_column_size(d.data), count(*) OVER () "
                "FROM compiled_release cr JOIN data d ON d.id = cr.data_id "
                "WHERE cr.collection_id = %(collection_id)s AND pg_column_size(d.data) >= %(max_size)s "
                "ORDER BY cr.id LIMIT %(listed)s",
                {**params, "listed": SKIPPED_LISTED},
            ).all()
            skipped_count = rows[0][3] if rows else 0
            skipped = [
                {"data_id": r[0], "ocid": r[1], "size": r[2], "reason": f"stored size {r[2]} ≥ {max_size}"}
                for r in rows
            ]
        metadata = kingfisher_metadata.collect(
            kconn, collection_id, fetch_extensions=fetch_extensions, timeout=extension_timeout
        )
        # Lines of the loaded file that could not be stored (pelican-dagster's loader only).
        metadata["skipped_lines"] = kingfisher.skipped_lines(kconn, collection_id) or {
            "count": 0,
            "lines": [],
        }

    select = (
        f"SELECT {int(dataset.id)}, d.id, d.data->>'ocid', d.data FROM compiled_release cr "
        f"JOIN data d ON d.id = cr.data_id WHERE cr.collection_id = {int(collection_id)} AND "
        + (size_filter % {"max_size": int(max_size)} if max_size else size_filter)
        + " ORDER BY cr.id"
        + (f" LIMIT {int(max_items)}" if max_items is not None else "")
    )

    with results_engine.begin() as conn:
        set_phase(conn, dataset.id, "CONTRACTING_PROCESS", "IN_PROGRESS", 0)
    with results_engine.begin() as conn:
        # Lock the dataset row: two concurrent extractions of one dataset must not interleave.
        conn.execute(sa.select(s.dataset.c.id).where(s.dataset.c.id == dataset.id).with_for_update())
        conn.execute(sa.delete(s.item_check_chunk).where(s.item_check_chunk.c.dataset_id == dataset.id))
        conn.execute(sa.delete(s.data_item).where(s.data_item.c.dataset_id == dataset.id))
        if same_database(kfp_engine, results_engine):
            items = conn.exec_driver_sql(
                f"INSERT INTO data_item (dataset_id, source_data_id, ocid, data) {select}"
            ).rowcount
        else:
            items = _pipe_copy(
                kfp_engine,
                f"COPY ({select}) TO STDOUT",
                conn,
                "COPY data_item (dataset_id, source_data_id, ocid, data) FROM STDIN",
            )
        if items == 0:
            raise ExtractionError(
                f"collection {collection_id} has no compiled release below the size limit ({max_size} bytes)"
            )
        merge_meta(conn, dataset.id, metadata)
        set_phase(conn, dataset.id, "CONTRACTING_PROCESS", "OK", items)
    with kfp_engine.connect() as kconn:
        total = kconn.exec_driver_sql(
            "SELECT count(*) FROM compiled_release WHERE collection_id = %(id)s", {"id": collection_id}
        ).scalar_one()
    seconds = time.perf_counter() - start
    result = ExtractionResult(
        dataset_id=dataset.id,
        collection_id=collection_id,
        items=items,
        skipped_count=skipped_count,
        skipped=skipped,
        over_max_items=max(0, total - skipped_count - items),
        seconds=seconds,
    )
    if log:
        log(
            f"extracted {items} items of collection {collection_id} into dataset {dataset.id} "
            f"in {seconds:.2f} s ({result.items_per_second:.0f} items/s); {skipped_count} over the size limit"
        )
    return result


def same_database(a: Engine, b: Engine) -> bool:
    """Whether two engines reach the same database of the same server as the same user (their URLs
    differ at most in the driver and the password), so that one statement can read the one and write
    the other."""

    def where(engine: Engine) -> tuple:
        url = engine.url
        return (url.get_backend_name(), url.host, url.port, url.database, url.username, url.query)

    return where(a) == where(b)


def _pipe_copy(source_engine: Engine, copy_out: str, target_conn, copy_in: str) -> int:
    """Stream ``copy_out`` on a connection of ``source_engine`` into ``copy_in`` on ``target_conn``;
    returns the number of rows copied."""
    read_fd, write_fd = os.pipe()
    reader = os.fdopen(read_fd, "rb", buffering=1 << 20)
    writer = os.fdopen(write_fd, "wb", buffering=1 << 20)
    error: list[BaseException] = []

    def produce() -> None:
        try:
            with source_engine.connect() as source:
                raw_cursor(source).copy_expert(copy_out, writer, size=1 << 20)
                source.rollback()
        except BaseException as e:  # reported to the caller's thread
            error.append(e)
        finally:
            # OSError: the reader has gone (it failed first).
            with contextlib.suppress(OSError):
                writer.close()

    thread = threading.Thread(target=produce, name="pelican-extract-copy", daemon=True)
    thread.start()
    cursor = raw_cursor(target_conn)
    try:
        cursor.copy_expert(copy_in, reader, size=1 << 20)
    finally:
        reader.close()  # unblocks the producer if the consumer failed
        thread.join()
    if error:
        raise error[0]
    return cursor.rowcount


def dataset_of(results_engine: Engine, name: str) -> Dataset | None:
    """The dataset row of a partition key (a convenience for the asset and the CLI)."""
    with results_engine.connect() as conn:
        return dataset_by_name(conn, name)
