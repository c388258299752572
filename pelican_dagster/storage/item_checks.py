"""Reads and writes of the item pass: a chunk's items, its results, and the coverage of the dataset."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from pelican_dagster.frontend.views import field_failures
from pelican_dagster.storage import schema as s
from pelican_dagster.storage.db import copy_binary

#: Rows fetched per round trip by a chunk's server-side cursor.
FETCH_ROWS = 200


def stream_items(engine: Engine, dataset_id: int, first: int, last: int) -> Iterator[tuple[int, str]]:
    """``(id, JSON text)`` of the dataset's items with ids in ``first..last``, in id order, through a
    server-side cursor.

    The next batch is fetched in a thread while the caller works on the current one: the server spends
    ~60 µs per Dominican Republic item writing ``data`` as text, which then overlaps the checks instead
    of adding to them (psycopg2 releases the GIL while it waits)."""
    with engine.connect() as conn:
        cursor = conn.connection.driver_connection.cursor(name=f"items_{dataset_id}_{first}")
        cursor.execute(
            "SELECT id, data::text FROM data_item WHERE dataset_id = %s AND id BETWEEN %s AND %s ORDER BY id",
            (dataset_id, first, last),
        )
        with ThreadPoolExecutor(1, thread_name_prefix="stream_items") as pool:
            batch = pool.submit(cursor.fetchmany, FETCH_ROWS)
            while rows := batch.result():
                batch = pool.submit(cursor.fetchmany, FETCH_ROWS)
                yield from rows
        cursor.close()
        conn.rollback()


_HEAD = struct.Struct("!hiqiq")  # the field count; item_id and dataset_id: bigint (8 bytes)
_LENGTH = struct.Struct("!i")
_NULL = _LENGTH.pack(-1)


def _item_check_tuple(item_id: int, dataset_id: int, *values: bytes | None) -> bytes:
    """One ``item_check`` row in COPY's binary format (bigint, bigint, then bytea or NULL values)."""
    parts = [_HEAD.pack(2 + len(values), 8, item_id, 8, dataset_id)]
    for value in values:
        if value is None:
            parts.append(_NULL)
        else:
            parts.append(_LENGTH.pack(len(value)))
            parts.append(value)
    return b"".join(parts)


def item_count(conn: Connection, dataset_id: int) -> int:
    """The number of the dataset's extracted items (``data_item`` rows)."""
    return conn.execute(sa.select(sa.func.count()).where(s.data_item.c.dataset_id == dataset_id)).scalar_one()


def forget_chunks(conn: Connection, dataset_id: int) -> None:
    """Delete the dataset's per-chunk records, so that results of earlier items never count as
    results of newly extracted ones (the extraction's transaction)."""
    conn.execute(sa.delete(s.item_check_chunk).where(s.item_check_chunk.c.dataset_id == dataset_id))


def store_chunk(
    conn: Connection,
    dataset_id: int,
    first: int,
    last: int,
    count: int,
    result: Any,
    seconds: float,
) -> int:
    """Replace the range's ``item_check`` rows and every ``item_check_chunk`` row overlapping it (the
    chunk size may have changed) by ``result`` (an ``item_pass.ChunkResult``), in the caller's
    transaction; returns the number of items the dataset's chunks now cover."""
    conn.execute(
        sa.delete(s.item_check).where(
            s.item_check.c.dataset_id == dataset_id, s.item_check.c.item_id.between(first, last)
        )
    )
    conn.execute(
        sa.delete(s.item_check_chunk).where(
            s.item_check_chunk.c.dataset_id == dataset_id,
            s.item_check_chunk.c.first_item_id <= last,
            s.item_check_chunk.c.last_item_id >= first,
        )
    )
    rows = result.rows
    # The failing paths in a form SQL reads (the frontend's field_level_check view).
    failures = field_failures([f for _, f, _, _ in rows])
    copy_binary(
        conn,
        "item_check",
        ("item_id", "dataset_id", "field", "resource", "facts", "failures"),
        (
            _item_check_tuple(item_id, dataset_id, f, r, x, failed)
            for (item_id, f, r, x), failed in zip(rows, failures, strict=True)
        ),
    )
    conn.execute(
        sa.insert(s.item_check_chunk).values(
            dataset_id=dataset_id,
            first_item_id=first,
            last_item_id=last,
            item_count=count,
            checked_count=result.checked,
            skipped_count=result.skipped,
            field_state=result.field_state,
            resource_state=result.resource_state,
            seconds=seconds,
        )
    )
    done = conn.execute(
        sa.select(sa.func.coalesce(sa.func.sum(s.item_check_chunk.c.item_count), 0)).where(
            s.item_check_chunk.c.dataset_id == dataset_id
        )
    ).scalar_one()
    return int(done)


#: The dataset's chunks merged into disjoint id ranges ``(f, l)``, and the gaps between them as open
#: intervals ``(k, after, before)``: ``after < id < before`` (the bigint extremes stand for "none"). A chunk
#: replaces the chunks it overlaps, so stored chunks do not overlap, but the merge makes no such
#: assumption. A few rows per chunk: the items are then counted or listed by index range scans, once
#: per range, instead of probing every chunk for every item (which grew as items × chunks: ~100
#: million probes at 1,000,000 items in 200 chunks).
_RANGES = """
    chunks AS (
        SELECT first_item_id AS f, last_item_id AS l,
               max(last_item_id) OVER (ORDER BY first_item_id, last_item_id
                                       ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach
        FROM item_check_chunk WHERE dataset_id = :dataset_id
    ),
    merged AS (
        SELECT min(f) AS f, max(l) AS l FROM (
            SELECT f, l, count(*) FILTER (WHERE reach IS NULL OR f > reach) OVER (ORDER BY f, l) AS grp
            FROM chunks
        ) g GROUP BY grp
    ),
    gaps AS (
        SELECT row_number() OVER (ORDER BY before) AS k, after, before FROM (
            SELECT coalesce(lag(l) OVER (ORDER BY f), -9223372036854775807) AS after, f AS before
            FROM merged
            UNION ALL
            SELECT coalesce((SELECT max(l) FROM merged), -9223372036854775807), 9223372036854775807
        ) t
    )
"""


def coverage(engine: Engine, dataset_id: int) -> dict[str, int | float]:
    """Counts over the dataset's chunks, and the number of items no chunk covers (must be 0)."""
    with engine.connect() as conn:
        uncovered = conn.execute(sa.text(UNCOVERED_COUNT_SQL), {"dataset_id": dataset_id}).scalar_one()
        row = conn.execute(
            sa.text(
                "SELECT count(*), coalesce(sum(item_count), 0), coalesce(sum(checked_count), 0),"
                " coalesce(sum(skipped_count), 0), coalesce(sum(seconds), 0) FROM item_check_chunk"
                " WHERE dataset_id = :id"
            ),
            {"id": dataset_id},
        ).one()
    return {
        "uncovered": int(uncovered),
        "chunks": int(row[0]),
        "items": int(row[1]),
        "checked": int(row[2]),
        "skipped": int(row[3]),
        "chunk_seconds": float(row[4]),
    }


def uncovered_bounds(conn: Connection, dataset_id: int, chunk_size: int) -> list[tuple[int, int, int]]:
    """The items no chunk covers, as consecutive id ranges of at most ``chunk_size`` items that overlap
    no stored chunk: ``[(first_id, last_id, count), ...]`` (re-planning after an interrupted run)."""
    rows = conn.execute(sa.text(UNCOVERED_BOUNDS_SQL), {"dataset_id": dataset_id, "size": chunk_size}).all()
    return [(int(a), int(b), int(c)) for a, b, c in rows]


#: The number of the dataset's items that no chunk covers (``:dataset_id``).
UNCOVERED_COUNT_SQL = f"""
    WITH {_RANGES}
    SELECT coalesce(sum((SELECT count(*) FROM data_item d
                         WHERE d.dataset_id = :dataset_id AND d.id > gaps.after AND d.id < gaps.before)), 0)
    FROM gaps
"""

#: ``(first, last, count)`` of the uncovered items (``:dataset_id``), split at every stored chunk and
#: every ``:size`` items.
UNCOVERED_BOUNDS_SQL = f"""
        WITH {_RANGES},
        missing AS (
            SELECT d.id, gaps.k AS gap FROM gaps JOIN LATERAL (
                SELECT id FROM data_item
                WHERE dataset_id = :dataset_id AND id > gaps.after AND id < gaps.before
            ) d ON true
        )
        SELECT min(id), max(id), count(*) FROM (
            SELECT id, gap, (row_number() OVER (PARTITION BY gap ORDER BY id) - 1) / :size AS bucket
            FROM missing
        ) t GROUP BY gap, bucket ORDER BY 1
"""
