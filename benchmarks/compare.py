"""Benchmark: ``pelican-dagster check`` end to end, phase by phase, beside the parse floor measured in the
same run and Pelican's published figures; one table from one run.

    python benchmarks/compare.py [--file FILE] [--items] [--json]

The check runs as users run it: the ``pelican-dagster`` command in a new process (interpreter start,
imports, load, the Dagster run, export). Its phases come from the time each output line arrives and from
the run's Dagster events; CPU seconds are those of its whole process tree (sampled from ``/proc``) and,
with the embedded server (no ``PELICAN_*_URL``), of the PostgreSQL server. The parse floor is gunzip +
``orjson.loads`` of every line of the same file, in this process, just before.

Pelican's figures (its own benchmark of the same 10,000 Dominican Republic items, collection already in
Kingfisher Process): 142.9 s end to end, 145 items/s per core in the item hot loop, ~13.5 KB of results
per item. Prints, never asserts: speed is measured, not tested. To compare two versions, run it
alternately for each, A B A B, each with its own virtualenv (the other tree installed with ``pip install
--no-deps -e``) and its own ``PELICAN_HOME``, from a folder outside both trees: ``PYTHONPATH`` does not
select the other tree's code (an editable install's import hook comes first), and the fork server puts
the current folder first on its path (started inside a tree, every step would run that tree's code).
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from proc import children

FILE = Path(__file__).parent.parent / "data" / "ocds" / "dominican-republic-dgcp.jsonl.gz"
#: Pelican's published figures for the same 10,000 items.
PELICAN_SECONDS = 142.9
PELICAN_ITEMS_PER_SECOND_PER_CORE = 145.0
PELICAN_BYTES_PER_ITEM = 13_500
_HZ = os.sysconf("SC_CLK_TCK")


def _cpu_of(pid: int) -> tuple[float, float]:
    """(own CPU seconds, reaped children's CPU seconds) of a live process."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _HZ, (int(fields[13]) + int(fields[14])) / _HZ


class Sampler:
    """CPU seconds over time of a process tree and of the embedded PostgreSQL server, sampled every
    50 ms, so that every phase gets its CPU as well as its wall time. A process is counted with its last
    sample (one living less than 50 ms may be missed); the server's exited backends through the
    postmaster's reaped time."""

    def __init__(self, root: int, postmaster: int | None):
        self.root, self.postmaster = root, postmaster
        self.last: dict[int, float] = {}
        self.samples: list[tuple[float, float, float]] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._poll, daemon=True)
        self.thread.start()

    def _tree(self, root: int) -> list[int]:
        tree, todo = [], [root]
        while todo:
            pid = todo.pop()
            tree.append(pid)
            todo.extend(children(pid))
        return tree

    def _server(self) -> float:
        if self.postmaster is None:
            return 0.0
        try:
            own, reaped = _cpu_of(self.postmaster)
        except OSError:
            return 0.0
        total = own + reaped
        for child in children(self.postmaster):
            with contextlib.suppress(OSError):
                total += _cpu_of(child)[0]
        return total

    def sample(self) -> None:
        for pid in self._tree(self.root):
            with contextlib.suppress(OSError):
                self.last[pid] = _cpu_of(pid)[0]
        self.samples.append((time.time(), sum(self.last.values()), self._server()))

    def _poll(self) -> None:
        while not self.stop.is_set():
            self.sample()
            time.sleep(0.05)

    def finish(self) -> None:
        self.stop.set()
        self.thread.join()

    def at(self, when: float) -> tuple[float, float]:
        """(tree CPU, server CPU) at the last sample before ``when``."""
        index = bisect.bisect_right([t for t, _, _ in self.samples], when) - 1
        _, tree, server = self.samples[max(0, index)]
        return tree, server

    def between(self, begin: float, end: float) -> tuple[float, float]:
        a, b = self.at(begin), self.at(end)
        return b[0] - a[0], b[1] - a[1]


def postmaster_of(pgdata: Path) -> int | None:
    """The embedded server's postmaster pid, or None when it is not running here."""
    try:
        return int((pgdata / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def parse_floor(path: str) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, lines) of gunzip + orjson.loads of every line."""
    import orjson

    start, cpu = time.perf_counter(), time.process_time()
    lines = 0
    with gzip.open(path, "rb") as f:
        for line in f:
            if line.strip():
                orjson.loads(line)
                lines += 1
    return time.perf_counter() - start, time.process_time() - cpu, lines


@dataclass
class Check:
    """One ``pelican-dagster check`` run: its output lines with their arrival times, and its CPU."""

    start: float
    end: float
    sampler: Sampler
    lines: list[tuple[float, str]] = field(default_factory=list)
    returncode: int = 0

    def first(self, pattern: str) -> tuple[float, re.Match] | None:
        for at, line in self.lines:
            found = re.search(pattern, line)
            if found:
                return at, found
        return None


def run_check(path: str, out: str, items: bool, pgdata: Path | None) -> Check:
    """Run the CLI on ``path`` and record its output lines, wall and CPU."""
    script = Path(sys.executable).parent / "pelican-dagster"
    launcher = [str(script)] if script.exists() else [sys.executable, "-m", "pelican_dagster.cli"]
    command = [*launcher, "check", path, "--out", out]
    if not items:
        command.append("--no-items")
    start = time.time()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    check = Check(
        start=start, end=start, sampler=Sampler(process.pid, postmaster_of(pgdata) if pgdata else None)
    )
    assert process.stdout is not None
    for line in process.stdout:
        check.lines.append((time.time(), line.rstrip("\n")))
    check.sampler.sample()  # the last CPU figures before the process is reaped
    check.returncode = process.wait()
    check.end = time.time()
    check.sampler.sample()
    check.sampler.finish()
    return check


def _steps(instance, run_id: str) -> dict[str, dict[str, float]]:
    """Per step: the times its worker started launching, it started and it ended (epoch seconds)."""
    steps: dict[str, dict[str, float]] = {}
    for record in instance.get_records_for_run(run_id).records:
        entry = record.event_log_entry
        event = entry.dagster_event
        if event is None or not event.step_key:
            continue
        kind = {"STEP_WORKER_STARTING": "launch", "STEP_START": "start", "STEP_SUCCESS": "end"}.get(
            event.event_type_value
        )
        if kind:
            steps.setdefault(event.step_key, {})[kind] = entry.timestamp
    return steps


def _asset(step_key: str) -> str:
    return step_key.split(".")[0].split("[")[0]


def _stored_bytes(results_engine, name: str) -> tuple[float, float]:
    """Bytes of stored results per item: (item_check rows, with the examples and reports). The frontend's
    field_level_check and resource_level_check are views over item_check: nothing more is stored."""
    import sqlalchemy as sa

    with results_engine.connect() as conn:
        dataset_id = conn.execute(sa.text("SELECT id FROM dataset WHERE name = :n"), {"n": name}).scalar_one()
        items = conn.execute(
            sa.text("SELECT count(*) FROM data_item WHERE dataset_id = :d"), {"d": dataset_id}
        ).scalar_one()
        sizes = [
            conn.execute(
                sa.text(f"SELECT coalesce(sum(pg_column_size(t.*)), 0) FROM {table} t WHERE dataset_id = :d"),
                {"d": dataset_id},
            ).scalar_one()
            for table in (
                "item_check",
                "field_level_check_examples",
                "resource_level_check_examples",
                "report",
            )
        ]
    return sizes[0] / items, sum(sizes) / items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", default=str(FILE))
    parser.add_argument("--items", action="store_true", help="export the per-item results too")
    parser.add_argument("--json", action="store_true", help="also print the figures as one JSON line")
    args = parser.parse_args()
    os.environ.setdefault("PELICAN_URL_CHECK_OFFLINE", "1")

    from pelican_dagster.cli import Databases, _instance

    embedded = not os.environ.get("PELICAN_KINGFISHER_PROCESS_URL") or not os.environ.get(
        "PELICAN_RESULTS_URL"
    )
    dbs = Databases.from_env()  # starts the embedded server first, so that the check does not pay for it
    pgdata = Path(os.environ["PELICAN_HOME"]) / "pgdata" if embedded else None

    floor_wall, floor_cpu, lines = parse_floor(args.file)
    out = tempfile.mkdtemp(prefix="pelican-compare-")
    check = run_check(args.file, str(Path(out) / "export"), args.items, pgdata)
    if check.returncode:
        print("\n".join(line for _, line in check.lines[-30:]), file=sys.stderr)
        sys.exit(f"pelican-dagster check failed (exit status {check.returncode})")

    loaded = check.first(r": (\d+) compiled releases in collection \d+ .* in ([\d.]+) s$")
    running = check.first(r"running the pelican job for dataset (\S+) \((\d+) items")
    assert loaded and running, "unexpected output of pelican-dagster check"
    items = int(running[1][2])
    name = running[1][1]
    load_end, load_seconds = loaded[0], float(loaded[1][2])
    instance = _instance()
    import dagster as dg

    run = instance.get_runs(filters=dg.RunsFilter(tags={"dagster/partition": name}), limit=1)[0]
    steps = _steps(instance, run.run_id)
    first_start = min(s["start"] for s in steps.values())
    last_end = max(s["end"] for s in steps.values())

    sampler = check.sampler
    rows: list[tuple[str, float, float | None, float | None, float | None, str]] = []

    def row(phase: str, begin: float, end: float, n: int | None = None, note: str = "") -> None:
        seconds = end - begin
        cpu, server = sampler.between(begin, end)
        rows.append((phase, seconds, n / seconds if n and seconds else None, cpu, server, note))

    load_start = load_end - load_seconds
    rows.append(
        ("parse floor (gunzip + orjson)", floor_wall, lines / floor_wall, floor_cpu, None, "this process")
    )
    row("start-up (interpreter, imports)", check.start, load_start)
    row("load into Kingfisher tables", load_start, load_end, items)
    row("register, launch until first step", load_end, first_start)
    by_asset: dict[str, list[dict[str, float]]] = {}
    for key, step in steps.items():
        by_asset.setdefault(_asset(key), []).append(step)
    for asset in ("dataset_items", "item_checks", "dataset_checks", "time_based_checks", "report"):
        spans = by_asset.get(asset, [])
        if not spans:
            continue
        begin = min(s.get("launch", s["start"]) for s in spans)
        end = max(s["end"] for s in spans)
        busy = sum(s["end"] - s["start"] for s in spans)
        note = f"{len(spans)} steps, {busy:.2f} s in them"
        if asset == "item_checks":
            chunks = [s["end"] - s["start"] for k, s in steps.items() if "check_item_chunk" in k]
            per_core = items / sum(chunks) if chunks else 0.0
            note += f"; chunk steps {per_core:,.0f} items/s each"
        row(asset if asset != "dataset_items" else "dataset_items (extraction)", begin, end, items, note)
    launches = [s["start"] - s["launch"] for s in steps.values() if "launch" in s]
    rows.append(
        (
            "(step start-up, launch → start, summed)",
            sum(launches),
            None,
            None,
            None,
            f"{len(launches)} step processes" if launches else "in-process",
        )
    )
    row("export and exit", last_end, check.end)
    row("end to end", check.start, check.end, items)
    total = check.end - check.start

    load = os.getloadavg()[0]
    print(f"\n{args.file}: {items:,} items, {os.cpu_count()} cores, load average {load:.1f} at the end")
    print(f"{'phase':<40} {'wall s':>7} {'items/s':>8} {'CPU s':>6} {'PG CPU':>6}  notes")

    def number(value: float | None, spec: str) -> str:
        return format(value, spec) if value is not None else ""

    for phase, seconds, rate, cpu, server, note in rows:
        server_text = number(server, ".2f") if pgdata else ""
        print(
            f"{phase:<40} {seconds:7.2f} {number(rate, ',.0f'):>8} {number(cpu, '.2f'):>6} "
            f"{server_text:>6}  {note}"
        )
    chunks = [s["end"] - s["start"] for k, s in steps.items() if "check_item_chunk" in k]
    per_core = items / sum(chunks) if chunks else 0.0
    item_bytes, with_reports = _stored_bytes(dbs.results(), name)
    print("\nagainst the parse floor and Pelican's published figures:")
    print(
        f"  end to end: {total:.2f} s = {total / floor_wall:.1f}× the parse floor ({floor_wall:.2f} s); "
        f"Pelican {PELICAN_SECONDS} s: {PELICAN_SECONDS / total:.1f}× faster"
    )
    print(
        f"  item pass: {per_core:,.0f} items/s per chunk step (one core each); Pelican's hot loop "
        f"{PELICAN_ITEMS_PER_SECOND_PER_CORE:.0f}/s/core: {per_core / PELICAN_ITEMS_PER_SECOND_PER_CORE:.1f}×"
    )
    print(
        f"  results stored per item: {item_bytes:,.0f} B (item_check), {with_reports:,.0f} B with the "
        f"examples and reports; Pelican ~{PELICAN_BYTES_PER_ITEM:,} B: "
        f"{PELICAN_BYTES_PER_ITEM / with_reports:.1f}× less"
    )
    if args.json:
        print(
            json.dumps({"file": args.file, "items": items, "rows": rows, "total": total, "floor": floor_wall})
        )


if __name__ == "__main__":
    main()
