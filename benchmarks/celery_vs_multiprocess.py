"""Benchmark: the ``pelican`` job on Celery workers against the multiprocess executor, back to back and
alternating, on the 10,000-item Dominican Republic file (or any file); then what one more worker gives.

    python benchmarks/celery_vs_multiprocess.py [--file FILE] [--pairs 3] [--workers 2]
        [--more-workers 3] [--pairs-more 2]

Needs a PostgreSQL server on which it may create databases (``PELICAN_TEST_DATABASE_URL``, e.g.
``postgresql+psycopg2://postgres@127.0.0.1:5432/postgres``) and RabbitMQ (``PELICAN_TEST_BROKER_URL``,
default ``amqp://guest:guest@127.0.0.1:5672//``). It creates its databases and a queue of its own, starts
the Celery workers (``-c 1`` each) as subprocesses, and stops them (by PID) and drops the databases at
the end.

Each round runs the same dataset once with each executor, alternating which goes first, so that the
load of a shared machine weighs on both alike: compare the ratios, not the seconds. With the cluster's
slot count in ``PELICAN_WORKER_SLOTS``, the chunks are sized for the workers (2 × slots chunks).
Finally a model from the 2-worker runs' own event logs (each chunk step's fixed cost and its checking
time) estimates a run on ``--more-workers`` workers on as many machines, next to that many workers
measured on this machine (whose cores they share). Prints, never asserts.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

REPO = Path(__file__).parent.parent
FILE = REPO / "data" / "ocds" / "dominican-republic-dgcp.jsonl.gz"
CHUNK = "item_checks.check_item_chunk"
#: A chunk step's log line: "items 1–2500: 2500 in 4.31 s (580 items/s); …".
CHECKED_IN = re.compile(r"^items \S+: (\d+) in ([\d.]+) s")


def _workers(env: dict[str, str], count: int, logs: Path) -> list[subprocess.Popen]:
    celery = Path(sys.executable).parent / "celery"
    command = [
        str(celery),
        "-A",
        "pelican_dagster.execution.celery_app",
        "worker",
        "-Q",
        env["PELICAN_CELERY_QUEUE"],
    ]
    procs = []
    for n in range(1, count + 1):
        log = open(logs / f"worker{count}-{n}.log", "w")  # noqa: SIM115
        procs.append(
            subprocess.Popen(
                [
                    *command,
                    "-c",
                    "1",
                    "-n",
                    f"w{n}.{env['PELICAN_CELERY_QUEUE']}@%h",
                    "--without-gossip",
                    "--without-mingle",
                    "-l",
                    "INFO",
                ],
                cwd=REPO,
                env={**os.environ, **env},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
    for n in range(1, count + 1):
        while "ready." not in (logs / f"worker{count}-{n}.log").read_text():
            time.sleep(0.3)
    return procs


def _stop(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _chunks(instance, run_id: str) -> dict[str, float]:
    """The run's chunk phase: wall seconds (first chunk start → last chunk end), the summed step
    seconds, the summed checking seconds (the op's own timing) and the number of chunks."""
    import dagster as dg

    starts, ends, steps, checking = [], [], 0.0, 0.0
    for record in instance.all_logs(run_id):
        key = record.step_key or ""
        if not key.startswith(CHUNK):
            continue
        event = record.dagster_event
        if event is None:
            match = CHECKED_IN.match(record.user_message or "")
            if match:
                checking += float(match.group(2))
        elif event.event_type == dg.DagsterEventType.STEP_START:
            starts.append(record.timestamp)
        elif event.event_type == dg.DagsterEventType.STEP_SUCCESS:
            ends.append(record.timestamp)
            steps += event.event_specific_data.duration_ms / 1000
    return {
        "wall": max(ends) - min(starts) if starts else 0.0,
        "steps": steps,
        "checking": checking,
        "chunks": len(ends),
    }


def _run(instance, name: str, executor: str) -> dict[str, float]:
    import dagster as dg

    from pelican_dagster.cli import run_partition

    start = time.perf_counter()
    assert run_partition(instance, name, executor), f"the {executor} run failed"
    seconds = time.perf_counter() - start
    run = instance.get_runs(filters=dg.RunsFilter(tags={"dagster/partition": name}), limit=1)[0]
    return {"seconds": seconds, **_chunks(instance, run.run_id)}


def _rounds(instance, name: str, celery: str, pairs: int, rows: list) -> list[float]:
    ratios = []
    for n in range(pairs):
        order = ("multiprocess", celery) if n % 2 == 0 else (celery, "multiprocess")
        found = {}
        for label in order:
            found[label] = _run(instance, name, "multiprocess" if label == "multiprocess" else "celery")
            rows.append((n + 1, label, found[label]))
            _print_row(n + 1, label, found[label])
        ratios.append(found[celery]["seconds"] / found["multiprocess"]["seconds"])
    return ratios


def _print_row(pair: int, label: str, row: dict[str, float]) -> None:
    print(
        f"{pair:>4}  {label:<18} {row['seconds']:8.1f} {row['wall']:11.1f} {row['chunks']:7.0f}"
        f" {row['steps']:10.1f} {row['checking']:11.1f}",
        flush=True,
    )


def _model(rows: list, label: str, workers: int, more: int) -> tuple[float, float]:
    """(modelled run seconds on ``workers`` machines, on ``more``) from the ``label`` runs: each chunk
    step costs a fixed overhead plus its checking time; the default sizing makes 2 × workers chunks, run
    two rounds; the rest of the run (and the dispatch gaps) stays as measured."""
    runs = [row for _, name, row in rows if name == label]
    run = statistics.median(r["seconds"] for r in runs)
    wall = statistics.median(r["wall"] for r in runs)
    checking = statistics.median(r["checking"] for r in runs)
    overhead = statistics.median((r["steps"] - r["checking"]) / r["chunks"] for r in runs)

    def phase(k: int) -> float:
        return 2 * (overhead + checking / (2 * k))

    gaps = wall - phase(workers)
    return run, run - wall + phase(more) + gaps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", default=str(FILE))
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--more-workers", type=int, default=3)
    parser.add_argument("--pairs-more", type=int, default=2)
    args = parser.parse_args()

    server = os.environ.get("PELICAN_TEST_DATABASE_URL")
    if not server:
        sys.exit("set PELICAN_TEST_DATABASE_URL to a PostgreSQL server on which databases may be created")
    from pelican_dagster.storage.db import make_engine, normalise_url

    server = normalise_url(server)
    admin = make_engine(server, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    tag = uuid.uuid4().hex[:8]
    names = {kind: f"bench_celery_{tag}_{kind}" for kind in ("kfp", "results", "dagster")}
    urls = {
        k: sa.make_url(server).set(database=v).render_as_string(hide_password=False) for k, v in names.items()
    }
    home = Path(tempfile.mkdtemp(prefix="bench-celery-"))
    workers: list[subprocess.Popen] = []
    with admin.connect() as conn:
        for name in names.values():
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        (home / "dagster.yaml").write_text(
            f'storage:\n  postgres:\n    postgres_url: "{urls["dagster"]}"\ntelemetry:\n  enabled: false\n'
        )
        env = {
            "DAGSTER_HOME": str(home),
            "PELICAN_KINGFISHER_PROCESS_URL": urls["kfp"],
            "PELICAN_RESULTS_URL": urls["results"],
            "PELICAN_URL_CHECK_OFFLINE": "1",
            "PELICAN_LOG_LEVEL": "WARNING",
            "PELICAN_CELERY_BROKER_URL": os.environ.get(
                "PELICAN_TEST_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//"
            ),
            "PELICAN_CELERY_QUEUE": f"bench_{tag}",
        }
        os.environ.update(env)
        import dagster as dg

        from pelican_dagster.cli import Databases, register
        from pelican_dagster.pipeline.loader import load_file

        dbs = Databases.from_env()
        instance = dg.DagsterInstance.get()
        loaded = load_file(dbs.kingfisher(ensure_tables=True), args.file, source_id="benchmark")
        name, _ = register(dbs, instance, loaded.collection_id, None, {"max_size": None})
        print(f"{loaded.items:,} items; {os.cpu_count()} cores; multiprocess = one process per core")
        _run(instance, name, "multiprocess")  # warm-up: the first extraction has no rows to replace

        rows: list = []
        print(
            f"{'pair':>4}  {'executor':<18} {'run s':>8} {'chunks wall':>11} {'chunks':>7}"
            f" {'Σ step s':>10} {'Σ checking':>11}"
        )
        two = f"celery {args.workers} workers"
        workers = _workers({**env, "PELICAN_WORKER_SLOTS": str(args.workers)}, args.workers, home)
        ratios = _rounds(instance, name, two, args.pairs, rows)
        _stop(workers)
        more = f"celery {args.more_workers} workers"
        more_ratios = []
        if args.pairs_more:
            workers = _workers(
                {**env, "PELICAN_WORKER_SLOTS": str(args.more_workers)}, args.more_workers, home
            )
            more_ratios = _rounds(instance, name, more, args.pairs_more, rows)
            _stop(workers)
        workers = []

        print(f"\n{two} / multiprocess, per pair: {', '.join(f'{r:.2f}' for r in ratios)}")
        print(f"  median {statistics.median(ratios):.2f}")
        if more_ratios:
            print(f"{more} on these {os.cpu_count()} cores / multiprocess, per pair: ")
            print(
                f"  {', '.join(f'{r:.2f}' for r in more_ratios)}; median {statistics.median(more_ratios):.2f}"
            )
        run, modelled = _model(rows, two, args.workers, args.more_workers)
        print(
            f"model from the {two} runs (chunk step = fixed cost + checking time, 2 chunks per worker):"
            f" {run:.1f} s on {args.workers} machines → {modelled:.1f} s on {args.more_workers}"
            f" ({modelled / run:.2f} ×)"
        )
    finally:
        if workers:
            _stop(workers)
        from pelican_dagster.storage import engines

        engines.dispose_all()
        with admin.connect() as conn:
            for name in names.values():
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


if __name__ == "__main__":
    main()
