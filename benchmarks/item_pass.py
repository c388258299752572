"""Speed of the whole item pass on one core: field-level + compiled-release-level checks, the chunk's
report accumulators (counts and example samples), the compact encodings and the dataset facts of
every item, as ``pelican_dagster.pipeline.item_pass.check_chunk`` runs them in a chunk step.

Usage: ``python benchmarks/item_pass.py [FILE] [--limit N] [--chunk N] [--repeat N] [--profile]``
(default FILE: ``data/ocds/dominican-republic-dgcp.jsonl.gz``, 10,000 items; chunks of 2,500 items as
the pipeline cuts them). The reference configuration is used (now 2026-11-29T11:00:00Z, the
conformance codelists, the bundled exchange rates).

Prints items/s per core (CPU time of this process, best of ``--repeat``: other processes on a shared
machine disturb it less than wall time) for the whole pass with parsing included, the parse alone
(orjson), the pass without parsing, and the share of each stage measured alone.
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

from pelican_dagster.checks import compiled_release  # noqa: E402
from pelican_dagster.checks.codelists import load_ocid_prefixes, load_org_id_codes  # noqa: E402
from pelican_dagster.checks.context import CheckContext  # noqa: E402
from pelican_dagster.checks.currency import load_default_rates  # noqa: E402
from pelican_dagster.checks.dataset.facts import extract_facts  # noqa: E402
from pelican_dagster.checks.field import check_item_fields  # noqa: E402
from pelican_dagster.pipeline.item_pass import check_chunk  # noqa: E402

DEFAULT = REPO / "data" / "ocds" / "dominican-republic-dgcp.jsonl.gz"
CODELISTS = REPO / "tests" / "conformance" / "codelists"


def _best(run, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        run()
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", default=str(DEFAULT))
    parser.add_argument("--limit", type=int, default=0, help="items to use (0 = all)")
    parser.add_argument("--chunk", type=int, default=2500, help="items per chunk (as the pipeline)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (the best is shown)")
    parser.add_argument("--profile", action="store_true", help="show a cProfile of the whole pass")
    parser.add_argument("--only", action="store_true", help="measure the whole pass only (for A/B runs)")
    args = parser.parse_args()

    with gzip.open(args.file, "rb") as f:
        lines = [line for line in f if line.strip()]
    if args.limit:
        lines = lines[: args.limit]
    n = len(lines)
    rows = list(enumerate(lines, 1))
    chunks = [rows[i : i + args.chunk] for i in range(0, n, args.chunk)]
    ctx = CheckContext(
        now=dt.datetime(2026, 11, 29, 11, tzinfo=dt.UTC),
        ocid_prefixes=load_ocid_prefixes(str(CODELISTS / "ocid_prefixes.csv")),
        org_id_codes=load_org_id_codes(str(CODELISTS / "org-id.csv")),
        rates=load_default_rates(),
    )
    check_chunk(chunks[0][:10], ctx, "warm-up")  # imports, rates, codelists

    def whole() -> None:
        for chunk in chunks:
            check_chunk(chunk, ctx, str(chunk[0][0]))

    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        whole()
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
        return

    total = _best(whole, args.repeat)
    print(f"file: {args.file} ({n:,} items, chunks of {args.chunk:,})")
    print(f"whole item pass, parse included: {n / total:8,.0f} items/s/core ({total / n * 1e6:6.1f} µs/item)")
    if args.only:
        return

    parse = _best(lambda: [orjson.loads(line) for line in lines], args.repeat)
    print(f"parse alone (orjson):            {n / parse:8,.0f} items/s/core ({parse / n * 1e6:6.1f} µs/item)")
    rest = total - parse
    print(f"whole item pass, parse excluded: {n / rest:8,.0f} items/s/core ({rest / n * 1e6:6.1f} µs/item)")

    # Each stage alone on the parsed items (parse excluded; items parsed per chunk, as the pass holds them).
    stages = {
        "field-level checks": lambda item: check_item_fields(item, ctx),
        "compiled-release checks": lambda item: compiled_release.check_item(item, ctx),
        "dataset facts": extract_facts,
    }
    print("stages alone, parse excluded (the rest is the report accumulators, encodings, the loop):")
    for label, stage in stages.items():

        def run(stage=stage) -> None:
            for chunk in chunks:
                items = [orjson.loads(text) for _, text in chunk]
                for item in items:
                    stage(item)

        seconds = _best(run, args.repeat) - parse
        print(f"  {label:25} {seconds / n * 1e6:6.1f} µs/item ({seconds / rest:4.0%} of the pass)")


if __name__ == "__main__":
    main()
