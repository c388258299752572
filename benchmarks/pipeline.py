"""Benchmark: the whole pipeline through Dagster on the 10,000-item Dominican Republic file (or any file):
per phase the wall seconds and items/s, per process kind the peak RSS, the Dagster events of the run and
the database bytes per item.

    python benchmarks/pipeline.py [--file FILE] [--copies N] [--with-ancestor] [--in-process] [--json OUT]

``--copies N`` checks N copies of every line (ocids suffixed so they stay unique): ``--copies 10`` makes
the 100,000-item dataset, ``--copies 100`` the 1,000,000-item one (issue 13: no process's peak RSS may grow
with the dataset). Uses ``PELICAN_*_URL`` when set, else the embedded server; for database sizes that are
this run's alone, start from an empty ``PELICAN_HOME``. Prints, never asserts: speed is measured, not
tested.

Peak RSS is the kernel's high-water mark (``VmHWM`` in ``/proc/<pid>/status``): of this process (the driver:
load, then the run's orchestration, reset in between through ``/proc/self/clear_refs``), and of every
process it starts (each step process of the multiprocess executor, forked from this one), polled every
50 ms by a sampling process and matched to its step by the pid of the step's Dagster events. A step's
growth in its last 50 ms could be missed; a forked step starts with this process's pages (~the same
baseline for every step).
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import dagster as dg
import orjson
import sqlalchemy as sa
from proc import hwm_kb

FILE = Path(__file__).parent.parent / "data" / "ocds" / "dominican-republic-dgcp.jsonl.gz"
ASSETS = ("dataset_items", "item_checks", "dataset_checks", "time_based_checks", "report")
#: Step kinds, in pipeline order: the step key without its partition or mapping key.
KINDS = (
    "dataset_items",
    "item_checks.plan_item_chunks",
    "item_checks.check_item_chunk",
    "item_checks.collect_item_checks",
    "dataset_checks",
    "time_based_checks",
    "report",
)
#: Tables whose size is reported per item (database, table).
TABLES = (
    ("kingfisher_process", "data"),
    ("kingfisher_process", "compiled_release"),
    ("kingfisher_process", "pelican_loaded_line"),
    ("pelican", "data_item"),
    ("pelican", "item_check"),
    ("pelican", "item_check_chunk"),
    ("pelican", "field_level_check"),
    ("pelican", "resource_level_check"),
)


def _copies(path: str, copies: int) -> str:
    """A temporary file with ``copies`` copies of every line, ocids suffixed ``-c<n>`` after the first.
    The input is read again for every copy, never held: this process's peak RSS is measured later."""
    out = Path(tempfile.mkdtemp()) / f"copies{copies}.jsonl.gz"
    with gzip.open(out, "wb", compresslevel=1) as f:
        for n in range(copies):
            with gzip.open(path, "rb") as source:
                for line in source:
                    if not line.strip():
                        continue
                    if n:
                        item = orjson.loads(line)
                        item["ocid"] = f"{item['ocid']}-c{n}"
                        line = orjson.dumps(item) + b"\n"
                    f.write(line)
    return str(out)


def _reset_hwm() -> None:
    """Reset this process's peak RSS to its current RSS (Linux: ``clear_refs`` 5)."""
    with contextlib.suppress(OSError), open("/proc/self/clear_refs", "w") as f:
        f.write("5")


class PeakRss:
    """The peak RSS of every descendant of this process, polled every ``interval`` seconds by a sampling
    process (``proc.peaks``; ``VmHWM`` only grows, so the last value read is the peak but for the
    process's last interval). Not a thread: with one, the multiprocess executor would start its steps
    from the fork server instead of forking them from this process (its default on one machine)."""

    def __init__(self, interval: float = 0.05) -> None:
        self.peaks: dict[int, int] = {}
        self.commands: dict[int, str] = {}
        #: the processes this one started itself (the fork server, the resource tracker)
        self.direct: set[int] = set()
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("proc.py")), str(os.getpid()), str(interval)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )

    def finish(self) -> None:
        out, _ = self.process.communicate(b"stop\n")
        found = json.loads(out)
        self.peaks = {int(pid): kb for pid, kb in found["peaks"].items()}
        self.commands = {int(pid): command for pid, command in found["commands"].items()}
        self.direct = set(found["direct"])


def _kind(step_key: str) -> str:
    return step_key.split("[")[0]


def _run_facts(instance: dg.DagsterInstance, run_id: str) -> dict:
    """From the run's events: per asset (wall seconds from its first step's start to its last step's end,
    summed seconds of its steps), per step kind the pids of its processes, and the number of events."""
    spans: dict[str, list[float]] = {}
    busy: dict[str, float] = {}
    pids: dict[str, set[int]] = {}
    records = instance.get_records_for_run(run_id, limit=1_000_000).records
    for record in records:
        entry = record.event_log_entry
        event = entry.dagster_event
        if event is None or not event.step_key:
            continue
        kind = _kind(event.step_key)
        if event.pid is not None:
            pids.setdefault(kind, set()).add(event.pid)
        if event.event_type_value not in ("STEP_START", "STEP_SUCCESS"):
            continue
        asset = kind.split(".")[0]
        span = spans.setdefault(asset, [entry.timestamp, entry.timestamp])
        span[0], span[1] = min(span[0], entry.timestamp), max(span[1], entry.timestamp)
        if event.event_type_value == "STEP_SUCCESS":
            busy[asset] = busy.get(asset, 0.0) + event.event_specific_data.duration_ms / 1000
    seconds = {asset: (end - start, busy.get(asset, 0.0)) for asset, (start, end) in spans.items()}
    return {"seconds": seconds, "pids": pids, "events": len(records)}


def _sizes(dbs) -> dict[str, int]:
    """Bytes on disk of every table of :data:`TABLES` (with indexes and TOAST) and of each database."""
    engines = {"kingfisher_process": dbs.kingfisher(), "pelican": dbs.results()}
    sizes: dict[str, int] = {}
    for database, table in TABLES:
        with engines[database].connect() as conn:
            sizes[f"{database}.{table}"] = conn.execute(
                sa.text("SELECT coalesce(pg_total_relation_size(to_regclass(:t)), 0)"), {"t": table}
            ).scalar_one()
    with engines["pelican"].connect() as conn:
        for database in ("kingfisher_process", "pelican", "dagster"):
            sizes[f"database {database}"] = conn.execute(
                sa.text(
                    "SELECT coalesce((SELECT pg_database_size(datname) FROM pg_database"
                    " WHERE datname = :d), 0)"
                ),
                {"d": database},
            ).scalar_one()
    return sizes


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
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    os.environ.setdefault("PELICAN_URL_CHECK_OFFLINE", "1")

    from pelican_dagster.cli import Databases, _instance, register, run_partition
    from pelican_dagster.pipeline.loader import load_file

    executor = "in_process" if args.in_process else "multiprocess"
    begin = time.perf_counter()
    path = _copies(args.file, args.copies) if args.copies > 1 else args.file
    made = time.perf_counter() - begin
    dbs = Databases.from_env()
    instance = _instance()
    sampler = PeakRss()
    _reset_hwm()
    start = time.perf_counter()
    loaded = load_file(dbs.kingfisher(ensure_tables=True), path, source_id="benchmark")
    load_seconds = time.perf_counter() - start
    load_rss = hwm_kb()
    print(f"file with {args.copies} copies made in {made:.1f} s")
    print(f"load into Kingfisher Process: {loaded.items:,} items in {load_seconds:.1f} s")
    ancestor_id = None
    if args.with_ancestor:
        older = load_file(dbs.kingfisher(), path, source_id="benchmark")
        older_name, ancestor_id = register(dbs, instance, older.collection_id, None, {"max_size": None})
        print(f"checking the ancestor {older_name} first …")
        assert run_partition(instance, older_name, executor), "the ancestor's run failed"
    name, _ = register(dbs, instance, loaded.collection_id, ancestor_id, {"max_size": None})

    _reset_hwm()
    start = time.perf_counter()
    ok = run_partition(instance, name, executor)
    total = time.perf_counter() - start
    driver_rss = hwm_kb()
    sampler.finish()
    if path != args.file:
        shutil.rmtree(Path(path).parent, ignore_errors=True)
    run = instance.get_runs(filters=dg.RunsFilter(tags={"dagster/partition": name}), limit=1)[0]
    facts = _run_facts(instance, run.run_id)
    seconds = facts["seconds"]
    n = loaded.items
    print(f"\nrun {'succeeded' if ok else 'FAILED'}: {run.run_id}")
    print(f"\n{'phase':<20} {'wall s':>8} {'items/s':>10} {'step s':>8} {'items/s/core':>13}")
    print(f"{'load':<20} {load_seconds:8.2f} {n / load_seconds:10,.0f}")
    for asset in ASSETS:
        wall, busy = seconds.get(asset, (0.0, 0.0))
        rate, rate_per_core = n / wall if wall else 0, n / busy if busy else 0
        print(f"{asset:<20} {wall:8.2f} {rate:10,.0f} {busy:8.2f} {rate_per_core:13,.0f}")
    print(f"{'whole run':<20} {total:8.2f} {n / total:10,.0f}   (cores: {os.cpu_count()}; with the run's")
    print("                     start-up and each step's process start)")
    print(f"Dagster events of the run: {facts['events']:,}")

    # Peak RSS per process kind: the driver (this process), the fork server, each kind of step.
    rss: dict[str, dict[str, float]] = {
        "driver: load": {"processes": 1, "max_mb": load_rss / 1024, "median_mb": load_rss / 1024},
        "driver: run": {"processes": 1, "max_mb": driver_rss / 1024, "median_mb": driver_rss / 1024},
    }
    servers = [
        kb
        for pid, kb in sampler.peaks.items()
        if pid in sampler.direct and "forkserver" in sampler.commands.get(pid, "")
    ]
    if servers:
        rss["fork server"] = {
            "processes": len(servers),
            "max_mb": max(servers) / 1024,
            "median_mb": statistics.median(servers) / 1024,
        }
    for kind in KINDS:
        peaks = [sampler.peaks[pid] for pid in facts["pids"].get(kind, ()) if pid in sampler.peaks]
        if peaks:
            rss[kind] = {
                "processes": len(peaks),
                "max_mb": max(peaks) / 1024,
                "median_mb": statistics.median(peaks) / 1024,
            }
    print(f"\n{'peak RSS (VmHWM)':<34} {'processes':>9} {'max MB':>8} {'median MB':>10}")
    for kind, row in rss.items():
        print(f"{kind:<34} {row['processes']:9d} {row['max_mb']:8.1f} {row['median_mb']:10.1f}")

    sizes = _sizes(dbs)
    # Per item stored: with --with-ancestor both datasets' items are in the tables.
    with dbs.kingfisher().connect() as conn:
        loaded_items = conn.execute(sa.text("SELECT count(*) FROM compiled_release")).scalar_one()
    with dbs.results().connect() as conn:
        stored_items = conn.execute(sa.text("SELECT count(*) FROM data_item")).scalar_one()
    print(f"\n{'on disk (with indexes, TOAST)':<40} {'MB':>10} {'bytes/item':>11}")
    for key, size in sizes.items():
        per = loaded_items if "kingfisher_process" in key else stored_items
        print(f"{key:<40} {size / 1e6:10.1f} {size / per:11,.0f}")
    with dbs.results().connect() as conn:
        dataset_id = conn.execute(sa.text("SELECT id FROM dataset WHERE name = :n"), {"n": name}).scalar_one()
        field, resource, facts_bytes, rows = conn.execute(
            sa.text(
                "SELECT sum(pg_column_size(field)), sum(pg_column_size(resource)), "
                "sum(pg_column_size(facts)), count(*) FROM item_check WHERE dataset_id = :d"
            ),
            {"d": dataset_id},
        ).one()
    print(
        f"\nstored per item: field {field / rows:.0f} B, compiled release {resource / rows:.0f} B, "
        f"facts {facts_bytes / rows:.0f} B (Pelican: ~13,500 B per item of results)"
    )
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "items": n,
                    "ok": ok,
                    "run_id": run.run_id,
                    "copies_seconds": made,
                    "load_seconds": load_seconds,
                    "run_seconds": total,
                    "assets": {a: {"wall": w, "busy": b} for a, (w, b) in seconds.items()},
                    "events": facts["events"],
                    "rss_mb": rss,
                    "bytes": sizes,
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
