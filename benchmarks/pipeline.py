"""Benchmark: the whole pipeline through Dagster on the 10,000-item Dominican Republic file (or any file),
with the seconds and items/s of every asset, and the bytes per item of the stored results.

    python benchmarks/pipeline.py [--file FILE] [--copies N] [--with-ancestor] [--in-process]

``--copies N`` checks N copies of every line (ocids suffixed so they stay unique): ``--copies 10`` makes
the 100,000-item dataset of the dataset-level speed target. Uses ``PELICAN_*_URL`` when set, else the
embedded server. Prints, never asserts: speed is measured, not tested.
"""

from __future__ import annotations

import argparse
import gzip
import os
import tempfile
import time
from pathlib import Path

import dagster as dg
import orjson
import sqlalchemy as sa

FILE = Path(__file__).parent.parent / "data" / "ocds" / "dominican-republic-dgcp.jsonl.gz"
ASSETS = ("dataset_items", "item_checks", "dataset_checks", "time_based_checks", "report")


def _copies(path: str, copies: int) -> str:
    """A temporary file with ``copies`` copies of every line, ocids suffixed ``-c<n>`` after the first."""
    out = Path(tempfile.mkdtemp()) / f"copies{copies}.jsonl.gz"
    with gzip.open(path, "rb") as f:
        lines = [line for line in f if line.strip()]
    with gzip.open(out, "wb", compresslevel=1) as f:
        for n in range(copies):
            for line in lines:
                if n:
                    item = orjson.loads(line)
                    item["ocid"] = f"{item['ocid']}-c{n}"
                    line = orjson.dumps(item) + b"\n"
                f.write(line)
    return str(out)


def _seconds(instance: dg.DagsterInstance, run_id: str) -> dict[str, tuple[float, float]]:
    """Per asset: (wall-clock seconds from its first step's start to its last step's end, summed
    seconds of its steps). They differ when a graph asset's chunk steps run in parallel."""
    spans: dict[str, list[float]] = {}
    busy: dict[str, float] = {}
    for record in instance.get_records_for_run(run_id).records:
        entry = record.event_log_entry
        event = entry.dagster_event
        if event is None or event.event_type_value not in ("STEP_START", "STEP_SUCCESS"):
            continue
        asset = (event.step_key or "").split(".")[0].split("[")[0]
        span = spans.setdefault(asset, [entry.timestamp, entry.timestamp])
        span[0], span[1] = min(span[0], entry.timestamp), max(span[1], entry.timestamp)
        if event.event_type_value == "STEP_SUCCESS":
            busy[asset] = busy.get(asset, 0.0) + event.event_specific_data.duration_ms / 1000
    return {asset: (end - start, busy.get(asset, 0.0)) for asset, (start, end) in spans.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", default=str(FILE))
    parser.add_argument("--copies", type=int, default=1)
    parser.add_argument("--in-process", action="store_true", help="one process (no parallel chunks)")
    parser.add_argument(
        "--with-ancestor",
        action="store_true",
        help="check the same data first as the ancestor, so the time-based checks pair every item",
    )
    args = parser.parse_args()
    os.environ.setdefault("PELICAN_URL_CHECK_OFFLINE", "1")

    from pelican_dagster.cli import Databases, _instance, register, run_partition
    from pelican_dagster.pipeline.loader import load_file

    executor = "in_process" if args.in_process else "multiprocess"
    path = _copies(args.file, args.copies) if args.copies > 1 else args.file
    dbs = Databases.from_env()
    instance = _instance()
    start = time.perf_counter()
    loaded = load_file(dbs.kingfisher(ensure_tables=True), path, source_id="benchmark")
    print(f"load into Kingfisher Process: {loaded.items:,} items in {time.perf_counter() - start:.1f} s")
    ancestor_id = None
    if args.with_ancestor:
        older = load_file(dbs.kingfisher(), path, source_id="benchmark")
        older_name, ancestor_id = register(dbs, instance, older.collection_id, None, {"max_size": None})
        print(f"checking the ancestor {older_name} first …")
        assert run_partition(instance, older_name, executor), "the ancestor's run failed"
    name, _ = register(dbs, instance, loaded.collection_id, ancestor_id, {"max_size": None})

    start = time.perf_counter()
    assert run_partition(instance, name, executor), "the run failed"
    total = time.perf_counter() - start
    run = instance.get_runs(filters=dg.RunsFilter(tags={"dagster/partition": name}), limit=1)[0]
    seconds = _seconds(instance, run.run_id)
    n = loaded.items
    print(f"\n{'asset':<20} {'wall s':>8} {'items/s':>10} {'step s':>8} {'items/s/core':>13}")
    for asset in ASSETS:
        wall, busy = seconds.get(asset, (0.0, 0.0))
        rate, rate_per_core = n / wall if wall else 0, n / busy if busy else 0
        print(f"{asset:<20} {wall:8.2f} {rate:10,.0f} {busy:8.2f} {rate_per_core:13,.0f}")
    print(f"{'whole run':<20} {total:8.2f} {n / total:10,.0f}   (cores: {os.cpu_count()}; with the run's")
    print("                     start-up and each step's process start)")

    with dbs.results().connect() as conn:
        dataset_id = conn.execute(sa.text("SELECT id FROM dataset WHERE name = :n"), {"n": name}).scalar_one()
        field, resource, facts, rows = conn.execute(
            sa.text(
                "SELECT sum(pg_column_size(field)), sum(pg_column_size(resource)), "
                "sum(pg_column_size(facts)), count(*) FROM item_check WHERE dataset_id = :d"
            ),
            {"d": dataset_id},
        ).one()
        table = conn.execute(sa.text("SELECT pg_total_relation_size('item_check')")).scalar_one()
        items_in_table = conn.execute(sa.text("SELECT count(*) FROM item_check")).scalar_one()
    print(
        f"\nstored per item: field {field / rows:.0f} B, compiled release {resource / rows:.0f} B, "
        f"facts {facts / rows:.0f} B; item_check on disk (with indexes, all datasets): "
        f"{table / items_in_table:,.0f} B per item (Pelican: ~13,500 B per item)"
    )


if __name__ == "__main__":
    main()
