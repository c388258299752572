"""Field-level evaluation of one item (docs/checks.md §1.2): the hot loop, its compact result, Pelican's
shape.

:func:`check_item_fields` walks the item **once** along a trie of the 559 field paths and records, per
path and occurrence, one small outcome code (coverage and quality outcome, no values, no reasons).
:meth:`FieldResult.to_pelican` rebuilds Pelican's full per-item result (docs/report-shapes.md §1) from the
item by re-running the same plain checks; :func:`path_entries` does so for one path (used to build
report examples).

Traversal (§0.2, §1.2): the parents of ``P.k`` are the values at ``P`` (arrays expanded, a null or
scalar value at the end of ``P`` included); a parent that is itself an array (array in array) is
replaced by its elements; a parent that is not an object gives a failing ``exists``; a path without
parents is omitted. The values at ``P.k`` are, for each value ``v`` at ``P`` that is an object
holding ``k``, the elements of ``v[k]`` if it is an array, else ``v[k]`` itself. Why this walk is not
shared with the compiled-release checks' and the facts' walks: docs/hot-path.md.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from itertools import chain
from typing import Any

import numpy as np

from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.field import coverage
from pelican_dagster.checks.field.paths import PATHS, FieldPath
from pelican_dagster.checks.field.quality import (
    date_time,
    document_description_length,
    document_format_codelist,
    document_type,
    email,
    identifier_scheme,
    language,
    number_checks,
    ocid_prefix_check,
    telephone,
)
from pelican_dagster.checks.primitives import values_at_path

__all__ = [
    "COVERAGE_FAILED_EXISTS",
    "COVERAGE_FAILED_NON_EMPTY",
    "COVERAGE_PASSED",
    "QUALITY_FAILED",
    "QUALITY_NONE",
    "QUALITY_PASSED",
    "FieldResult",
    "QualityCheck",
    "build_entry",
    "check_item_fields",
    "code_of_entry",
    "decode_field_result",
    "encode_flat",
    "path_entries",
    "path_parents",
    "pelican_checks",
    "quality_check",
]

# One outcome code per entry: 3 × coverage + quality.
COVERAGE_FAILED_EXISTS = 0
COVERAGE_FAILED_NON_EMPTY = 1
COVERAGE_PASSED = 2
QUALITY_NONE = 0
QUALITY_PASSED = 1
QUALITY_FAILED = 2

_EXISTS_FAILED = 3 * COVERAGE_FAILED_EXISTS  # 0
_NON_EMPTY_FAILED = 3 * COVERAGE_FAILED_NON_EMPTY  # 3
_PASSED_NO_QUALITY = 3 * COVERAGE_PASSED + QUALITY_NONE  # 6
_PASSED_QUALITY_PASSED = 3 * COVERAGE_PASSED + QUALITY_PASSED  # 7
_PASSED_QUALITY_FAILED = 3 * COVERAGE_PASSED + QUALITY_FAILED  # 8

_QUALITY_MODULES = {
    m.NAME: m
    for m in (
        ocid_prefix_check,
        date_time,
        email,
        telephone,
        identifier_scheme,
        document_type,
        document_format_codelist,
        document_description_length,
        number_checks,
        language,
    )
}

#: A quality check as the engine calls it: ``check(value, ctx, extra) -> (passed, value, reason)``.
QualityCheck = Callable[[Any, CheckContext, Any], tuple[bool, Any, "str | None"]]


def quality_check(field: FieldPath) -> tuple[QualityCheck, Any, str, float] | None:
    """The quality check of a field path as ``(check, extra, name, version)``, or None."""
    if field.quality is None:
        return None
    module = _QUALITY_MODULES[field.quality]
    extra = field.past if field.quality == "date_time" else field.section
    return module.check, extra, module.NAME, module.VERSION


# ---------------------------------------------------------------------------------------------------
# The trie and the hot loop


class _Node:
    """The children of one path in the trie: key → (ordinal, path index or -1, check, extra, node)."""

    __slots__ = ("absent", "children", "count", "slots", "subs")

    def __init__(self, children: dict[str, tuple[int, int, QualityCheck | None, Any, _Node | None]]) -> None:
        self.children = children
        self.count = len(children)
        #: (ordinal, path index) of the children that are listed paths.
        self.slots = tuple((c[0], c[1]) for c in children.values() if c[1] >= 0)
        #: The child nodes by ordinal (None for leaves).
        self.subs = tuple(c[4] for c in children.values())
        #: Every child path with one failing ``exists`` entry (a single parent lacking all keys).
        self.absent = {index: _ONE[_EXISTS_FAILED] for _, index in self.slots}


def _build_trie(quality: bool = True) -> _Node:
    tree: dict[str, Any] = {}  # key -> [index, field, subtree]
    for field in PATHS:
        node = tree
        keys = field.path.split(".")
        for key in keys[:-1]:
            # A prefix that is not itself a listed path still has to be walked through.
            node = node.setdefault(key, [-1, None, {}])[2]
        slot = node.setdefault(keys[-1], [-1, None, {}])
        slot[0], slot[1] = field.index, field

    def freeze(node: dict[str, Any]) -> _Node:
        children = {}
        for ordinal, (key, (index, field, sub)) in enumerate(node.items()):
            q = quality_check(field) if field is not None and quality else None
            check, extra = (q[0], q[1]) if q else (None, None)
            children[key] = (ordinal, index, check, extra, freeze(sub) if sub else None)
        return _Node(children)

    return freeze(tree)


_MISSING: Any = object()
# Falsy values that count as empty for non_empty (0, 0.0 and false are falsy but not empty).
_EMPTYABLE = frozenset((str, dict, list))
# Shared one-entry code lists (read-only, like every code list of a FieldResult).
_ONE = tuple([code] for code in range(9))

_TRIE = _build_trie()
#: The trie when the quality step is disabled (Pelican's steps without ``field_quality``).
_TRIE_COVERAGE_ONLY = _build_trie(quality=False)


def _walk(values: list[Any], node: _Node, ctx: CheckContext, out: dict[int, list[int]]) -> None:
    """Evaluate the children of one path, whose values (unexpanded) are ``values``.

    Work is proportional to the keys present in the parents: every child starts as "exists failed"
    and only the keys a parent holds are looked at.
    """
    parents = values
    for v in values:
        if type(v) is list:
            # An array directly inside an array: its elements are separate parents (§1.2 step 3).
            parents = []
            for w in values:
                if type(w) is list:
                    parents.extend(w)
                else:
                    parents.append(w)
            break
    children = node.children
    emptyable = _EMPTYABLE
    one = _ONE
    if len(parents) == 1:
        # Most paths have a single parent (top-level objects, tender, planning, ...).
        out.update(node.absent)
        p = parents[0]
        if type(p) is not dict:
            return  # nothing below a non-object (nor below an array in an array)
        descend = values is parents
        for key, v in p.items():
            child = children.get(key)
            if child is None:
                continue
            _, index, check, extra, sub = child
            if v or (v is not None and type(v) not in emptyable):
                if check is None:
                    code = _PASSED_NO_QUALITY
                else:
                    code = _PASSED_QUALITY_PASSED if check(v, ctx, extra)[0] else _PASSED_QUALITY_FAILED
            else:
                code = _NON_EMPTY_FAILED
            if index >= 0:
                out[index] = one[code]
            if sub is not None and descend:
                if type(v) is list:
                    if v:
                        _walk(v, sub, ctx, out)
                else:
                    _walk([v], sub, ctx, out)
        return

    n = len(parents)
    if not n:
        return  # only empty arrays inside an array: no parents, the child paths are omitted
    lists = [[_EXISTS_FAILED] * n for _ in range(node.count)]
    # Values at each child path, gathered in document order (only from unexpanded values).
    below: dict[int, list[Any]] = {}
    descend = values is parents
    for pos, p in enumerate(parents):
        if type(p) is not dict:
            continue
        for key, v in p.items():
            child = children.get(key)
            if child is None:
                continue
            ordinal, _, check, extra, sub = child
            if v or (v is not None and type(v) not in emptyable):
                if check is None:
                    lists[ordinal][pos] = _PASSED_NO_QUALITY
                else:
                    lists[ordinal][pos] = (
                        _PASSED_QUALITY_PASSED if check(v, ctx, extra)[0] else _PASSED_QUALITY_FAILED
                    )
            else:
                lists[ordinal][pos] = _NON_EMPTY_FAILED
            if sub is not None and descend:
                got = below.get(ordinal)
                if got is None:
                    got = below[ordinal] = []
                if type(v) is list:
                    got.extend(v)
                else:
                    got.append(v)
    for ordinal, index in node.slots:
        out[index] = lists[ordinal]
    if not descend:
        # Array in array: the values below come from the object values only (not from the elements
        # of nested arrays, which Pelican's traversal does not enter).
        for v in values:
            if type(v) is not dict:
                continue
            for key, w in v.items():
                child = children.get(key)
                if child is None or child[4] is None:
                    continue
                got = below.setdefault(child[0], [])
                if type(w) is list:
                    got.extend(w)
                else:
                    got.append(w)
    if below:
        subs = node.subs
        for ordinal, got in below.items():
            if got:
                _walk(got, subs[ordinal], ctx, out)


def check_item_fields(item: dict[str, Any], ctx: CheckContext, quality: bool = True) -> FieldResult:
    """The field-level outcome of every path of ``item`` (compact; see :class:`FieldResult`).

    ``quality=False`` runs the coverage checks only (Pelican's ``field_quality`` step disabled).
    """
    out: dict[int, list[int]] = {}
    _walk([item], _TRIE if quality else _TRIE_COVERAGE_ONLY, ctx, out)
    return FieldResult(out, item, ctx, quality)


# ---------------------------------------------------------------------------------------------------
# The compact result


class FieldResult:
    """Per path index (processing order) the outcome code of each occurrence, in document order.

    A code is ``3 × coverage + quality`` with coverage 0 = ``exists`` failed, 1 = ``non_empty``
    failed, 2 = passed, and quality 0 = none, 1 = passed, 2 = failed. Paths without parents are
    absent. The item and context it was computed from are kept (not encoded) so that
    :meth:`to_pelican` and report examples can rebuild values and reasons.
    """

    __slots__ = ("_flat", "codes", "ctx", "item", "quality")

    def __init__(
        self,
        codes: dict[int, list[int]],
        item: dict[str, Any] | None = None,
        ctx: CheckContext | None = None,
        quality: bool = True,
    ) -> None:
        self.codes = codes
        self.item = item
        self.ctx = ctx
        #: Whether the quality checks ran (not encoded: a setting of the run).
        self.quality = quality
        self._flat: tuple[list[int], list[int], bytes] | None = None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FieldResult) and self.codes == other.codes

    def __repr__(self) -> str:
        return f"FieldResult({len(self.codes)} paths, {sum(map(len, self.codes.values()))} entries)"

    def flat(self) -> tuple[list[int], list[int], bytes]:
        """``(path indices in ascending order, occurrences of each, every code in that order)``, computed
        once (:meth:`encode` and the chunk's :class:`~.report.FieldReport` both read it; ``codes`` is
        not to be changed after)."""
        if self._flat is None:
            indices = sorted(self.codes)
            lists = [self.codes[i] for i in indices]
            self._flat = (indices, list(map(len, lists)), bytes(chain.from_iterable(lists)))
        return self._flat

    def encode(self) -> bytes:
        """A compact storage form (about 160 bytes per item on dominican-republic-dgcp).

        zlib of: a bitmap of the paths present (70 bytes, bit i = path index i), then the occurrence
        count of each present path (LEB128 varints, index order), then one byte per occurrence code.
        The item pass encodes a chunk's results at once with :func:`encode_flat`, which this calls: one
        definition of the stored bytes.
        """
        return encode_flat([self.flat()])[0]

    def to_pelican(
        self,
        ocid: Any,
        item_id: Any,
        item: dict[str, Any] | None = None,
        ctx: CheckContext | None = None,
    ) -> dict[str, Any]:
        """Pelican's ``field_level_check.result`` for this item (docs/report-shapes.md §1)."""
        item = item if item is not None else self.item
        ctx = ctx if ctx is not None else self.ctx
        if item is None or ctx is None:
            raise ValueError("to_pelican needs the item and the context (pass them to a decoded result)")
        return {"meta": {"ocid": ocid, "item_id": item_id}, "checks": pelican_checks(item, ctx, self.quality)}


_BITMAP_BYTES = (len(PATHS) + 7) // 8


def _counts(lengths: list[int]) -> bytes:
    """Occurrence counts as LEB128 varints."""
    if not lengths or max(lengths) < 0x80:
        return bytes(lengths)  # one-byte varints
    counts = bytearray()
    for n in lengths:
        while n >= 0x80:
            counts.append((n & 0x7F) | 0x80)
            n >>= 7
        counts.append(n)
    return bytes(counts)


def encode_flat(flats: Sequence[tuple[list[int], list[int], bytes]]) -> list[bytes]:
    """The stored form (:meth:`FieldResult.encode`) of many results given as their
    :meth:`FieldResult.flat`: the bitmaps are set and packed for all of them at once (per item, setting
    ~150 bits one by one cost as much as the compression)."""
    if not flats:
        return []
    present = np.zeros((len(flats), _BITMAP_BYTES * 8), np.uint8)
    present[
        np.repeat(np.arange(len(flats)), [len(flat[0]) for flat in flats]),
        np.array(list(chain.from_iterable(flat[0] for flat in flats)), np.intp),
    ] = 1
    bitmaps = np.packbits(present, axis=1, bitorder="little").tobytes()
    compress = zlib.compress
    size = _BITMAP_BYTES
    return [
        compress(bitmaps[k * size : k * size + size] + _counts(lengths) + codes, 6)
        for k, (_, lengths, codes) in enumerate(flats)
    ]


def decode_field_result(data: bytes) -> FieldResult:
    """The :class:`FieldResult` stored by :meth:`FieldResult.encode` (without item and context)."""
    raw = zlib.decompress(data)
    indices = [i for i in range(len(PATHS)) if raw[i >> 3] >> (i & 7) & 1]
    pos = _BITMAP_BYTES
    counts = []
    for _ in indices:
        count = shift = 0
        while True:
            byte = raw[pos]
            pos += 1
            count |= (byte & 0x7F) << shift
            if byte < 0x80:
                break
            shift += 7
        counts.append(count)
    codes: dict[int, list[int]] = {}
    for index, count in zip(indices, counts, strict=True):
        codes[index] = list(raw[pos : pos + count])
        pos += count
    return FieldResult(codes)


# ---------------------------------------------------------------------------------------------------
# Pelican's full shape, rebuilt from the item


def _result(name: str, outcome: tuple[bool, Any, str | None], version: float) -> dict[str, Any]:
    return {"name": name, "result": outcome[0], "value": outcome[1], "reason": outcome[2], "version": version}


_EXISTS_PASSED = {"name": "exists", "result": True, "value": None, "reason": None, "version": 1.0}
_NON_EMPTY_PASSED = {"name": "non_empty", "result": True, "value": None, "reason": None, "version": 1.0}


def _parents(item: dict[str, Any], parent_path: str, cache: dict[str, list[tuple[str, Any]]]):
    """The parents of the children of ``parent_path`` as (indexed path, value), arrays in arrays expanded."""
    hit = cache.get(parent_path)
    if hit is not None:
        return hit
    out: list[tuple[str, Any]] = []
    for path, value in values_at_path(item, parent_path):
        if type(value) is list:
            out.extend((f"{path}[{i}]", element) for i, element in enumerate(value))
        else:
            out.append((path, value))
    cache[parent_path] = out
    return out


def path_parents(
    item: dict[str, Any], field: FieldPath, cache: dict[str, list[tuple[str, Any]]] | None = None
) -> list[tuple[str, Any]]:
    """The parents of a field path as (indexed parent path, parent value), one per entry.

    ``cache`` (parent path → parents) may be shared by the calls for one item.
    """
    parent_path = field.path.rpartition(".")[0]
    if not parent_path:
        return [("", item)]
    return _parents(item, parent_path, {} if cache is None else cache)


def build_entry(
    field: FieldPath, parent_path: str, parent: Any, ctx: CheckContext, quality: bool = True
) -> dict[str, Any]:
    """Pelican's entry (docs/report-shapes.md §1) of a field path for one parent."""
    key = field.path.rpartition(".")[2]
    results = []
    exists = coverage.exists(parent, key)
    if not exists[0]:
        results.append(_result("exists", exists, coverage.VERSION))
        passed = False
    else:
        results.append(_EXISTS_PASSED.copy())
        non_empty = coverage.non_empty(parent, key)
        passed = non_empty[0]
        results.append(
            _NON_EMPTY_PASSED.copy() if passed else _result("non_empty", non_empty, coverage.VERSION)
        )
    quality_group: dict[str, Any] = {"overall_result": None, "check_results": []}
    q = quality_check(field) if quality else None
    if passed and q is not None:
        check, extra, name, version = q
        outcome = check(parent[key], ctx, extra)
        quality_group = {"overall_result": outcome[0], "check_results": [_result(name, outcome, version)]}
    return {
        "path": f"{parent_path}.{key}" if parent_path else key,
        "coverage": {"overall_result": passed, "check_results": results},
        "quality": quality_group,
    }


def path_entries(
    item: dict[str, Any],
    field: FieldPath,
    ctx: CheckContext,
    cache: dict[str, list[tuple[str, Any]]] | None = None,
    quality: bool = True,
) -> list[dict[str, Any]]:
    """Pelican's entries of one field path for ``item`` (empty when the path has no parents)."""
    return [
        build_entry(field, path, parent, ctx, quality) for path, parent in path_parents(item, field, cache)
    ]


def pelican_checks(
    item: dict[str, Any], ctx: CheckContext, quality: bool = True
) -> dict[str, list[dict[str, Any]]]:
    """The ``checks`` object of Pelican's field-level result: path → entries, paths with parents only."""
    cache: dict[str, list[tuple[str, Any]]] = {}
    out = {}
    for field in PATHS:
        entries = path_entries(item, field, ctx, cache, quality)
        if entries:
            out[field.path] = entries
    return out


def code_of_entry(entry: dict[str, Any]) -> int:
    """The compact outcome code of one Pelican entry (the inverse of what the hot loop records)."""
    results = entry["coverage"]["check_results"]
    if not results[0]["result"]:
        return _EXISTS_FAILED
    if not entry["coverage"]["overall_result"]:
        return _NON_EMPTY_FAILED
    q = entry["quality"]["overall_result"]
    return _PASSED_NO_QUALITY if q is None else _PASSED_QUALITY_PASSED if q else _PASSED_QUALITY_FAILED
