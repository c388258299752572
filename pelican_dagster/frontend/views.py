"""``field_level_check`` and ``resource_level_check`` for the Pelican frontend: views over ``item_check``.

The frontend reads these relations only in its two failures downloads (pelican-frontend api/views.py):

* field level: the items with an occurrence of ``result->'checks'->PATH`` whose
  ``->TYPE->>'overall_result'`` is false (TYPE = coverage or quality);
* compiled-release level: the items whose ``result->'checks'->NAME->>'result'`` is false.

Pelican writes a ~13 KB JSON row per item and relation for this. Here the rows are computed when the
frontend asks, from what the item pass stores anyway: the compiled-release outcome codes
(``item_check.resource``, 2 bits per check, 3 = failed) and, per item, the codes of its failing paths
(``item_check.failures``, written with the item's results: :func:`field_failures`). Two lookup tables
turn codes into names: ``pelican_field_failure`` (code → path and its failing occurrences) and
``pelican_resource_check`` (bit position → check name). A row's ``result`` is ``{"meta": {"ocid": …},
"checks": {…}}`` holding, per path, one occurrence per failing type (``{"coverage": {"overall_result":
false}}``, ``{"quality": …}``) and, per check, only the failing ones (``{"result": false}``): the
frontend's queries give the same OCIDs as on Pelican's rows (tests/frontend). Writing stored JSON rows
instead cost the item pass ~1 s of a DR 10k run (64 MB of JSON parsed and compressed by PostgreSQL);
a failures download now builds the rows of one dataset on the fly.

The views follow ``item_check``: a re-check replaces them, a wipe removes them, nothing can go stale.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Sequence

import numpy as np
import orjson

from pelican_dagster.checks.compiled_release import CHECK_NAMES
from pelican_dagster.checks.compiled_release.encoding import FORMAT as RESOURCE_FORMAT
from pelican_dagster.checks.field.evaluate import COVERAGE_PASSED, QUALITY_FAILED, decode_field_result
from pelican_dagster.checks.field.paths import PATHS

__all__ = [
    "CREATE_LOOKUPS",
    "CREATE_VIEWS",
    "DROP_VIEWS",
    "FRONTEND_FIELD_FAILURES",
    "FRONTEND_RESOURCE_FAILURES",
    "field_failure_rows",
    "field_failures",
    "field_result",
    "resource_check_rows",
    "resource_result",
]

_PATH_NAMES = tuple(field.path for field in PATHS)
_BITMAP_BYTES = (len(PATHS) + 7) // 8
_RESOURCE_CODE_BYTES = (len(CHECK_NAMES) + 3) // 4
#: A path's failing occurrences, by failure kinds (1 coverage, 2 quality, 3 both).
_ENTRIES = {
    1: [{"coverage": {"overall_result": False}}],
    2: [{"quality": {"overall_result": False}}],
    3: [{"coverage": {"overall_result": False}}, {"quality": {"overall_result": False}}],
}
_FAILED = {"result": False}
#: Each occurrence code's failure flag (1 coverage, 2 quality). Codes are 3 × coverage + quality
#: (checks.field.evaluate): coverage failed below the first code of a passed coverage.
_FLAGS = np.array(
    [
        1 if code < 3 * COVERAGE_PASSED else 2 if code == 3 * COVERAGE_PASSED + QUALITY_FAILED else 0
        for code in range(256)
    ],
    np.uint8,
)

CREATE_LOOKUPS = """
CREATE TABLE pelican_field_failure (
    code integer PRIMARY KEY,
    path text NOT NULL,
    result jsonb NOT NULL
);
CREATE TABLE pelican_resource_check (
    position integer PRIMARY KEY,
    name text NOT NULL
);
"""

#: The views. ``failures`` holds little-endian 16-bit codes (path index × 4 + failure kinds);
#: ``resource`` is format byte 1, then 2 bits per check (3 = failed). An item the pass did not check
#: (no ``ocid``) has neither and no row, as in Pelican.
CREATE_VIEWS = """
CREATE VIEW field_level_check AS
SELECT c.item_id AS id, c.item_id AS data_item_id, c.dataset_id,
       jsonb_build_object(
           'meta', jsonb_build_object('ocid', i.ocid),
           'checks', coalesce((
               SELECT jsonb_object_agg(f.path, f.result)
               FROM generate_series(0, length(c.failures) / 2 - 1) AS g (n)
               JOIN pelican_field_failure f
                 ON f.code = get_byte(c.failures, 2 * g.n) + 256 * get_byte(c.failures, 2 * g.n + 1)
           ), '{}'::jsonb)
       ) AS result,
       i.created, i.modified
FROM item_check c JOIN data_item i ON i.id = c.item_id
WHERE c.failures IS NOT NULL;

CREATE VIEW resource_level_check AS
SELECT c.item_id AS id, c.item_id AS data_item_id, c.dataset_id,
       jsonb_build_object(
           'meta', jsonb_build_object('ocid', i.ocid),
           'checks', coalesce((
               SELECT jsonb_object_agg(r.name, '{"result": false}'::jsonb)
               FROM pelican_resource_check r
               WHERE (get_byte(c.resource, 1 + r.position / 4) >> (2 * (r.position % 4))) & 3 = 3
           ), '{}'::jsonb)
       ) AS result,
       i.created, i.modified
FROM item_check c JOIN data_item i ON i.id = c.item_id
WHERE c.resource IS NOT NULL;
"""

DROP_VIEWS = "DROP VIEW IF EXISTS field_level_check; DROP VIEW IF EXISTS resource_level_check;"

#: The frontend's two failures downloads (pelican-frontend api/views.py), verbatim, with its pyformat
#: parameters: what the views must answer (tests) and how fast (benchmarks/frontend_views.py).
FRONTEND_FIELD_FAILURES = """
    SELECT result->'meta'->>'ocid' FROM field_level_check
    WHERE dataset_id = %(dataset_id)s AND EXISTS (
        SELECT 1 FROM jsonb_array_elements(result->'checks'->%(path)s) AS occurrence
        WHERE (occurrence->%(type)s->>'overall_result')::boolean IS FALSE)
    ORDER BY 1
"""
FRONTEND_RESOURCE_FAILURES = """
    SELECT result->'meta'->>'ocid' FROM resource_level_check
    WHERE dataset_id = %(dataset_id)s AND (result->'checks'->%(name)s->>'result')::boolean IS FALSE
    ORDER BY 1
"""


def field_failure_rows() -> Iterator[tuple[int, str, str]]:
    """The rows of ``pelican_field_failure``: ``(code, path, result JSON)`` for every path and failure
    kinds (the code :func:`field_failures` writes)."""
    for index, path in enumerate(_PATH_NAMES):
        for kinds, entries in _ENTRIES.items():
            yield index * 4 + kinds, path, orjson.dumps(entries).decode()


def resource_check_rows() -> Iterator[tuple[int, str]]:
    """The rows of ``pelican_resource_check``: ``(bit position / 2, check name)``."""
    yield from enumerate(CHECK_NAMES)


def _kinds_of(codes: dict[int, list[int]]) -> dict[int, int]:
    """Failure kinds per path index of a decoded field result (the general, per-item reader)."""
    out = {}
    for index, occurrences in codes.items():
        kinds = 0
        for code in occurrences:
            kinds |= int(_FLAGS[code])
        if kinds:
            out[index] = kinds
    return out


def field_failures(encoded: Sequence[bytes | None]) -> list[bytes | None]:
    """``item_check.failures`` of many compact field results (``FieldResult.encode``; None stays None):
    the failing paths' codes, path index × 4 + failure kinds (1 coverage, 2 quality), as little-endian
    16-bit integers in path order.

    Decoded with array operations over all of them at once (the bitmaps unpacked into path indices, one
    failure flag per occurrence, a bitwise OR per item and path) rather than a Python loop per path; a
    result with varint counts (a path with 128+ occurrences, rare) goes through the general reader.
    """
    n = len(encoded)
    bitmaps, lengths, codes = [], [], []
    apart: dict[int, bytes | None] = {}
    empty_bitmap = bytes(_BITMAP_BYTES)
    for position, data in enumerate(encoded):
        if data is None:
            apart[position] = None
            bitmaps.append(empty_bitmap)
            continue
        raw = zlib.decompress(data)
        present = int.from_bytes(raw[:_BITMAP_BYTES], "little").bit_count()
        counts = raw[_BITMAP_BYTES : _BITMAP_BYTES + present]
        if counts and (max(counts) >= 0x80 or not min(counts)):
            kinds = _kinds_of(decode_field_result(data).codes)
            apart[position] = np.array(
                [index * 4 + kind for index, kind in sorted(kinds.items())], "<u2"
            ).tobytes()
            bitmaps.append(empty_bitmap)
            continue
        bitmaps.append(raw[:_BITMAP_BYTES])
        lengths.append(counts)
        codes.append(raw[_BITMAP_BYTES + present :])
    if not n:
        return []
    present = np.unpackbits(
        np.frombuffer(b"".join(bitmaps), np.uint8).reshape(n, _BITMAP_BYTES), axis=1, bitorder="little"
    )[:, : len(PATHS)]
    # Row-major order: the (item, path) groups in the order of their counts and codes.
    item_of, path_of = np.nonzero(present)
    counts = np.frombuffer(b"".join(lengths), np.uint8)
    flags = _FLAGS[np.frombuffer(b"".join(codes), np.uint8)]
    if len(counts):
        starts = np.zeros(len(counts), np.int64)
        np.cumsum(counts[:-1], out=starts[1:])
        kinds = np.bitwise_or.reduceat(flags, starts)
    else:
        kinds = np.zeros(0, np.uint8)
    failing = kinds > 0
    out_codes = (path_of[failing].astype(np.uint16) * 4 + kinds[failing]).astype("<u2").tobytes()
    ends = np.cumsum(np.bincount(item_of[failing], minlength=n)).tolist()
    out: list[bytes | None] = []
    begin = 0
    for position, end in enumerate(ends):
        out.append(out_codes[2 * begin : 2 * end] if position not in apart else apart[position])
        begin = end
    return out


def field_result(ocid: str | None, encoded: bytes) -> bytes:
    """The JSON ``result`` of an item's ``field_level_check`` row (what the view computes), from its
    compact field result, one item at a time: the reference the view is tested against."""
    kinds = _kinds_of(decode_field_result(encoded).codes)
    checks = {_PATH_NAMES[index]: _ENTRIES[kinds[index]] for index in sorted(kinds)}
    return orjson.dumps({"meta": {"ocid": ocid}, "checks": checks})


def resource_result(ocid: str | None, encoded: bytes) -> bytes:
    """The JSON ``result`` of an item's ``resource_level_check`` row (what the view computes), from its
    compact result (the 2-bit outcome codes of ``compiled_release.encoding``: 3 is failed)."""
    if encoded[0] != RESOURCE_FORMAT:
        raise ValueError("not a compact compiled-release result of format 1")
    codes = int.from_bytes(encoded[1 : 1 + _RESOURCE_CODE_BYTES], "little")
    checks = {name: _FAILED for index, name in enumerate(CHECK_NAMES) if (codes >> (2 * index)) & 3 == 3}
    return orjson.dumps({"meta": {"ocid": ocid}, "checks": checks})
