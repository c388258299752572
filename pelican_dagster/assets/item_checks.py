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
from sqlalchemy.engine import Engine

from pelican_dagster import settings
from pelican_dagster.assets.guard import lease_failure, run_id_of, stage
from pelican_dagster.assets.metadata import pass_rates
from pelican_dagster.assets.partition import partition_dataset
from pelican_dagster.checks.versions import code_version
from pelican_dagster.partitions import datasets
from pelican_dagster.pipeline import item_pass, run_context
from pelican_dagster.reporting.summary import TOTAL_KEYS
from pelican_dagster.resources import ResultsDatabaseResource
from pelican_dagster.storage.item_checks import (
    coverage,
    item_count,
    store_chunk,
    stream_items,
    uncovered_bounds,
)
from pelican_dagster.storage.results import Dataset, chunk_bounds
from pelican_dagster.storage.run_state import LeaseError, run_state, verify_extraction, verify_lease

#: The largest chunk: memory per chunk step is ~100 MB + ~4.6 KB per item, so it stays flat however
#: large the dataset (the number of chunks grows instead).
MAX_CHUNK_SIZE = 5_000
#: The smallest default chunk (a chunk step has a fixed start-up cost).
MIN_CHUNK_SIZE = 500


class ItemChecksConfig(dg.Config):
    """``chunk_size``: items per chunk; 0 = ``PELICAN_CHUNK_SIZE`` or ⌈n / slots⌉ within
    500–5,000. Never above 5,000."""

    chunk_size: int = 0


def chunk_size_for(items: int, configured: int = 0) -> int:
    """The chunk size: ``configured`` if positive, else ``PELICAN_CHUNK_SIZE``, else one chunk per slot of
    the cluster (``PELICAN_WORKER_SLOTS``, default this machine's cores), at least 500 items; always at
    most ``MAX_CHUNK_SIZE``, so that a chunk step's memory does not grow with the dataset. One chunk per
    slot rather than more: every chunk is a step with its own start-up and event round trips, which
    cost more than the uneven ends they would even out (a larger dataset has many chunks anyway)."""
    if configured > 0:
        return min(configured, MAX_CHUNK_SIZE)
    from_env = settings.env_int(settings.CHUNK_SIZE, None)
    if from_env:
        return min(from_env, MAX_CHUNK_SIZE)
    return min(MAX_CHUNK_SIZE, max(MIN_CHUNK_SIZE, math.ceil(items / settings.worker_slots())))


@dg.op(ins={"start": dg.In(dg.Nothing)}, out=dg.DynamicOut(dict), pool="pelican_database")
def plan_item_chunks(
    context: dg.OpExecutionContext, config: ItemChecksConfig, results: ResultsDatabaseResource
) -> Iterator[dg.DynamicOutput]:
    """Split the dataset's item ids into chunks: ``{"dataset_id", "first", "last", "count", "total",
    "extraction"}`` (``extraction``: the run whose extraction produced the items)."""
    engine = results.get_engine()
    dataset = partition_dataset(engine, context.partition_key)
    with stage(context, engine, dataset, "CONTRACTING_PROCESS"), engine.connect() as conn:
        total = item_count(conn, dataset.id)
        size = chunk_size_for(total, config.chunk_size)
        bounds = chunk_bounds(conn, dataset.id, size)
        extraction = run_state(conn, dataset.id).extraction_run_id
    if not bounds:
        # An empty (filtered) dataset: one empty chunk, so that the mapped step and everything
        # downstream run and the dataset completes (Pelican leaves it in progress forever).
        bounds = [(0, -1, 0)]
    context.log.info(f"{total} items in {len(bounds)} chunks of at most {size}")
    for first, last, count in bounds:
        yield dg.DynamicOutput(
            {
                "dataset_id": dataset.id,
                "first": first,
                "last": last,
                "count": count,
                "total": total,
                "extraction": extraction,
                "chunk_size": size,
            },
            mapping_key=f"items_{first}_{last}" if count else "items_none",
        )


def run_chunk(
    engine: Engine, chunk: dict[str, Any], label: str = "", run_id: str | None = None
) -> dict[str, Any]:
    """Check one chunk and store its results, replacing earlier results of the range (the op's body).
    With ``run_id``, the write verifies that the run still holds the dataset's lease and that the items
    are still those of the extraction the chunk was planned from."""
    start = time.perf_counter()
    dataset_id, first, last = chunk["dataset_id"], chunk["first"], chunk["last"]
    if chunk["count"] == 0:
        # The empty chunk of an empty dataset: nothing to check, nothing to store.
        return {**chunk, "checked": 0, "skipped": 0, "seconds": 0.0, "done": 0}
    result = item_pass.check_chunk(
        stream_items(engine, dataset_id, first, last), run_context.recorded(engine, dataset_id), label
    )
    seconds = time.perf_counter() - start
    with engine.begin() as conn:
        if run_id is not None:
            verify_lease(conn, dataset_id, run_id)
            verify_extraction(conn, dataset_id, chunk.get("extraction"))
        done = store_chunk(conn, dataset_id, first, last, chunk["count"], result, seconds)
    return {
        **chunk,
        "checked": result.checked,
        "skipped": result.skipped,
        "seconds": seconds,
        "done": done,
        "totals": result.totals,
    }


def _chunk_op(context: dg.OpExecutionContext, engine: Engine, chunk: dict) -> dict[str, Any]:
    try:
        return run_chunk(engine, chunk, label=context.get_mapping_key() or "", run_id=run_id_of(context))
    except LeaseError as e:
        raise lease_failure(e) from e


@dg.op(
    out=dg.Out(dict),
    pool="pelican_database",
    # A chunk replaces its rows in one transaction, so a retry after a dropped connection is safe.
    retry_policy=dg.RetryPolicy(max_retries=2, delay=2, backoff=dg.Backoff.EXPONENTIAL),
)
def check_item_chunk(
    context: dg.OpExecutionContext, chunk: dict, results: ResultsDatabaseResource
) -> dict[str, Any]:
    """Run every item check on one chunk and store the results (one transaction)."""
    engine = results.get_engine()
    dataset = partition_dataset(engine, context.partition_key)
    with stage(context, engine, dataset, "CONTRACTING_PROCESS"):
        summary = _chunk_op(context, engine, chunk)
    rate = summary["count"] / summary["seconds"] if summary["seconds"] else 0.0
    context.log.info(
        f"items {summary['first']}–{summary['last']}: {summary['count']} in {summary['seconds']:.2f} s "
        f"({rate:.0f} items/s); progress {summary['done']} / {summary['total']} items"
    )
    return summary


def require_checked(engine: Engine, dataset: Dataset, what: str) -> None:
    """Fail unless every item of the current extraction has been checked (Pelican's aggregator rule)."""
    totals = coverage(engine, dataset.id)
    if totals["uncovered"] or totals["checked"] + totals["skipped"] != totals["items"]:
        raise dg.Failure(
            f"{what}: {totals['uncovered']} items have not been checked yet (by the current extraction): "
            "materialize item_checks first"
        )


@dg.op(
    out=dg.Out(dict),
    pool="pelican_database",
    retry_policy=dg.RetryPolicy(max_retries=2, delay=2, backoff=dg.Backoff.EXPONENTIAL),
)
def collect_item_checks(
    context: dg.OpExecutionContext, chunks: list[dict], results: ResultsDatabaseResource
) -> dict[str, Any]:
    """Check that every item of the dataset was covered by a chunk; summarise the item pass.

    Items that no chunk covers (a re-execution from failure after a killed run: Dagster does not run
    again the mapped chunks that never started) are re-planned from what is missing and checked here,
    one bounded chunk at a time, so that the re-execution finishes.
    """
    engine = results.get_engine()
    dataset = partition_dataset(engine, context.partition_key)
    totals_by_chunk = [chunk.get("totals", {}) for chunk in chunks]
    with stage(context, engine, dataset, "CONTRACTING_PROCESS"):
        extraction = run_state_of(engine, dataset.id).extraction_run_id
        size = chunk_size_for(0, max((chunk.get("chunk_size", 0) for chunk in chunks), default=0))
        with engine.connect() as conn:
            missing = uncovered_bounds(conn, dataset.id, size)
        if missing:
            context.log.warning(
                f"{sum(c for _, _, c in missing)} items were not checked by any chunk (an interrupted "
                f"run): checking them now in {len(missing)} chunks"
            )
        for first, last, count in missing:
            chunk = {"dataset_id": dataset.id, "first": first, "last": last, "count": count}
            summary = _chunk_op(context, engine, {**chunk, "total": count, "extraction": extraction})
            totals_by_chunk.append(summary["totals"])
        totals = coverage(engine, dataset.id)
        if totals["uncovered"] or totals["checked"] + totals["skipped"] != totals["items"]:
            raise dg.Failure(f"item checks are incomplete: {totals}")
    seconds = totals["chunk_seconds"]
    summary = {
        "dataset_id": dataset.id,
        **totals,
        "items_per_second": round(totals["items"] / seconds, 1) if seconds else 0.0,
    }
    context.add_output_metadata(
        {
            "items": totals["items"],
            "checked": totals["checked"],
            "skipped_without_ocid": totals["skipped"],
            "chunks": totals["chunks"],
            "rechecked_missing_chunks": len(missing),
            "items_per_second_per_chunk": summary["items_per_second"],
            **pass_rates({key: sum(t.get(key, 0) for t in totals_by_chunk) for key in TOTAL_KEYS}),
        }
    )
    return summary


def run_state_of(engine: Engine, dataset_id: int):
    """The dataset's ``dataset_run_state``."""
    with engine.connect() as conn:
        return run_state(conn, dataset_id)


@dg.graph_asset(
    partitions_def=datasets,
    group_name="pelican",
    kinds={"postgres"},
    ins={"dataset_items": dg.AssetIn(dagster_type=dg.Nothing)},
    code_version=code_version("field", "compiled_release"),
)
def item_checks(dataset_items) -> dict:
    """Field-level and compiled-release-level checks of every item (``item_check`` rows and per-chunk
    partial aggregates), computed in parallel chunks; the output is a small summary of counts."""
    chunks = plan_item_chunks(dataset_items)
    return collect_item_checks(chunks.map(check_item_chunk).collect())
