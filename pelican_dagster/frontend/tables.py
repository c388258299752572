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
from collections.abc import Iterable, Sequence
from itertools import accumulate

import numpy as np
import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from pelican_dagster.checks.compiled_release import CHECK_NAMES
from pelican_dagster.checks.compiled_release.encoding import FORMAT as RESOURCE_FORMAT
from pelican_dagster.checks.field.evaluate import decode_field_result
from pelican_dagster.checks.field.paths import PATHS
from pelican_dagster.storage import schema as s
from pelican_dagster.storage.db import copy_text

__all__ = ["field_checks", "field_result", "replace_rows", "resource_checks", "resource_result"]

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
#: Where the ``checks`` member's text starts in the JSON of a row without ocid (``"meta":{"ocid":null}``).
_CHECKS_START = len(b'{"meta":{"ocid":null},"checks":{')
_FLAGS_ARRAY = np.frombuffer(_FLAGS, np.uint8)
#: The JSON text of a failing path's member, by path index × 4 + failure kinds (1 coverage, 2 quality).
_FRAGMENTS = np.array(
    [
        orjson.dumps({path: _ENTRIES[kinds]} if kinds else {})[1:-1]
        for path in _PATH_NAMES
        for kinds in range(4)
    ],
    dtype=object,
)
#: resource_checks's memo: the outcome codes → the text of the failed checks.
_RESOURCE_CHECKS: dict[bytes, bytes] = {}


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


def resource_checks(encoded: bytes) -> bytes:
    """The ``checks`` member of :func:`resource_result`, the text between ``"checks":{`` and ``}``
    (memoised by the outcome codes: a dataset has few distinct sets of failed checks)."""
    key = encoded[: 1 + _RESOURCE_CODE_BYTES]
    text = _RESOURCE_CHECKS.get(key)
    if text is None:
        text = resource_result(None, encoded)[_CHECKS_START:-2]
        if len(_RESOURCE_CHECKS) < 65_536:
            _RESOURCE_CHECKS[key] = text
    return text


def field_checks(encoded: Sequence[bytes]) -> list[bytes]:
    """The ``checks`` member of :func:`field_result` for many compact field results at once: the text
    between ``"checks":{`` and ``}`` of each, byte for byte.

    Decoded with array operations over all of them (the bitmaps unpacked into path indices, one failure
    flag per occurrence, a bitwise OR per item and path) instead of a Python loop per failing path
    (~90 per Dominican Republic item); a result with varint counts (a path with 128+ occurrences, rare)
    goes through :func:`field_result`.
    """
    n = len(encoded)
    if not n:
        return []
    bitmaps, lengths, codes = [], [], []
    apart: dict[int, bytes] = {}
    empty_bitmap = bytes(_BITMAP_BYTES)
    for position, data in enumerate(encoded):
        raw = zlib.decompress(data)
        present = int.from_bytes(raw[:_BITMAP_BYTES], "little").bit_count()
        counts = raw[_BITMAP_BYTES : _BITMAP_BYTES + present]
        if counts and (max(counts) >= 0x80 or not min(counts)):
            apart[position] = field_result(None, data)[_CHECKS_START:-2]
            bitmaps.append(empty_bitmap)
            continue
        bitmaps.append(raw[:_BITMAP_BYTES])
        lengths.append(counts)
        codes.append(raw[_BITMAP_BYTES + present :])
    present = np.unpackbits(
        np.frombuffer(b"".join(bitmaps), np.uint8).reshape(n, _BITMAP_BYTES), axis=1, bitorder="little"
    )[:, : len(PATHS)]
    # Row-major order: the (item, path) groups in the order of their counts and codes.
    item_of, path_of = np.nonzero(present)
    counts = np.frombuffer(b"".join(lengths), np.uint8)
    flags = _FLAGS_ARRAY[np.frombuffer(b"".join(codes), np.uint8)]
    if len(counts):
        starts = np.zeros(len(counts), np.int64)
        np.cumsum(counts[:-1], out=starts[1:])
        kinds = np.bitwise_or.reduceat(flags, starts)
    else:
        kinds = np.zeros(0, np.uint8)
    failing = kinds > 0
    fragments = _FRAGMENTS[path_of[failing] * 4 + kinds[failing]].tolist()
    ends = np.cumsum(np.bincount(item_of[failing], minlength=n)).tolist()
    join = b",".join
    out = []
    begin = 0
    for position, end in enumerate(ends):
        out.append(join(fragments[begin:end]) if position not in apart else apart[position])
        begin = end
    return out


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
    # The rows go to COPY as text lines built here: the JSON of a row is its meta head (the ocid, the
    # one part that may hold a backslash, escaped for COPY's text format; orjson escapes tabs and
    # newlines), then path fragments or check names, which hold none.
    heads = []
    for item_id, _, _ in checked:
        head = b'{"meta":{"ocid":' + orjson.dumps(ocids.get(item_id)) + b'},"checks":{'
        if b"\\" in head:
            head = head.replace(b"\\", b"\\\\")
        heads.append((b"%d\t%d\t" % (item_id, dataset_id), head))
    bodies = (field_checks([f for _, f, _ in checked]), [resource_checks(r) for _, _, r in checked])
    sizes = []
    for table, checks in zip(("field_level_check", "resource_level_check"), bodies, strict=True):
        lines = [key + head + body + b"}}\n" for (key, head), body in zip(heads, checks, strict=True)]
        sizes.append(sum(map(len, lines)) - sum(len(key) + 1 for key, _ in heads))
        copy_text(conn, table, ("data_item_id", "dataset_id", "result"), lines)
    return sizes[0], sizes[1]
