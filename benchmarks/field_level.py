"""Field-level checking speed on one core: items/s with orjson parsing, with ``to_pelican``, bytes/item.

Usage: ``python benchmarks/field_level.py [FILE] [--limit N]`` (default: dominican-republic-dgcp, the
10,000-item benchmark file). The reference configuration is used (now 2026-11-29T11:00:00Z, the
conformance codelists), so the numbers are those of the conformance setup.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import statistics
import time
from pathlib import Path

import orjson

from pelican_dagster.checks.codelists import load_ocid_prefixes, load_org_id_codes
from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.field.evaluate import check_item_fields
from pelican_dagster.checks.field.report import FieldReport

REPO = Path(__file__).resolve().parent.parent
DEFAULT = REPO / "data" / "ocds" / "dominican-republic-dgcp.jsonl.gz"
CODELISTS = REPO / "tests" / "conformance" / "codelists"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", default=str(DEFAULT))
    parser.add_argument("--limit", type=int, default=0, help="items to use (0 = all)")
    args = parser.parse_args()

    with gzip.open(args.file, "rb") as f:
        lines = [line for line in f if line.strip()]
    if args.limit:
        lines = lines[: args.limit]
    n = len(lines)
    ctx = CheckContext(
        now=dt.datetime(2026, 11, 29, 11, tzinfo=dt.UTC),
        ocid_prefixes=load_ocid_prefixes(str(CODELISTS / "ocid_prefixes.csv")),
        org_id_codes=load_org_id_codes(str(CODELISTS / "org-id.csv")),
    )

    # CPU time of this process: "per core" figures that other processes on the machine do not skew.
    clock = time.process_time

    t0 = clock()
    for line in lines:
        orjson.loads(line)
    parse = clock() - t0

    # As the pipeline does it: parse, check, keep only the compact form (items are not retained:
    # retaining 10,000 parsed items makes the garbage collector dominate the timings).
    t0 = clock()
    for line in lines:
        check_item_fields(orjson.loads(line), ctx)
    check = clock() - t0

    t0 = clock()
    sizes = [len(check_item_fields(orjson.loads(line), ctx).encode()) for line in lines]
    encode = clock() - t0

    t0 = clock()
    report = FieldReport(0, ctx)
    entries = 0
    for i, line in enumerate(lines):
        result = check_item_fields(orjson.loads(line), ctx)
        entries += sum(map(len, result.codes.values()))
        report.add(i, result.item.get("ocid"), result)
    report.report()
    report.examples(lambda ids: {i: orjson.loads(lines[i]) for i in ids})  # re-read, as the report asset does
    accumulate = clock() - t0

    t0 = clock()
    for i, line in enumerate(lines):
        item = orjson.loads(line)
        check_item_fields(item, ctx).to_pelican(item.get("ocid"), i)
    pelican = clock() - t0

    print(f"items: {n:,} ({entries:,} entries, {entries / n:.0f} per item)")
    print(f"parse only (orjson):           {n / parse:10,.0f} items/s")
    print(f"parse + field checks:          {n / check:10,.0f} items/s")
    print(f"parse + checks + encode:       {n / encode:10,.0f} items/s")
    print(f"parse + checks + report/examples: {n / accumulate:7,.0f} items/s")
    print(f"parse + checks + to_pelican:   {n / pelican:10,.0f} items/s")
    print(f"compact bytes per item: mean {statistics.mean(sizes):.0f}, max {max(sizes):,}")


if __name__ == "__main__":
    main()
