"""Benchmark: the Pelican frontend's tables (``field_level_check``, ``resource_level_check``): bytes per
item and the item-pass cost of writing them, with ``PELICAN_FRONTEND_TABLES`` on and off, plus the time
of the frontend's two failures queries. Prints, never asserts.

    python benchmarks/frontend_tables.py [--items 2000] [--repeat 2]

Uses ``PELICAN_RESULTS_URL`` when set, else the embedded server. Items are the Dominican Republic file's.
"""

from __future__ import annotations

import argparse
import gzip
import os
import statistics
import time
from pathlib import Path

import sqlalchemy as sa

from pelican_dagster.assets.item_checks import run_chunk
from pelican_dagster.cli import Databases
from pelican_dagster.storage.db import copy_rows
from pelican_dagster.storage.lifecycle import wipe_dataset
from pelican_dagster.storage.results import item_id_range, register_dataset

FILE = Path(__file__).parent.parent / "data" / "ocds" / "dominican-republic-dgcp.jsonl.gz"


def _bytes(engine: sa.Engine, table: str, dataset_id: int) -> tuple[int, int]:
    """(rows, bytes of the rows as stored, pg_column_size of result plus the row header)."""
    with engine.connect() as conn:
        rows, size = conn.execute(
            sa.text(
                f"SELECT count(*), coalesce(sum(pg_column_size(t.*)), 0) FROM {table} t WHERE dataset_id = :d"
            ),
            {"d": dataset_id},
        ).one()
    return int(rows), int(size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=2)
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
        count, first, last = item_id_range(conn, dataset_id)
    chunk = {"dataset_id": dataset_id, "first": first, "last": last, "count": count, "total": count}
    run_chunk(engine, chunk)  # warm-up: codelists, caches
    seconds: dict[str, list[float]] = {"on": [], "off": []}
    try:
        for _ in range(args.repeat):
            for mode in ("off", "on"):
                os.environ["PELICAN_FRONTEND_TABLES"] = "1" if mode == "on" else "0"
                start = time.perf_counter()
                run_chunk(engine, chunk)
                seconds[mode].append(time.perf_counter() - start)
        off, on = statistics.median(seconds["off"]), statistics.median(seconds["on"])
        print(f"{count} items, chunk of all items, median of {args.repeat}")
        print(f"item pass, tables off: {off:.2f} s ({count / off:,.0f} items/s)")
        print(f"item pass, tables on:  {on:.2f} s ({count / on:,.0f} items/s): +{(on / off - 1) * 100:.1f} %")
        item_rows, item_bytes = _bytes(engine, "item_check", dataset_id)
        print(f"item_check (always): {item_bytes / max(item_rows, 1):,.0f} B per item")
        for table in ("field_level_check", "resource_level_check"):
            rows, size = _bytes(engine, table, dataset_id)
            print(f"{table}: {rows} rows, {size / max(rows, 1):,.0f} B per item (0 with the tables off)")
        with engine.connect() as conn:
            cursor = conn.connection.driver_connection.cursor()
            for label, sql, params in (
                (
                    "field level failures (tender.id, coverage)",
                    "SELECT result->'meta'->>'ocid' FROM field_level_check WHERE dataset_id = %(d)s"
                    " AND EXISTS ("
                    " SELECT 1 FROM jsonb_array_elements(result->'checks'->%(p)s) AS o"
                    " WHERE (o->%(t)s->>'overall_result')::boolean IS FALSE) ORDER BY 1",
                    {"d": dataset_id, "p": "tender.id", "t": "coverage"},
                ),
                (
                    "compiled-release failures (consistent.period_duration_in_days)",
                    "SELECT result->'meta'->>'ocid' FROM resource_level_check WHERE dataset_id = %(d)s"
                    " AND (result->'checks'->%(n)s->>'result')::boolean IS FALSE ORDER BY 1",
                    {"d": dataset_id, "n": "consistent.period_duration_in_days"},
                ),
            ):
                start = time.perf_counter()
                cursor.execute(sql, params)
                found = len(cursor.fetchall())
                print(f"{label}: {found} OCIDs in {(time.perf_counter() - start) * 1000:.1f} ms")
    finally:
        os.environ.pop("PELICAN_FRONTEND_TABLES", None)
        with engine.begin() as conn:
            wipe_dataset(conn, dataset_id)


if __name__ == "__main__":
    main()
