"""Benchmark: load the 10,000-item Dominican Republic file into Kingfisher Process tables, then time the
extraction (Kingfisher Process → data_item) and print items/s. Target (issue 13): ≥ 10,000 items/s.

    python benchmarks/extraction.py [--repeat 3] [--piped]

Uses ``PELICAN_KINGFISHER_PROCESS_URL``/``PELICAN_RESULTS_URL`` when set, else the embedded server (where
Kingfisher Process's tables share the results database, so the copy is one ``INSERT … SELECT`` on the
server). ``--piped`` puts Kingfisher Process's tables in a database of their own on the same server
(``<results database>_kfp_bench``), as in a deployment beside a real Kingfisher Process: the items are
then piped with ``COPY … TO STDOUT`` / ``COPY … FROM STDIN``.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import sqlalchemy as sa

from pelican_dagster.cli import Databases
from pelican_dagster.pipeline.loader import load_file
from pelican_dagster.storage import engines
from pelican_dagster.storage.db import make_engine
from pelican_dagster.storage.extraction import extract, same_database
from pelican_dagster.storage.results import register_dataset

FILE = Path(__file__).parent.parent / "data" / "ocds" / "dominican-republic-dgcp.jsonl.gz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="extractions into fresh datasets")
    parser.add_argument("--file", default=str(FILE))
    parser.add_argument("--piped", action="store_true", help="Kingfisher Process in a database of its own")
    args = parser.parse_args()

    dbs = Databases.from_env()
    kfp, results = dbs.kingfisher(ensure_tables=True), dbs.results()
    if args.piped:
        url = results.url.set(database=f"{results.url.database}_kfp_bench")
        admin = make_engine(
            results.url.set(database="postgres").render_as_string(hide_password=False),
            isolation_level="AUTOCOMMIT",
        )
        with admin.connect() as conn:
            if not conn.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": url.database}
            ).first():
                conn.exec_driver_sql(f'CREATE DATABASE "{url.database}"')
        admin.dispose()
        kfp = engines.kingfisher_engine(url.render_as_string(hide_password=False), ensure_tables=True)
        # The results know collections by id: start this database's ids past those they know already.
        with results.connect() as conn:
            known = conn.execute(sa.text("SELECT coalesce(max(collection_id), 0) FROM dataset")).scalar()
        with kfp.begin() as conn:
            conn.execute(
                sa.text(
                    "SELECT setval('collection_id_seq', greatest(:n, last_value)) FROM collection_id_seq"
                ),
                {"n": known + 1},
            )
    path = "one INSERT … SELECT on the server" if same_database(kfp, results) else "piped COPY"
    print(f"Kingfisher Process: {kfp.url.database}, results: {results.url.database} ({path})")
    start = time.perf_counter()
    loaded = load_file(kfp, args.file, source_id="benchmark")
    load_seconds = time.perf_counter() - start
    print(f"load: {loaded.items} items in {load_seconds:.2f} s ({loaded.items / load_seconds:,.0f} items/s)")

    name = f"benchmark_{kfp.url.database}_{loaded.collection_id}"
    with results.begin() as conn:
        register_dataset(conn, name, collection_id=loaded.collection_id, options={"max_size": 300_000})
    rates = []
    for run in range(args.repeat):
        # Run 1 is a new dataset; later runs re-extract it, replacing its items (the re-run path).
        result = extract(kfp, results, name)
        rates.append(result.items_per_second)
        kind = "re-run" if run else "new dataset"
        print(
            f"extraction {run + 1} ({kind}): {result.items} items in {result.seconds:.2f} s "
            f"({result.items_per_second:,.0f} items/s)"
        )
    print(f"extraction, new dataset: {rates[0]:,.0f} items/s; median of all: {statistics.median(rates):,.0f}")
    print("target: ≥ 10,000 items/s")


if __name__ == "__main__":
    main()
