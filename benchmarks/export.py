"""Benchmark: the export with per-item results (``pelican-dagster export``, ``check`` without
``--no-items``) of an already checked dataset, alone: items/s of the wall clock and of the CPU time
(this process and its worker processes), and the size of ``items.jsonl.gz``; with the worker processes
the export uses by default (one per core) and in one process, alternately (A B A B), since wall times on
a shared machine drift.

    python benchmarks/export.py [DATASET] [--repeat 2] [--out DIR] [--workers N]

DATASET defaults to the newest checked dataset of ``PELICAN_RESULTS_URL`` (check one first, e.g.
``pelican-dagster check data/ocds/dominican-republic-dgcp.jsonl.gz --no-items --out /tmp/x``). Only
``items.jsonl.gz`` is timed (the other files are small and written as before). CPU is this process's
and its workers'; "own CPU" this process's alone (with workers: planning the parts and joining them).
Prints, never asserts; the last line gives the peak memory (RSS) of this process and of the largest
worker.
Target (docs/export-format.md): the 10,000 items of dominican-republic-dgcp in ≤ 11 s.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (export workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", nargs="?", help="a checked dataset's name (default: the newest)")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--out", help="export folder (default: a temporary one)")
    parser.add_argument("--workers", type=int, help="worker processes (default: the export's own choice)")
    args = parser.parse_args()

    from pelican_dagster.cli import Databases
    from pelican_dagster.pipeline import run_context
    from pelican_dagster.pipeline.export import export_items, export_workers
    from pelican_dagster.storage.results import dataset_by_name

    engine = Databases.from_env().results()
    name = args.dataset
    if name is None:
        with engine.connect() as conn:
            name = conn.execute(
                sa.text(
                    "SELECT d.name FROM dataset d JOIN progress_monitor_dataset p ON p.dataset_id = d.id "
                    "WHERE p.phase = 'CHECKED' ORDER BY d.id DESC LIMIT 1"
                )
            ).scalar()
        if name is None:
            raise SystemExit("no checked dataset: check one first (see this file's docstring)")
    with engine.connect() as conn:
        size = conn.execute(
            sa.text(
                "SELECT count(*) FROM data_item i JOIN dataset d ON d.id = i.dataset_id WHERE d.name = :n"
            ),
            {"n": name},
        ).scalar()
    workers = args.workers or export_workers(size)
    # The dataset's check context (codelists, rates) is built once per process, whichever mode runs
    # first: build it before the timings, as `check` has by the time it exports.
    with engine.connect() as conn:
        run_context.recorded(engine, dataset_by_name(conn, name).id)
    out = Path(args.out or tempfile.mkdtemp(prefix="export-bench-"))
    out.mkdir(parents=True, exist_ok=True)
    print(f"dataset {name} ({size:,} items), writing {out / 'items.jsonl.gz'}")
    header = f"{'run':>3} {'processes':>11} {'items':>8} {'wall s':>8} {'CPU s':>8} {'own CPU s':>9}"
    print(f"{header} {'items/s':>9} {'items/CPU s':>12} {'MB':>8}")
    for run in range(1, args.repeat + 1):
        for processes in (workers, 1):
            start, cpu, own = time.perf_counter(), _cpu(), time.process_time()
            items = export_items(engine, name, out / "items.jsonl.gz", workers=processes)
            wall, used, own = time.perf_counter() - start, _cpu() - cpu, time.process_time() - own
            size_mb = (out / "items.jsonl.gz").stat().st_size / 1e6
            label = f"{processes} workers" if processes > 1 else "one process"
            rates = f"{items / wall:9,.0f} {items / used:12,.0f}"
            times = f"{wall:8.2f} {used:8.2f} {own:9.2f}"
            print(f"{run:>3} {label:>11} {items:>8,} {times} {rates} {size_mb:8.1f}")
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    peaks = f"this process {own.ru_maxrss / 1024:.0f} MB, largest worker {children.ru_maxrss / 1024:.0f} MB"
    print(f"peak RSS: {peaks}")


if __name__ == "__main__":
    main()
