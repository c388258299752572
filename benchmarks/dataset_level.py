"""Benchmark of the dataset-level stage: fact extraction, then the dataset and time-based aggregation.

    /work/venv/bin/python benchmarks/dataset_level.py [--copies 10]

Prints, for dominican-republic-dgcp (10,000 items): seconds and µs per item for ``extract_facts``, the
mean size of the stored facts (orjson bytes), then the seconds and peak traced memory of
``DatasetChecker`` and ``TimeBasedChecker`` streaming those stored facts (decoding included), for the
dataset and for a copy ``--copies`` times larger (each copy's facts with the ocid suffixed, so the
ocids stay unique). The time-based pass pairs every item with itself (every ancestor item found). URL
availability runs offline. Timings are CPU seconds of this process (``time.process_time``), the best of
``--repeat`` runs, because the machine may be shared.

With ``--database`` it times instead the stage as the asset runs it on the biggest dataset of the results
database (``Databases.from_env()``: set ``PELICAN_HOME`` or the database URLs; nothing is written):
reading (``stream_facts``), ``DatasetChecker.extend`` and ``results`` separately, then streamed end to
end, in wall-clock seconds (``time.perf_counter``), URL availability offline.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import gzip
import math
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pelican_dagster.checks.context import CheckContext  # noqa: E402
from pelican_dagster.checks.currency import load_default_rates  # noqa: E402
from pelican_dagster.checks.dataset import DatasetChecker, extract_facts  # noqa: E402
from pelican_dagster.checks.time_based import TimeBasedChecker  # noqa: E402

DATA = ROOT / "data" / "ocds" / "dominican-republic-dgcp.jsonl.gz"


def load_items() -> list[dict]:
    with gzip.open(DATA, "rb") as f:
        return [orjson.loads(line) for line in f if line.strip()]


def copies(facts: list[dict], n: int) -> list[bytes]:
    """The stored facts of ``n`` copies of the dataset, each copy's ocids suffixed with ``-<copy>``."""
    out = []
    for j in range(n):
        for f in facts:
            g = dict(f)
            if "o" in g:
                g["o"] = f"{g['o']}-{j}"
            out.append(orjson.dumps(g))
    return out


def aggregate(ctx: CheckContext, facts: list[bytes], traced: bool) -> tuple[float, float, float]:
    """CPU seconds of the dataset pass and of the time-based pass, peak MiB (0 unless traced).

    Both passes read the stored bytes, as the pipeline streams them (decoding included).
    """
    gc.collect()
    if traced:
        tracemalloc.start()
    started = time.process_time()
    checker = DatasetChecker(ctx, lookup=lambda ids: {i: facts[i - 1] for i in ids})
    checker.extend(enumerate(facts, 1))
    checker.results()
    checker.metadata()
    dataset_s = time.process_time() - started
    started = time.process_time()
    time_based = TimeBasedChecker(ctx)
    add_pair = time_based.add
    for item_id, f in enumerate(facts, 1):
        add_pair(item_id, f, item_id, f)
    time_based.results()
    time_s = time.process_time() - started
    peak = 0.0
    if traced:
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return dataset_s, time_s, peak


def from_database(repeat: int) -> None:
    """Time reading, aggregation and results on the biggest dataset of the results database."""
    import dataclasses
    import functools

    import sqlalchemy as sa

    from pelican_dagster.cli import Databases
    from pelican_dagster.pipeline import run_context
    from pelican_dagster.storage.facts import read_facts, stream_facts

    engine = Databases.from_env().results()
    with engine.connect() as conn:
        dataset_id, n, size = conn.execute(
            sa.text(
                "SELECT dataset_id, count(*), avg(length(facts)) FROM item_check WHERE facts IS NOT NULL "
                "GROUP BY dataset_id ORDER BY 2 DESC LIMIT 1"
            )
        ).one()
    ctx = dataclasses.replace(run_context.current(engine), url_check_offline=True)
    lookup = functools.partial(read_facts, engine)
    best = {"read": math.inf, "extend": math.inf, "results": math.inf, "streamed": math.inf}
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        rows = list(stream_facts(engine, dataset_id))
        best["read"] = min(best["read"], time.perf_counter() - started)
        checker = DatasetChecker(ctx, lookup=lookup)
        started = time.perf_counter()
        checker.extend(rows)
        best["extend"] = min(best["extend"], time.perf_counter() - started)
        del rows
        started = time.perf_counter()
        checker.results()
        checker.metadata()
        best["results"] = min(best["results"], time.perf_counter() - started)
        gc.collect()
        started = time.perf_counter()
        checker = DatasetChecker(ctx, lookup=lookup)
        checker.extend(stream_facts(engine, dataset_id))
        checker.results()
        checker.metadata()
        best["streamed"] = min(best["streamed"], time.perf_counter() - started)
    per = 100_000 / n
    print(f"dataset {dataset_id}: {n:,} items, facts {float(size):.0f} bytes/item")
    print(", ".join(f"{k} {v:.3f} s ({v * per:.3f} s per 100,000)" for k, v in best.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3, help="timings are the best of this many runs")
    parser.add_argument("--database", action="store_true", help="time the stage on a results database")
    args = parser.parse_args()
    if args.database:
        from_database(args.repeat)
        return

    items = load_items()
    n = len(items)
    # The pipeline streams items and facts; here they are all held, so keep the collector from walking
    # them again and again (which would be an artefact of the benchmark, not a cost of the code).
    gc.freeze()
    extract_s = float("inf")
    for _ in range(args.repeat):
        started = time.process_time()
        facts = [extract_facts(item) for item in items]
        extract_s = min(extract_s, time.process_time() - started)
    encoded = [orjson.dumps(f) for f in facts]
    sizes = [len(b) for b in encoded]
    print(f"items: {n}")
    print(f"extract_facts: {extract_s:.3f} s ({extract_s / n * 1e6:.1f} µs/item)")
    print(
        f"facts bytes/item: mean {statistics.mean(sizes):.0f}, median {statistics.median(sizes):.0f}, "
        f"max {max(sizes)} (items: mean {statistics.mean(len(orjson.dumps(i)) for i in items):.0f})"
    )

    ctx = CheckContext(
        now=dt.datetime(2026, 11, 29, 11, tzinfo=dt.UTC),
        ocid_prefixes=(),
        org_id_codes=frozenset(),
        rates=load_default_rates(),
        url_check_offline=True,
    )
    del items
    big = copies(facts, args.copies)
    gc.freeze()
    for label, data in ((f"{n:,} items", encoded), (f"{len(big):,} items", big)):
        runs = [aggregate(ctx, data, traced=False) for _ in range(args.repeat)]
        dataset_s = min(r[0] for r in runs)
        time_s = min(r[1] for r in runs)
        per = 100_000 / len(data)
        print(
            f"{label}: DatasetChecker {dataset_s:.3f} s ({dataset_s * per:.3f} s per 100,000), "
            f"TimeBasedChecker {time_s:.3f} s ({time_s * per:.3f} s per 100,000)"
        )
        _, _, peak = aggregate(ctx, data, traced=True)
        print(f"{label}: peak traced memory of both passes {peak:.1f} MiB")


if __name__ == "__main__":
    main()
