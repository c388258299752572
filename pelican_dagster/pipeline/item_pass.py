"""The item pass: every per-item check on one chunk of items, each item parsed once.

For each item of the chunk this runs the field-level checks (docs/checks.md §1), the compiled-release-level
checks (§2) and extracts the small *facts* that the dataset-level and time-based checks read later
(§3, §4), so that no later stage re-reads or re-parses the items. It also feeds the chunk's partial
report aggregates (counts and seeded example samples), which the report asset merges.

Plain Python (no Dagster, no database): ``pelican_dagster.assets.item_checks`` streams the rows in and
stores ``ChunkResult`` (``item_check`` rows and one ``item_check_chunk`` row). docs/hot-path.md maps
what each step computes once per item, what is cached and why; ``benchmarks/item_pass.py`` measures it.
"""

from __future__ import annotations

import decimal
import gc
import json
import sys
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson

from pelican_dagster.checks import compiled_release
from pelican_dagster.checks.compiled_release.encoding import encode as encode_resource
from pelican_dagster.checks.compiled_release.report import ResourceReport
from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.dataset.facts import extract_facts
from pelican_dagster.checks.field import FieldReport, check_item_fields
from pelican_dagster.checks.field.evaluate import encode_flat
from pelican_dagster.checks.sampling import rng_for
from pelican_dagster.reporting.summary import report_totals

__all__ = ["ChunkResult", "check_chunk", "dump_state", "load_item", "load_state"]


@dataclass
class ChunkResult:
    """The results of one chunk."""

    #: ``(item_id, field, resource, facts)`` per checked item (compact encodings, opaque to storage).
    rows: list[tuple[int, bytes | None, bytes | None, bytes | None]]
    #: Items checked.
    checked: int
    #: Items without an ``ocid`` key (Pelican skips them, docs/pipeline.md §4.1).
    skipped: int
    #: Partial aggregates of the field-level and compiled-release-level report for this chunk.
    field_state: bytes | None
    resource_state: bytes | None
    #: Passed and judged counts of the chunk (``reporting.summary.report_totals``), for pass rates.
    totals: dict[str, int] = field(default_factory=dict)


def load_item(text: str | bytes) -> Any:
    """Decode one stored item. orjson is fast but refuses numbers beyond a double (``1e400``), which
    jsonb stores; the standard library decodes those (as Python would, docs/checks.md §0.1)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        pass
    try:
        # Integers of more than 4,300 digits (which jsonb stores) go through Decimal: int() of their text
        # is refused by Python's conversion limit.
        return json.loads(text, parse_int=_big_int)
    except RecursionError:
        # Nesting deeper than the recursion limit (jsonb accepts it): parse with a higher limit.
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, 100_000))
        try:
            return json.loads(text, parse_int=_big_int)
        finally:
            sys.setrecursionlimit(limit)


def _big_int(text: str) -> int:
    return int(text) if len(text) < 4000 else int(decimal.Decimal(text))


def _dumps(value: Any) -> bytes:
    try:
        return orjson.dumps(value)
    except TypeError:
        # An integer beyond 64 bits in an example value: the standard library writes it.
        return json.dumps(value, ensure_ascii=False).encode()


def dump_state(state: dict[str, Any]) -> bytes:
    """A partial aggregate as compressed JSON (examples make it repetitive: zlib shrinks it ~10×)."""
    return zlib.compress(_dumps(state), 6)


def load_state(data: bytes) -> dict[str, Any]:
    """The inverse of :func:`dump_state`."""
    return load_item(zlib.decompress(bytes(data)))


def check_chunk(rows: Iterable[tuple[int, str]], ctx: CheckContext, label: str) -> ChunkResult:
    """Check every ``(item_id, JSON text)`` of a chunk.

    Items that have no ``ocid`` key are skipped, as Pelican skips them (docs/pipeline.md §4.1): no results,
    only their facts (which the dataset-level checks skip too).
    """
    # Parsed items hold no reference cycles (refcounting frees them), but the cyclic collector would
    # still scan the millions of objects they allocate: pausing it for the chunk saves ~8 %.
    paused = gc.isenabled()
    gc.disable()
    try:
        return _check_chunk(rows, ctx, label)
    finally:
        if paused:
            gc.enable()


def _check_chunk(rows: Iterable[tuple[int, str]], ctx: CheckContext, label: str) -> ChunkResult:
    field_report = FieldReport(rng_for(ctx.seed, "field_level", label), ctx)
    resource_report = ResourceReport(rng_for(ctx.seed, "resource_level", label))
    check_resource = compiled_release.check_item
    out: list[tuple[int, bytes | None, bytes | None, bytes | None]] = []
    # The field results' flat forms, encoded together at the end (encode_flat), and their rows in out.
    flats: list[tuple[list[int], list[int], bytes]] = []
    at: list[int] = []
    checked = skipped = 0
    for item_id, text in rows:
        item = load_item(text)
        if type(item) is not dict:
            skipped += 1
            continue
        if "ocid" not in item:
            # No item results (as in Pelican), but facts: an ancestor item without an ocid still counts
            # in the time-based totals (docs/checks.md §4); the dataset-level checks skip it.
            skipped += 1
            out.append((item_id, None, None, _dumps(extract_facts(item))))
            continue
        ocid = item["ocid"]
        field_result = check_item_fields(item, ctx)
        resource = check_resource(item, ctx)
        field_report.add(item_id, ocid, field_result, item)
        resource_report.add(item_id, ocid, resource)
        flats.append(field_result.flat())
        at.append(len(out))
        out.append((item_id, None, encode_resource(resource), _dumps(extract_facts(item))))
        checked += 1
    for position, encoded in zip(at, encode_flat(flats), strict=True):
        item_id, _, resource_bytes, facts = out[position]
        out[position] = (item_id, encoded, resource_bytes, facts)
    return ChunkResult(
        rows=out,
        checked=checked,
        skipped=skipped,
        field_state=dump_state(field_report.to_state()),
        resource_state=dump_state(resource_report.to_state()),
        totals=report_totals(field_report.report(), resource_report.report()),
    )
