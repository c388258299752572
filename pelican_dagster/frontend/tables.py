"""Rows of ``field_level_check`` and ``resource_level_check`` for the Pelican frontend.

The frontend reads these relations only in its two failures downloads:

* field level: the items with an occurrence of ``result->'checks'->PATH`` whose
  ``->TYPE->>'overall_result'`` is false (TYPE = coverage or quality);
* compiled-release level: the items whose ``result->'checks'->NAME->>'result'`` is false.

So a row keeps ``meta.ocid`` and, per path, one occurrence per failing type (``{"coverage":
{"overall_result": false}}``, ``{"quality": {"overall_result": false}}``), and per check only the
failing ones (``{"result": false}``). The queries give the same OCIDs as on Pelican's ~13 KB rows. The
rows are built from the item pass's compact results (``item_check``), in the chunk's transaction.
"""

from __future__ import annotations

import re
import zlib
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from itertools import accumulate

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from pelican_dagster.checks.compiled_release import CHECK_NAMES
from pelican_dagster.checks.compiled_release.encoding import FORMAT as RESOURCE_FORMAT
from pelican_dagster.checks.field.evaluate import decode_field_result
from pelican_dagster.checks.field.paths import PATHS
from pelican_dagster.storage import schema as s
from pelican_dagster.storage.db import copy_rows

__all__ = ["field_result", "replace_rows", "resource_result"]

_PATH_NAMES = tuple(field.path for field in PATHS)
_BITMAP_BYTES = (len(PATHS) + 7) // 8
_RESOURCE_CODE_BYTES = (len(CHECK_NAMES) + 3) // 4
# Occurrence codes are 3 × coverage + quality (checks.field.evaluate.FieldResult): coverage failed
# below 6, quality failed exactly at 8.
_COVERAGE_FAILED_BELOW = 6
_QUALITY_FAILED = 8
_COVERAGE = {"coverage": {"overall_result": False}}
_QUALITY = {"quality": {"overall_result": False}}
_FAILED = {"result": False}


#: The set bits of each byte value, and each occurrence code's failure flag (1 coverage, 2 quality).
_BITS = tuple(tuple(bit for bit in range(8) if value >> bit & 1) for value in range(256))
_FLAGS = bytes(
    1 if code < _COVERAGE_FAILED_BELOW else 2 if code == _QUALITY_FAILED else 0 for code in range(256)
)
_ANY_FAILURE = re.compile(rb"[\x01\x02]")
_ENTRIES = {1: [_COVERAGE], 2: [_QUALITY], 3: [_COVERAGE, _QUALITY]}


def field_result(ocid: str | None, encoded: bytes) -> bytes:
    """The JSON ``result`` of an item's ``field_level_check`` row, from its compact field result
    (``FieldResult.encode``, read here directly: the work is per failing path, not per path)."""
    raw = zlib.decompress(encoded)
    indices = [
        byte_index * 8 + bit
        for byte_index, value in enumerate(raw[:_BITMAP_BYTES])
        if value
        for bit in _BITS[value]
    ]
    lengths = raw[_BITMAP_BYTES : _BITMAP_BYTES + len(indices)]
    if lengths and max(lengths) >= 0x80:  # a path with 128+ occurrences: varints, the general reader
        codes = decode_field_result(encoded).codes
        indices = sorted(codes)
        lengths = [len(codes[i]) for i in indices]
        flags = b"".join(bytes(codes[i]) for i in indices).translate(_FLAGS)
    else:
        flags = raw[_BITMAP_BYTES + len(indices) :].translate(_FLAGS)
    ends = list(accumulate(lengths))
    checks = {}
    position = 0
    while match := _ANY_FAILURE.search(flags, position):
        start = match.start()
        group = bisect_right(ends, start)
        position = ends[group]
        part = flags[start:position]
        kinds = (1 if b"\x01" in part else 0) | (2 if b"\x02" in part else 0)
        checks[_PATH_NAMES[indices[group]]] = _ENTRIES[kinds]
    return orjson.dumps({"meta": {"ocid": ocid}, "checks": checks})


def resource_result(ocid: str | None, encoded: bytes) -> bytes:
    """The JSON ``result`` of an item's ``resource_level_check`` row, from its compact result (the 2-bit
    outcome codes of ``compiled_release.encoding``: 3 is failed)."""
    if encoded[0] != RESOURCE_FORMAT:
        raise ValueError("not a compact compiled-release result of format 1")
    codes = int.from_bytes(encoded[1 : 1 + _RESOURCE_CODE_BYTES], "little")
    checks = {name: _FAILED for index, name in enumerate(CHECK_NAMES) if (codes >> (2 * index)) & 3 == 3}
    return orjson.dumps({"meta": {"ocid": ocid}, "checks": checks})


def _ocids(conn: Connection, dataset_id: int, first: int, last: int) -> dict[int, str | None]:
    # data_item.ocid is data->>'ocid', which is what the frontend reads back from meta.ocid.
    rows = conn.execute(
        sa.select(s.data_item.c.id, s.data_item.c.ocid).where(
            s.data_item.c.dataset_id == dataset_id, s.data_item.c.id.between(first, last)
        )
    )
    return dict(rows.all())


def replace_rows(
    conn: Connection,
    dataset_id: int,
    first: int,
    last: int,
    rows: Iterable[tuple[int, bytes | None, bytes | None, bytes | None]] | None,
) -> tuple[int, int]:
    """Replace the frontend rows of the items ``first``–``last`` of a dataset by those of ``rows`` (the
    item pass's ``(item_id, field, resource, facts)``), in the caller's transaction; ``rows`` None only
    deletes (the tables are turned off). Returns the bytes of JSON written (field, resource)."""
    for table in (s.field_level_check, s.resource_level_check):
        conn.execute(
            sa.delete(table).where(
                table.c.dataset_id == dataset_id, table.c.data_item_id.between(first, last)
            )
        )
    if rows is None:
        return 0, 0
    ocids = _ocids(conn, dataset_id, first, last)
    checked = [(item_id, f, r) for item_id, f, r, _ in rows if f is not None and r is not None]
    sizes = [0, 0]

    def lines(position: int) -> Iterator[tuple[int, int, str]]:
        build = field_result if position == 0 else resource_result
        for row in checked:
            text = build(ocids.get(row[0]), row[1 + position]).decode()
            sizes[position] += len(text)
            yield row[0], dataset_id, text

    copy_rows(conn, "field_level_check", ("data_item_id", "dataset_id", "result"), lines(0))
    copy_rows(conn, "resource_level_check", ("data_item_id", "dataset_id", "result"), lines(1))
    return sizes[0], sizes[1]
