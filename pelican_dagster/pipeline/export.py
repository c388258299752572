"""Write one dataset's results as a folder in Pelican's export format (docs/export-format.md).

Everything is streamed from the results database (server-side cursors), so a dataset of any size is
written in bounded memory. Per-item results (``items.jsonl.gz``) are rebuilt from each item by
``item_results``; that is most of an export's work, so it runs on every core: worker processes forked
from this one (``fork``: they inherit the imported modules and the check context, ~0.05 s of CPU)
each write a part of 1,000 items as one gzip member, and this process joins the members in item order
(concatenated gzip members are one gzip file, the same lines as one process writes).
"""

from __future__ import annotations

import gc
import gzip
import io
import multiprocessing
import os
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from pelican_dagster.checks.context import CheckContext
from pelican_dagster.pipeline import json_output
from pelican_dagster.pipeline.json_output import fragment
from pelican_dagster.pipeline.progress import Progress
from pelican_dagster.storage.results import dataset_by_name, get_progress

#: ``{data.id: line}``, or a function giving it for a batch of ``data.id`` (``kingfisher.LoadedLines``).
Lines = Mapping[int, int] | Callable[[Sequence[int]], Mapping[int, int]]
_LINES_BATCH = 1000
#: ``(item_id, item JSON text) -> (field_level, resource_level)`` (Pelican's JSON shapes).
ItemResults = Callable[[int, str], tuple[Any, Any]]
_GZIP_LEVEL = 6
#: items.jsonl.gz holds ~110 KB of repetitive JSON per item: level 3 (zlib's fast strategy) compresses it
#: ~4× faster than 6 for files ~1.3× larger.
_ITEMS_GZIP_LEVEL = 3
#: Items per part of a parallel export (``export_items``): one worker task, one query, one gzip member,
#: ~1 s of CPU for DR items. Small enough that the parts spread evenly over the workers and that the
#: compressed parts waiting to be written (two per worker at most, ~5 MB each) stay small; large enough
#: that a part's start (a connection, a query, a gzip header) is lost in its work.
PART_ITEMS = 1000
#: Datasets of fewer items are exported in one process (as ``check`` runs them in-process). Starting two
#: forked workers costs ~0.05 s of CPU: 500 DR items took 0.59 s of CPU in all against 0.52 s in one
#: process and were no faster on the shared 2-core machine; 2,000 were (benchmarks/export.py).
PARALLEL_MIN_ITEMS = 1000
#: At most this many worker processes (each holds a database connection).
MAX_WORKERS = 32
#: Bytes of rows handed to the compressing thread at a time (bounded memory: two batches at most).
_BATCH_BYTES = 4 << 20
_TIME_BASED_COLUMNS = (
    "check_name",
    "coverage_result",
    "coverage_value",
    "check_result",
    "check_value",
    "meta",
)


def _quiet(line: str) -> None:
    """Progress lines go nowhere unless asked for."""


def no_item_results(item_id: int, text: str) -> tuple[Any, Any]:
    """No per-item results (for tests of the export's shape)."""
    return None, None


def pelican_item_results(ctx: CheckContext) -> ItemResults:
    """Per-item results in Pelican's shapes (docs/report-shapes.md §1–2), rebuilt from the item by the same
    check functions the item pass ran: the database keeps only the compact outcome, not Pelican's ~120 KB
    of JSON per item. Deterministic for a given configuration (``ctx``), so the rebuild equals what was
    stored."""
    from pelican_dagster.checks import compiled_release
    from pelican_dagster.checks.field import check_item_fields
    from pelican_dagster.pipeline.item_pass import load_item

    def results(item_id: int, text: str) -> tuple[Any, Any]:
        item = load_item(text)
        if type(item) is not dict or "ocid" not in item:
            return None, None
        ocid = item["ocid"]
        field = check_item_fields(item, ctx).to_pelican(ocid, item_id, item, ctx)
        resource = compiled_release.to_pelican(compiled_release.check_item(item, ctx), ocid, item_id)
        return field, resource

    return results


def fast_item_results(ctx: CheckContext, exact: bool = False) -> ItemResults:
    """:func:`pelican_item_results` with the field-level result written straight as JSON text
    (``checks.field.pelican_json``, ~10× faster than building it as objects), embedded as a fragment:
    the row's text is the same. ``exact`` writes the values with the exact encoder (1e400)."""
    from pelican_dagster.checks import compiled_release
    from pelican_dagster.checks.field.pelican_json import field_level_json
    from pelican_dagster.pipeline.item_pass import load_item

    encode = json_output.dumps_any if exact else json_output.dumps
    check_resource = compiled_release.check_item
    resource_shape = compiled_release.to_pelican

    def results(item_id: int, text: str) -> tuple[Any, Any]:
        item = load_item(text)
        if type(item) is not dict or "ocid" not in item:
            return None, None
        ocid = item["ocid"]
        field = orjson.Fragment(field_level_json(item, ctx, ocid, item_id, encode))
        return field, resource_shape(check_resource(item, ctx), ocid, item_id)

    return results


#: Number text that orjson would not write back exactly (beyond a double, or beyond 64 bits): the item's
#: results then go through the exact encoder.
_BIG_NUMBER = re.compile(r"[eE][+-]?\d{3}|\d{19}")


def _write_jsonl(path: Path, rows: Iterable[Any]) -> int:
    count = 0
    with gzip.open(path, "wb", compresslevel=_GZIP_LEVEL) as f:
        for row in rows:
            f.write(json_output.dumps_any(row) if isinstance(row, _Exact) else json_output.dumps(row))
            f.write(b"\n")
            count += 1
    return count


def _write_items(path: Path, rows: Iterable[Any]) -> int:
    """:func:`_write_jsonl` for the big file: rows are batched and compressed in a second thread (zlib
    releases the GIL), so that compression overlaps with writing the next rows."""
    count = size = 0
    batch: list[bytes] = []
    with gzip.open(path, "wb", compresslevel=_ITEMS_GZIP_LEVEL) as f, ThreadPoolExecutor(1) as pool:
        pending: Future[Any] | None = None
        for row in rows:
            text = _encode(row)
            batch.append(text)
            size += len(text)
            count += 1
            if size >= _BATCH_BYTES:
                if pending is not None:
                    pending.result()
                batch.append(b"")
                pending = pool.submit(f.write, b"\n".join(batch))
                batch, size = [], 0
        if pending is not None:
            pending.result()
        if batch:
            batch.append(b"")
            f.write(b"\n".join(batch))
    return count


class _Exact(dict):
    """A row written with the exact encoder (``json_output.dumps_any``)."""


def _stream(engine: Engine, sql: str, params: Mapping[str, Any]) -> Iterator[sa.Row]:
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, max_row_buffer=500).execute(sa.text(sql), params)
        yield from result


def export_items(
    engine: Engine,
    name: str,
    path: str | Path,
    *,
    lines: Lines | None = None,
    item_results: ItemResults | None = None,
    report_progress: Callable[[str], None] | None = None,
    workers: int | None = None,
    part_items: int = PART_ITEMS,
) -> int:
    """Write ``items.jsonl.gz`` of dataset ``name`` at ``path`` (see :func:`export_dataset`); returns the
    number of items written.

    ``workers`` processes rebuild the results of ``part_items`` items at a time, each part a gzip member,
    joined in item order (the same lines as one process writes). None: :func:`export_workers` (every core,
    one process for a small dataset); 1: this process only. The file appears whole or not at all: it is
    written under a hidden name and renamed at the end, and a failure (of a worker too) removes it."""
    with engine.connect() as conn:
        dataset = dataset_by_name(conn, name)
        if dataset is None:
            raise LookupError(f"no dataset named {name!r}")
        progress = get_progress(conn, dataset.id) or {"size": None}
        size = progress.get("size")
        if size is None:
            size = conn.execute(
                sa.text("SELECT count(*) FROM data_item WHERE dataset_id = :id"), {"id": dataset.id}
            ).scalar()
    if item_results is None:
        from pelican_dagster.pipeline import run_context

        # The context the dataset's run recorded: the export judges items as the run did.
        ctx = run_context.recorded(engine, dataset.id)
        item_results, exact_results = fast_item_results(ctx), fast_item_results(ctx, exact=True)
    else:
        exact_results = item_results
    lines_of = (
        (lambda ids, known=lines or {}: known) if lines is None or isinstance(lines, Mapping) else lines
    )
    counter = Progress("export", size, report_progress or _quiet)
    if workers is None:
        workers = export_workers(size)
    # No more parts than workers for a dataset of a few parts: each worker gets a share.
    part_items = max(1, min(part_items, -(-size // max(workers, 1))))
    path = Path(path)
    partial = path.with_name(f".{path.name}.partial")
    # A failed export leaves no items.jsonl.gz: not even an earlier export's, which a reader would take
    # for this one's beside this export's other files.
    path.unlink(missing_ok=True)
    try:
        if workers > 1 and _can_fork():
            url = engine.url.render_as_string(hide_password=False)
            job = _Job(dataset.id, item_results, exact_results, url)
            count = _write_items_parallel(partial, engine, lines_of, job, workers, part_items, counter)
        else:
            rows = _stream(engine, _ITEMS_SQL, {"id": dataset.id, "first": None, "last": None})

            def item_lines() -> Iterator[dict[str, Any]]:
                while batch := list(islice(rows, _LINES_BATCH)):
                    found = lines_of([row[2] for row in batch])
                    yield from _item_rows(batch, found, item_results, exact_results, counter.tick)

            count = _write_items(partial, item_lines())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    if report_progress:
        counter.finish()
    return count


def export_workers(items: int) -> int:
    """The processes an export of ``items`` items uses: one per core this process may run on, but one
    below :data:`PARALLEL_MIN_ITEMS` (starting workers would cost more than they save)."""
    if items < PARALLEL_MIN_ITEMS:
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS))


def _can_fork() -> bool:
    """Whether this process may fork workers: not where ``fork`` is missing (Windows), nor in a daemonic
    process (a Celery prefork worker's child, a multiprocessing pool's), which may not have children."""
    return "fork" in multiprocessing.get_all_start_methods() and not multiprocessing.current_process().daemon


_ITEMS_SQL = (
    "SELECT d.id, (d.data->'ocid')::text, d.source_data_id, d.data::text FROM data_item d "
    "WHERE d.dataset_id = :id AND d.data ? 'ocid' "
    "AND (CAST(:first AS bigint) IS NULL OR d.id BETWEEN :first AND :last) ORDER BY d.id"
)


def _item_rows(
    batch: Iterable[sa.Row],
    lines: Mapping[int, int],
    item_results: ItemResults,
    exact_results: ItemResults,
    tick: Callable[[], None],
) -> Iterator[dict[str, Any]]:
    """The rows of ``items.jsonl.gz`` for stored items ``(id, ocid JSON, source_data_id, JSON text)``."""
    for item_id, ocid, source_data_id, text in batch:
        tick()
        exact = _BIG_NUMBER.search(text) is not None
        field_level, resource_level = (exact_results if exact else item_results)(item_id, text)
        row = {
            "ocid": fragment(ocid),
            "line": lines.get(source_data_id),
            "item_id": item_id,
            "field_level": field_level,
            "resource_level": resource_level,
        }
        # orjson would write a number beyond a double as null: keep it (1e400).
        yield _Exact(row) if exact else row


def _encode(row: Any) -> bytes:
    return json_output.dumps_any(row) if isinstance(row, _Exact) else json_output.dumps(row)


class ExportError(RuntimeError):
    """A part of a parallel export failed (in a worker process); nothing was written."""


@dataclass(frozen=True)
class _Job:
    """What every worker of one parallel export needs, inherited through ``fork`` rather than pickled:
    the results functions are closures over the dataset's check context (codelists, rates)."""

    dataset_id: int
    item_results: ItemResults
    exact_results: ItemResults
    url: str


@dataclass(frozen=True)
class _Part:
    """One worker task: the items with ids ``first``..``last`` and the file lines of their
    ``source_data_id`` (looked up by the parent, so a worker never calls ``lines``), read in the
    parent's exported snapshot."""

    first: int
    last: int
    lines: dict[int, int]
    snapshot: str


#: The job of the parallel export running in this process (set before its workers fork).
_job: _Job | None = None
#: A worker's own engine ``(pid, url, engine)``: never a pool inherited from the parent, whose
#: connections belong to the parent's sessions.
_part_engine: tuple[int, str, Engine] | None = None


def _worker_engine(url: str) -> Engine:
    global _part_engine
    if _part_engine is None or _part_engine[:2] != (os.getpid(), url):
        from sqlalchemy.pool import NullPool

        # NullPool: each part's connection is closed properly when the part ends, so a worker that
        # exits leaves no session behind.
        _part_engine = (os.getpid(), url, sa.create_engine(url, poolclass=NullPool))
    return _part_engine[2]


def _export_part(part: _Part) -> tuple[bytes, int]:
    """In a worker: the part's lines as one complete gzip member, and how many."""
    assert _job is not None, "a parallel export's worker runs in a process forked by the export"
    buffer = io.BytesIO()
    count = 0
    engine = _worker_engine(_job.url)
    with (
        engine.connect() as conn,
        gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=_ITEMS_GZIP_LEVEL, mtime=0) as f,
    ):
        # The parent's snapshot: every part sees the dataset as it was when the export began.
        conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        conn.exec_driver_sql("SET TRANSACTION SNAPSHOT %(s)s", {"s": part.snapshot})
        rows = conn.execution_options(stream_results=True, max_row_buffer=100).execute(
            sa.text(_ITEMS_SQL), {"id": _job.dataset_id, "first": part.first, "last": part.last}
        )
        for row in _item_rows(rows, part.lines, _job.item_results, _job.exact_results, _no_tick):
            f.write(_encode(row))
            f.write(b"\n")
            count += 1
    return buffer.getvalue(), count


def _no_tick() -> None:
    """Workers count nothing: the parent counts each part as it writes it."""


def _write_items_parallel(
    path: Path,
    engine: Engine,
    lines_of: Callable[[Sequence[int]], Mapping[int, int]],
    job: _Job,
    workers: int,
    part_items: int,
    counter: Progress,
) -> int:
    """``items.jsonl.gz`` written by ``workers`` forked processes, ``part_items`` items per task, each
    task's gzip member appended in item order as soon as the parts before it are written."""
    global _job
    count = 0
    with (
        engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn,
        open(path, "wb") as out,
    ):
        snapshot = conn.execute(sa.text("SELECT pg_export_snapshot()")).scalar()
        ids = conn.execution_options(stream_results=True, max_row_buffer=part_items).execute(
            sa.text("SELECT id, source_data_id FROM data_item WHERE dataset_id = :id ORDER BY id"),
            {"id": job.dataset_id},
        )

        def parts() -> Iterator[_Part]:
            while batch := list(islice(ids, part_items)):
                sources = [row[1] for row in batch]
                found = lines_of(sources)
                known = {s: found[s] for s in sources if s in found}
                yield _Part(batch[0][0], batch[-1][0], known, snapshot)

        _job = job
        # The workers inherit this process's objects: frozen, their collections never scan them (nor
        # copy their pages); the parent's own are unfrozen once the workers are started, unless this
        # process had frozen objects of its own (a fork server's child: they stay as they were).
        thaw = gc.get_freeze_count() == 0
        gc.freeze()
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
        pending: deque[tuple[_Part, Future[tuple[bytes, int]]]] = deque()
        try:
            todo = parts()
            for part in islice(todo, 2 * workers):
                pending.append((part, pool.submit(_export_part, part)))
            if thaw:
                gc.unfreeze()
            while pending:
                part, future = pending.popleft()
                try:
                    member, n = future.result()
                except Exception as e:
                    raise ExportError(
                        f"the export of items {part.first}–{part.last} failed in a worker process: "
                        f"{type(e).__name__}: {e}"
                    ) from e
                out.write(member)
                count += n
                counter.tick(n)
                # At most two parts per worker wait or run: memory stays bounded by the part size.
                for part in islice(todo, 1):
                    pending.append((part, pool.submit(_export_part, part)))
        finally:
            if thaw:
                gc.unfreeze()
            _job = None
            pool.shutdown(wait=True, cancel_futures=True)
    return count


def export_dataset(
    engine: Engine,
    name: str,
    out: str | Path,
    *,
    lines: Lines | None = None,
    items: bool = True,
    item_results: ItemResults | None = None,
    report_progress: Callable[[str], None] | None = None,
    workers: int | None = None,
) -> dict[str, int]:
    """Write the export folder of dataset ``name`` into ``out``; returns the number of rows per file.

    ``lines`` maps Kingfisher Process ``data.id`` to the input file's line (the loader's mapping, or a
    function that looks up a batch of ids, such as ``kingfisher.LoadedLines.lines_of``); items whose id is
    not in it get ``line`` null. Items are written in id order, which is Kingfisher Process
    order and so the file's line order for a loaded file. ``items=False`` leaves out ``items.jsonl.gz``.
    ``item_results`` defaults to Pelican's shapes rebuilt with the check context the dataset's run recorded.
    ``report_progress`` receives progress lines (items done, items/s) while the items are written.
    ``workers``: the processes that write ``items.jsonl.gz`` (default: :func:`export_workers`).
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with engine.connect() as conn:
        dataset = dataset_by_name(conn, name)
        if dataset is None:
            raise LookupError(f"no dataset named {name!r}")
    with engine.connect() as conn:
        progress = get_progress(conn, dataset.id) or {"phase": None, "state": None, "size": 0}
    params = {"id": dataset.id}
    counts: dict[str, int] = {}

    with engine.connect() as conn:
        meta_text = conn.execute(sa.text("SELECT meta::text FROM dataset WHERE id = :id"), params).scalar()
    meta = {"meta": fragment(meta_text), **progress}
    (out / "dataset_meta.json").write_bytes(orjson.dumps(meta, option=orjson.OPT_INDENT_2))

    if items:
        counts["items"] = export_items(
            engine,
            name,
            out / "items.jsonl.gz",
            lines=lines,
            item_results=item_results,
            report_progress=report_progress,
            workers=workers,
        )

    counts["dataset_level"] = _write_jsonl(
        out / "dataset_level.jsonl.gz",
        (
            {"check_name": r[0], "result": r[1], "value": r[2], "meta": fragment(r[3])}
            for r in _stream(
                engine,
                "SELECT check_name, result, value, meta::text FROM dataset_level_check "
                "WHERE dataset_id = :id ORDER BY id",
                params,
            )
        ),
    )
    counts["time_based"] = _write_jsonl(
        out / "time_based.jsonl.gz",
        (
            dict(zip(_TIME_BASED_COLUMNS, (*r[:5], fragment(r[5])), strict=True))
            for r in _stream(
                engine,
                "SELECT check_name, coverage_result, coverage_value, check_result, check_value, meta::text "
                "FROM time_variance_level_check WHERE dataset_id = :id ORDER BY id",
                params,
            )
        ),
    )
    counts["reports"] = _write_jsonl(
        out / "reports.jsonl.gz",
        (
            {"type": r[0], "data": fragment(r[1])}
            for r in _stream(
                engine,
                "SELECT type, data::text FROM report WHERE dataset_id = :id "
                "ORDER BY type <> 'field_level_check', type, id",
                params,
            )
        ),
    )
    examples = _stream(
        engine,
        "SELECT 'resource_level_check', check_name, data::text, id FROM resource_level_check_examples "
        "WHERE dataset_id = :id UNION ALL "
        "SELECT 'field_level_check', path, data::text, id FROM field_level_check_examples "
        "WHERE dataset_id = :id "
        "ORDER BY 1 DESC, 4",
        params,
    )
    counts["examples"] = _write_jsonl(
        out / "examples.jsonl.gz", ({"type": r[0], "key": r[1], "data": fragment(r[2])} for r in examples)
    )
    return counts
