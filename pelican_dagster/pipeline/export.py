"""Write one dataset's results as a folder in Pelican's export format (docs/export-format.md).

Everything is streamed from the results database (server-side cursors), so a dataset of any size is
written in bounded memory. Per-item results are produced by ``item_results`` from the compact
``item_check`` columns; until the item pass is integrated they are null.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
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
            text = json_output.dumps_any(row) if isinstance(row, _Exact) else json_output.dumps(row)
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
) -> int:
    """Write ``items.jsonl.gz`` of dataset ``name`` at ``path`` (see :func:`export_dataset`); returns the
    number of items written."""
    with engine.connect() as conn:
        dataset = dataset_by_name(conn, name)
        if dataset is None:
            raise LookupError(f"no dataset named {name!r}")
        progress = get_progress(conn, dataset.id) or {"size": 0}
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
    rows = _stream(
        engine,
        "SELECT d.id, (d.data->'ocid')::text, d.source_data_id, d.data::text FROM data_item d "
        "WHERE d.dataset_id = :id AND d.data ? 'ocid' ORDER BY d.id",
        {"id": dataset.id},
    )
    counter = Progress("export", progress.get("size"), report_progress or _quiet)

    def batches() -> Iterator[tuple[Mapping[int, int], list[sa.Row]]]:
        while batch := list(islice(rows, _LINES_BATCH)):
            yield lines_of([row[2] for row in batch]), batch

    def item_lines() -> Iterator[dict[str, Any]]:
        for batch_lines, batch in batches():
            yield from batch_rows(batch_lines, batch)

    def batch_rows(lines: Mapping[int, int], batch: list[sa.Row]) -> Iterator[dict[str, Any]]:
        for item_id, ocid, source_data_id, text in batch:
            counter.tick()
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

    count = _write_items(Path(path), item_lines())
    if report_progress:
        counter.finish()
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
) -> dict[str, int]:
    """Write the export folder of dataset ``name`` into ``out``; returns the number of rows per file.

    ``lines`` maps Kingfisher Process ``data.id`` to the input file's line (the loader's mapping, or a
    function that looks up a batch of ids, such as ``kingfisher.LoadedLines.lines_of``); items whose id is
    not in it get ``line`` null. Items are written in id order, which is Kingfisher Process
    order and so the file's line order for a loaded file. ``items=False`` leaves out ``items.jsonl.gz``.
    ``item_results`` defaults to Pelican's shapes rebuilt with the check context the dataset's run recorded.
    ``report_progress`` receives progress lines (items done, items/s) while the items are written.
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
