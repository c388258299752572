"""Benchmark: the Pelican frontend's two failures downloads on ``field_level_check`` and
``resource_level_check``, the views over ``item_check`` (``pelican_dagster.frontend.views``): what a
download costs now that the rows are computed when asked, and what the item pass stores for them.
Prints, never asserts.

    python benchmarks/frontend_views.py [--items 10000] [--repeat 3]

Uses ``PELICAN_RESULTS_URL`` when set, else the embedded server. Items are the Dominican Republic file's,
checked in chunks of 5,000 into a new dataset (wiped at the end). The queries are the frontend's own
(pelican-frontend api/views.py), for the path and the check with the most failures and for one with
none.
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import time
from pathlib import Path

import sqlalchemy as sa

from pelican_dagster.assets.item_checks import run_chunk
from pelican_dagster.cli import Databases
from pelican_dagster.frontend.views import FRONTEND_FIELD_FAILURES, FRONTEND_RESOURCE_FAILURES
from pelican_dagster.storage.db import copy_rows
from pelican_dagster.storage.lifecycle import wipe_dataset
from pelican_dagster.storage.results import chunk_bounds, register_dataset

FILE = Path(__file__).parent.parent / "data" / "ocds" / "dominican-republic-dgcp.jsonl.gz"


def _timed(engine: sa.Engine, statement: str, repeat: int, **variables) -> tuple[float, int]:
    """(median seconds, rows) of the statement."""
    times, rows = [], 0
    with engine.connect() as conn:
        cursor = conn.connection.driver_connection.cursor()
        for _ in range(repeat):
            start = time.perf_counter()
            cursor.execute(statement, variables)
            rows = len(cursor.fetchall())
            times.append(time.perf_counter() - start)
    return statistics.median(times), rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    engine = Databases.from_env().results()
    with engine.begin() as conn:
        dataset_id = register_dataset(conn, f"benchmark_frontend_{time.time_ns()}", collection_id=None)
        with gzip.open(FILE, "rt", encoding="utf-8") as f:
            lines = (line for _, line in zip(range(args.items), f, strict=False))
            copy_rows(conn, "data_item", ("dataset_id", "data"), ((dataset_id, line) for line in lines))
        conn.execute(
            sa.text("UPDATE data_item SET ocid = data->>'ocid' WHERE dataset_id = :d"), {"d": dataset_id}
        )
        bounds = chunk_bounds(conn, dataset_id, 5000)
    try:
        for first, last, count in bounds:
            run_chunk(
                engine, {"dataset_id": dataset_id, "first": first, "last": last, "count": count, "total": 0}
            )
        with engine.connect() as conn:
            items, failures_bytes = conn.execute(
                sa.text(
                    "SELECT count(*), coalesce(sum(pg_column_size(failures)), 0) FROM item_check "
                    "WHERE dataset_id = :d"
                ),
                {"d": dataset_id},
            ).one()
            top_path = conn.execute(
                sa.text(
                    "SELECT key FROM field_level_check, jsonb_object_keys(result->'checks') AS key "
                    "WHERE dataset_id = :d GROUP BY key ORDER BY count(*) DESC LIMIT 1"
                ),
                {"d": dataset_id},
            ).scalar_one()
            top_check = conn.execute(
                sa.text(
                    "SELECT key FROM resource_level_check, jsonb_object_keys(result->'checks') AS key "
                    "WHERE dataset_id = :d GROUP BY key ORDER BY count(*) DESC LIMIT 1"
                ),
                {"d": dataset_id},
            ).scalar_one()
        print(f"{items:,} checked items; item_check.failures: {failures_bytes / items:,.0f} B per item")
        cases = [
            ("field, most failing path", FRONTEND_FIELD_FAILURES, {"path": top_path, "type": "coverage"}),
            ("field, quality of it", FRONTEND_FIELD_FAILURES, {"path": top_path, "type": "quality"}),
            ("field, a path never failing", FRONTEND_FIELD_FAILURES, {"path": "ocid", "type": "quality"}),
            ("compiled release, most failing check", FRONTEND_RESOURCE_FAILURES, {"name": top_check}),
        ]
        for label, statement, variables in cases:
            seconds, rows = _timed(engine, statement, args.repeat, dataset_id=dataset_id, **variables)
            print(
                f"{label:38s} {seconds:6.2f} s  {rows:7,} OCIDs  ({seconds / items * 1e6:5.1f} µs per item)"
            )
    finally:
        with engine.begin() as conn:
            wipe_dataset(conn, dataset_id)


if __name__ == "__main__":
    main()
