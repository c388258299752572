"""Asset ``item_checks``: every item check (field level and compiled-release level) on every item, fanned
out over id-range chunks that run in parallel (one op per chunk, ``DynamicOut``).

Only ids and counts travel between the ops; each chunk reads its items from the results database and
writes its compact results (``item_check``) and partial aggregates (``item_check_chunk``) back in one
transaction that first deletes the range's previous rows, so a retry or a re-run replaces them.
"""

import math
import time
from collections.abc import Iterator
from typing import Any

import dagster as dg
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from pelican_dagster import item_pass, run_context, settings
from pelican_dagster.assets.metadata import pass_rates
from pelican_dagster.assets.partition import partition_dataset
from pelican_dagster.frontend import tables as frontend
from pelican_dagster.partitions import datasets
from pelican_dagster.reporting.summary import TOTAL_KEYS
from pelican_dagster.resources import ResultsDatabaseResource
from pelican_dagster.storage import schema as s
from pelican_dagster.storage.db import copy_rows
from pelican_dagster.storage.results import chunk_bounds

#: Rows fetched per round trip by the chunk's server-side cursor.
_FETCH_ROWS = 200


class ItemChecksConfig(dg.Config):
    """``chunk_size``: items per chunk; 0 = ``PELICAN_CHUNK_SIZE`` or max(500, ⌈n / (2 × slots)⌉)."""

    chunk_size: int = 0


def chunk_size_for(items: int, configured: int = 0) -> int:
    """The chunk size: ``configured`` if positive, else ``PELICAN_CHUNK_SIZE``, else enough chunks to keep
    every slot of the cluster (``PELICAN_WORKER_SLOTS``, default this machine's cores) busy twice over,
    never below 500 items (a chunk has a fixed start-up cost)."""
    if configured > 0:
        return configured
    from_env = settings.env_int(settings.CHUNK_SIZE, None)
    if from_env:
        return from_env
    return max(500, math.ceil(items / (2 * settings.worker_slots())))


@dg.op(ins={"start": dg.In(dg.Nothing)}, out=dg.DynamicOut(dict), pool="pelican_database")
def plan_item_chunks(
    context: dg.OpExecutionContext, config: ItemChecksConfig, results: ResultsDatabaseResource
) -> Iterator[dg.DynamicOutput]:
    """Split the dataset's item ids into chunks: ``{"dataset_id", "first", "last", "count", "total"}``."""
    engine = results.get_engine()
    dataset = partition_dataset(engine, context.partition_key)
    with engine.connect() as conn:
        total = conn.execute(
            sa.select(sa.func.count()).where(s.data_item.c.dataset_id == dataset.id)
        ).scalar_one()
        size = chunk_size_for(total, config.chunk_size)
        bounds = chunk_bounds(conn, dataset.id, size)
    if not bounds:
        # An empty (filtered) dataset: one empty chunk, so that the mapped step and everything
        # downstream run and the dataset completes (Pelican leaves it in progress forever).
        bounds = [(0, -1, 0)]
    context.log.info(f"{total} items in {len(bounds)} chunks of at most {size}")
    for first, last, count in bounds:
        yield dg.DynamicOutput(
            {"dataset_id": dataset.id, "first": first, "last": last, "count": count, "total": total},
            mapping_key=f"items_{first}_{last}" if count else "items_none",
        )


def _stream_items(engine: Engine, dataset_id: int, first: int, last: int) -> Iterator[tuple[int, str]]:
    """``(id, JSON text)`` of the range's items in id order, through a server-side cursor."""
    with engine.connect() as conn:
        cursor = conn.connection.driver_connection.cursor(name=f"items_{dataset_id}_{first}")
        cursor.itersize = _FETCH_ROWS
        cursor.execute(
            "SELECT id, data::text FROM data_item WHERE dataset_id = %s AND id BETWEEN %s AND %s ORDER BY id",
            (dataset_id, first, last),
        )
        yield from cursor
        cursor.close()
        conn.rollback()


def run_chunk(engine: Engine, chunk: dict[str, Any], label: str = "") -> dict[str, Any]:
    """Check one chunk and store its results, replacing earlier results of the range (the op's body)."""
    start = time.perf_counter()
    dataset_id, first, last = chunk["dataset_id"], chunk["first"], chunk["last"]
    if chunk["count"] == 0:
        # The empty chunk of an empty dataset: nothing to check, nothing to store.
        return {**chunk, "checked": 0, "skipped": 0, "seconds": 0.0, "done": 0}
    result = item_pass.check_chunk(
        _stream_items(engine, dataset_id, first, last), run_context.recorded(engine, dataset_id), label
    )
    seconds = time.perf_counter() - start
    with engine.begin() as conn:
        conn.execute(
            sa.delete(s.item_check).where(
                s.item_check.c.dataset_id == dataset_id, s.item_check.c.item_id.between(first, last)
            )
        )
        # Any earlier chunk overlapping this range (the chunk size may have changed) goes too.
        conn.execute(
            sa.delete(s.item_check_chunk).where(
                s.item_check_chunk.c.dataset_id == dataset_id,
                s.item_check_chunk.c.first_item_id <= last,
                s.item_check_chunk.c.last_item_id >= first,
            )
        )
        copy_rows(
            conn,
            "item_check",
            ("item_id", "dataset_id", "field", "resource", "facts"),
            ((item_id, dataset_id, f, r, x) for item_id, f, r, x in result.rows),
        )
        frontend.replace_rows(
            conn, dataset_id, first, last, result.rows if settings.frontend_tables() else None
        )
        conn.execute(
            sa.insert(s.item_check_chunk).values(
                dataset_id=dataset_id,
                first_item_id=first,
                last_item_id=last,
                item_count=chunk["count"],
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
    return {
        **chunk,
        "checked": result.checked,
        "skipped": result.skipped,
        "seconds": seconds,
        "done": int(done),
        "totals": result.totals,
    }


@dg.op(out=dg.Out(dict), pool="pelican_database")
def check_item_chunk(
    context: dg.OpExecutionContext, chunk: dict, results: ResultsDatabaseResource
) -> dict[str, Any]:
    """Run every item check on one chunk and store the results (one transaction)."""
    summary = run_chunk(results.get_engine(), chunk, label=context.get_mapping_key() or "")
    rate = summary["count"] / summary["seconds"] if summary["seconds"] else 0.0
    context.log.info(
        f"items {summary['first']}–{summary['last']}: {summary['count']} in {summary['seconds']:.2f} s "
        f"({rate:.0f} items/s); progress {summary['done']} / {summary['total']} items"
    )
    return summary


def verify_coverage(engine: Engine, dataset_id: int) -> dict[str, int]:
    """Counts over the dataset's chunks, and the number of items no chunk covers (must be 0)."""
    with engine.connect() as conn:
        uncovered = conn.execute(
            sa.text(
                "SELECT count(*) FROM data_item d WHERE d.dataset_id = :id AND NOT EXISTS ("
                " SELECT 1 FROM item_check_chunk c WHERE c.dataset_id = :id"
                " AND d.id BETWEEN c.first_item_id AND c.last_item_id)"
            ),
            {"id": dataset_id},
        ).scalar_one()
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


@dg.op(out=dg.Out(dict))
def collect_item_checks(
    context: dg.OpExecutionContext, chunks: list[dict], results: ResultsDatabaseResource
) -> dict[str, Any]:
    """Check that every item of the dataset was covered by a chunk; summarise the item pass."""
    if not chunks:
        raise dg.Failure("no item-check chunk ran")
    dataset_id = chunks[0]["dataset_id"]
    totals = verify_coverage(results.get_engine(), dataset_id)
    if totals["uncovered"] or totals["checked"] + totals["skipped"] != totals["items"]:
        raise dg.Failure(f"item checks are incomplete: {totals}")
    seconds = totals["chunk_seconds"]
    summary = {
        "dataset_id": dataset_id,
        **totals,
        "items_per_second": round(totals["items"] / seconds, 1) if seconds else 0.0,
    }
    context.add_output_metadata(
        {
            "items": totals["items"],
            "checked": totals["checked"],
            "skipped_without_ocid": totals["skipped"],
            "chunks": totals["chunks"],
            "items_per_second_per_chunk": summary["items_per_second"],
            **pass_rates(
                {key: sum(chunk.get("totals", {}).get(key, 0) for chunk in chunks) for key in TOTAL_KEYS}
            ),
        }
    )
    return summary


@dg.graph_asset(
    partitions_def=datasets,
    group_name="pelican",
    kinds={"postgres"},
    ins={"dataset_items": dg.AssetIn(dagster_type=dg.Nothing)},
)
def item_checks(dataset_items) -> dict:
    """Field-level and compiled-release-level checks of every item (``item_check`` rows and per-chunk
    partial aggregates), computed in parallel chunks; the output is a small summary of counts."""
    chunks = plan_item_chunks(dataset_items)
    return collect_item_checks(chunks.map(check_item_chunk).collect())
