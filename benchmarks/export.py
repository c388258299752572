"""Benchmark: the export with per-item results (``pelican-dagster export``, ``check`` without
``--no-items``) of an already checked dataset, alone: items/s of the wall clock and of this process's
CPU time, and the size of ``items.jsonl.gz``.

    python benchmarks/export.py [DATASET] [--repeat 2] [--out DIR]

DATASET defaults to the newest checked dataset of ``PELICAN_RESULTS_URL`` (check one first, e.g.
``pelican-dagster check data/ocds/dominican-republic-dgcp.jsonl.gz --no-items --out /tmp/x``). Only
``items.jsonl.gz`` is timed (the other files are small and written as before). Prints, never asserts.
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
    args = parser.parse_args()

    from pelican_dagster.cli import Databases
    from pelican_dagster.pipeline.export import export_items

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
    out = Path(args.out or tempfile.mkdtemp(prefix="export-bench-"))
    out.mkdir(parents=True, exist_ok=True)
    print(f"dataset {name}, writing {out / 'items.jsonl.gz'}")
    print(f"{'run':>3} {'items':>8} {'wall s':>8} {'CPU s':>8} {'items/s':>9} {'items/CPU s':>12} {'MB':>8}")
    for run in range(1, args.repeat + 1):
        start, cpu = time.perf_counter(), _cpu()
        items = export_items(engine, name, out / "items.jsonl.gz")
        wall, used = time.perf_counter() - start, _cpu() - cpu
        size = (out / "items.jsonl.gz").stat().st_size / 1e6
        rates = f"{items / wall:9,.0f} {items / used:12,.0f}"
        print(f"{run:>3} {items:>8,} {wall:8.2f} {used:8.2f} {rates} {size:8.1f}")


if __name__ == "__main__":
    main()
