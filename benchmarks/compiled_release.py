"""Speed of the 37 compiled-release-level checks, and size of their compact form.

Usage: ``python benchmarks/compiled_release.py [FILE] [--limit N] [--profile]``
(default FILE: ``data/ocds/dominican-republic-dgcp.jsonl.gz``). Prints items per second on one core
with parsing excluded and included, the time per check, the cost of feeding the report, and the bytes
per item of :mod:`pelican_dagster.checks.compiled_release.encoding`. Times are CPU time of this process
(best of three), so that other work on the machine disturbs them less.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import sys
import time
from pathlib import Path

import orjson

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pelican_dagster.checks.compiled_release import CHECKS, check_item  # noqa: E402
from pelican_dagster.checks.compiled_release.encoding import encode  # noqa: E402
from pelican_dagster.checks.compiled_release.report import ResourceReport  # noqa: E402
from pelican_dagster.checks.context import CheckContext  # noqa: E402
from pelican_dagster.checks.currency import load_default_rates  # noqa: E402
from pelican_dagster.checks.sampling import rng_for  # noqa: E402

DEFAULT = REPO / "data" / "ocds" / "dominican-republic-dgcp.jsonl.gz"


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file", nargs="?", default=str(DEFAULT))
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--profile", action="store_true", help="show a cProfile of check_item")
    args = parser.parse_args()

    with gzip.open(args.file, "rb") as f:
        lines = [line for line in f if line.strip()]
    if args.limit:
        lines = lines[: args.limit]
    ctx = CheckContext(
        now=dt.datetime(2026, 11, 29, 11, tzinfo=dt.UTC),
        ocid_prefixes=(),
        org_id_codes=frozenset(),
        rates=load_default_rates(),
    )
    n = len(lines)

    start = time.process_time()
    items = [orjson.loads(line) for line in lines]
    parse = time.process_time() - start

    check_item(items[0], ctx)  # warm caches (rates, imports)
    best = float("inf")
    for _ in range(3):  # best of three
        start = time.process_time()
        # Results are not kept: a pipeline encodes and drops them, and keeping 370,000 of them
        # would mostly measure the garbage collector walking them.
        for item in items:
            check_item(item, ctx)
        best = min(best, time.process_time() - start)
    results = [check_item(item, ctx) for item in items]

    start = time.process_time()
    report = ResourceReport(rng_for(0, "benchmark"))
    for i, (item, result) in enumerate(zip(items, results, strict=True)):
        report.add(i, item.get("ocid"), result)
    reporting = time.process_time() - start

    start = time.process_time()
    encoded = [encode(r) for r in results]
    encoding = time.process_time() - start
    size = sum(map(len, encoded))

    # The families as check_item runs them (one shared view per item).
    from pelican_dagster.checks.compiled_release import TRIE
    from pelican_dagster.checks.compiled_release.item import CompiledRelease

    families = {}
    for family in ("coherent", "consistent", "reference"):
        plan = [(name, function) for name, function in CHECKS.items() if name.startswith(family + ".")]
        seconds = float("inf")
        for _ in range(3):
            start = time.process_time()
            for item in items:
                view = CompiledRelease(item, TRIE)
                for _name, function in plan:
                    function(item, ctx, view)
            seconds = min(seconds, time.process_time() - start)
        families[family] = (len(plan), seconds)

    per_check = {}
    for name, function in CHECKS.items():
        start = time.process_time()
        for item in items:
            function(item, ctx, CompiledRelease(item, TRIE))
        per_check[name] = time.process_time() - start

    print(f"file: {args.file} ({n} items)")
    print(f"all 37 checks, parse excluded: {n / best:,.0f} items/s ({best / n * 1e6:.1f} µs/item)")
    with_parse = n / (best + parse)
    print(f"all 37 checks, parse included: {with_parse:,.0f} items/s (parse {parse / n * 1e6:.1f} µs/item)")
    print(f"report.add: {reporting / n * 1e6:.1f} µs/item; encode: {encoding / n * 1e6:.1f} µs/item")
    print(f"compact form: {size / n:.1f} bytes/item (max {max(map(len, encoded))})")
    for family, (count, seconds) in families.items():
        print(f"{family} ({count} checks, each family alone): {seconds / n * 1e6:.1f} µs/item")
    print("per check (alone, µs/item; party checks include building their facts):")
    for name, seconds in sorted(per_check.items(), key=lambda kv: -kv[1]):
        print(f"  {seconds / n * 1e6:7.2f}  {name}")

    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        for item in items:
            check_item(item, ctx)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
