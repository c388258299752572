"""Benchmark: the whole body of an item-checks chunk step (``assets.item_checks.run_chunk``) against a real
database: read the chunk's items, the item pass, store ``item_check`` (with the failing paths' codes the
Pelican frontend's views read) and ``item_check_chunk``. Prints, never asserts.

    python benchmarks/chunk_step.py [--items 5000] [--chunk 5000] [--repeat 3] [--dataset ID]
                                    [--only] [--profile]

Uses ``PELICAN_RESULTS_URL`` when set, else the embedded server (``PELICAN_HOME``). By default it loads the
first ``--items`` items of the Dominican Republic file into a new dataset (deleted at the end); with
``--dataset`` it re-checks an existing dataset's items (its stored results are replaced by equal ones).
A warm-up run first builds the check context (a step process gets it pre-built).

Per run: wall seconds, CPU seconds of this process and, with the embedded server, of the PostgreSQL
server; items/s of the wall time and per CPU second of this process; the split between the pass (read and
``check_chunk``: ``run_chunk``'s own ``seconds``) and the writes (store). On a shared
machine compare two versions by the CPU figures, alternately (A B A B), each from its own virtualenv
(``PYTHONPATH`` does not override an editable install: benchmarks/compare.py says how).
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import os
import statistics
import time
from pathlib import Path

import sqlalchemy as sa

from pelican_dagster import settings
from pelican_dagster.assets.item_checks import run_chunk
from pelican_dagster.cli import Databases
from pelican_dagster.storage.db import copy_rows
from pelican_dagster.storage.item_checks import item_count
from pelican_dagster.storage.lifecycle import wipe_dataset
from pelican_dagster.storage.results import chunk_bounds, register_dataset

FILE = Path(__file__).parent.parent / "data" / "ocds" / "dominican-republic-dgcp.jsonl.gz"
_HZ = os.sysconf("SC_CLK_TCK")


def _cpu(pid: int, children: bool = False) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    own = (int(fields[11]) + int(fields[12])) / _HZ
    return own + ((int(fields[13]) + int(fields[14])) / _HZ if children else 0.0)


def _server_cpu(postmaster: int | None) -> float:
    """CPU seconds of the embedded server: the postmaster, its reaped backends and its live children."""
    if postmaster is None:
        return 0.0
    total = _cpu(postmaster, children=True)
    with contextlib.suppress(OSError), open(f"/proc/{postmaster}/task/{postmaster}/children") as f:
        for child in f.read().split():
            with contextlib.suppress(OSError):
                total += _cpu(int(child))
    return total


def _postmaster() -> int | None:
    if os.environ.get(settings.RESULTS_URL):
        return None
    from pelican_dagster.storage.embedded import pelican_home

    try:
        return int((pelican_home() / "pgdata" / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _load(engine: sa.Engine, items: int) -> int:
    with engine.begin() as conn:
        dataset_id = register_dataset(conn, f"benchmark_chunk_{time.time_ns()}", collection_id=None)
        with gzip.open(FILE, "rt", encoding="utf-8") as f:
            lines = (line for _, line in zip(range(items), f, strict=False))
            copy_rows(conn, "data_item", ("dataset_id", "data"), ((dataset_id, line) for line in lines))
        conn.execute(
            sa.text("UPDATE data_item SET ocid = data->>'ocid' WHERE dataset_id = :d"), {"d": dataset_id}
        )
    return dataset_id


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=5000, help="items to load (without --dataset)")
    parser.add_argument("--chunk", type=int, default=5000, help="items per chunk (5,000: the largest)")
    parser.add_argument("--repeat", type=int, default=3, help="runs (median and best shown)")
    parser.add_argument("--dataset", type=int, default=0, help="re-check this dataset's items instead")
    parser.add_argument("--only", action="store_true", help="one line per run (for A/B runs)")
    parser.add_argument("--profile", action="store_true", help="show a cProfile of one run")
    args = parser.parse_args()
    engine = Databases.from_env().results()
    dataset_id = args.dataset or _load(engine, args.items)
    postmaster = _postmaster()
    try:
        with engine.connect() as conn:
            total = item_count(conn, dataset_id)
            bounds = chunk_bounds(conn, dataset_id, args.chunk)
        chunks = [
            {"dataset_id": dataset_id, "first": a, "last": b, "count": c, "total": total}
            for a, b, c in bounds
        ]
        run_chunk(engine, chunks[0])  # warm-up: the check context, codelists, caches

        if args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.enable()
            for chunk in chunks:
                run_chunk(engine, chunk)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(35)
            return

        runs = []
        for _ in range(args.repeat):
            wall, cpu, server = time.perf_counter(), time.process_time(), _server_cpu(postmaster)
            passed = 0.0
            for chunk in chunks:
                passed += run_chunk(engine, chunk)["seconds"]
            wall = time.perf_counter() - wall
            cpu = time.process_time() - cpu
            server = _server_cpu(postmaster) - server
            runs.append((wall, cpu, server, passed))
            if args.only or args.repeat > 1:
                print(
                    f"run: {wall:6.2f} s wall ({total / wall:5,.0f} items/s), {cpu:6.2f} s CPU "
                    f"({total / cpu:5,.0f} items/s per CPU s), server {server:5.2f} s CPU; "
                    f"pass {passed:5.2f} s, writes {wall - passed:5.2f} s"
                )
        if args.only:
            return
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        server = statistics.median(r[2] for r in runs)
        passed = statistics.median(r[3] for r in runs)
        print(f"dataset {dataset_id}: {total:,} items in {len(chunks)} chunks of at most {args.chunk:,}")
        print(f"median of {args.repeat} runs")
        print(
            f"chunk body (run_chunk), wall:  {total / wall:7,.0f} items/s ({wall / total * 1e6:6.1f} µs/item)"
        )
        print(
            f"chunk body, CPU of this process: {total / cpu:5,.0f} items/s ({cpu / total * 1e6:6.1f} µs/item)"
        )
        best = min(r[1] for r in runs)
        print(
            f"  best CPU:                     {total / best:5,.0f} items/s ({best / total * 1e6:6.1f} µs/it.)"
        )
        if postmaster is not None:
            print(f"PostgreSQL server CPU:          {server / total * 1e6:6.1f} µs/item")
        print(f"of the wall: pass (read, check_chunk) {passed / wall:4.0%}, writes {1 - passed / wall:4.0%}")
    finally:
        if not args.dataset:
            with engine.begin() as conn:
                wipe_dataset(conn, dataset_id)


if __name__ == "__main__":
    main()
