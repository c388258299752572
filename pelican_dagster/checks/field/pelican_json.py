"""Pelican's per-item field-level result (docs/report-shapes.md §1) written straight as JSON text.

:func:`~.evaluate.pelican_checks` builds the result as Python objects: ~420 entries of nested dicts per
item, ~7 ms each, for an export that only serialises them. Nearly every entry is one of a few shapes that
differ only in their path (passed, not set, null, empty, quality passed), so :func:`field_level_json`
walks the item once along a trie of the field paths and writes each entry as its indexed path plus a
tail of JSON text precomputed per field path and outcome. The rest (a quality check that failed, a
parent that is not an object, a quality outcome of an unusual shape) goes through
:func:`~.evaluate.build_entry` and the caller's encoder, so the text is byte for byte what encoding
``pelican_checks`` would give (tests/checks/field/test_pelican_json.py compares them on every bundled
file).

The traversal is ``pelican_checks``'s (docs/checks.md §1.2, §0.2): the parents of ``P.k`` are the values
at ``P``, a value that is an array replaced by its elements; the values at ``P`` are reached through
objects, and arrays of objects, only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.field.evaluate import build_entry, quality_check
from pelican_dagster.checks.field.paths import PATHS, FieldPath

__all__ = ["field_level_json"]

#: Writes one JSON value exactly (the export's encoder: orjson, or the exact one for 1e400).
Encode = Callable[[Any], bytes]

# Tail kinds: what follows the entry's path, by outcome.
_NOT_SET, _NULL, _EMPTY_STRING, _EMPTY_OBJECT, _EMPTY_ARRAY, _PASSED, _QUALITY_PASSED, _PARENT_NULL = range(8)
# A failed quality check: tail, then the value's JSON, the second part, the reason's JSON, the third part.
_FAILED_HEAD, _FAILED_MIDDLE, _FAILED_END = range(8, 11)
_VALUE_MARK, _REASON_MARK = "\x01V", "\x01R"
_EMPTY_TAILS = {str: _EMPTY_STRING, dict: _EMPTY_OBJECT, list: _EMPTY_ARRAY}
_EMPTYABLE = frozenset((str, dict, list))
_MISSING: Any = object()
# The placeholder parent path of the template entries (a key of the trie never holds a quote).
_PLACEHOLDER = "P"
_HEAD = '{"path":"'


def _tail(entry: dict[str, Any]) -> str:
    """The text of a template entry after ``{"path":"P.`` (so: the key, then the rest)."""
    text = orjson.dumps(entry).decode()
    prefix = _HEAD + _PLACEHOLDER + "."
    if not text.startswith(prefix):
        raise AssertionError(f"unexpected entry layout: {text[:40]}")
    return text[len(prefix) :]


def _tails(field: FieldPath, quality: bool) -> tuple[str, ...] | None:
    key = field.path.rpartition(".")[2]

    def entry(parent: Any, with_quality: bool = quality) -> dict[str, Any]:
        # Never passed coverage, or quality off: build_entry does not read the context.
        return build_entry(field, _PLACEHOLDER, parent, None, with_quality)  # type: ignore[arg-type]

    passed = entry({key: 1}, with_quality=False)
    q = quality_check(field) if quality else None
    quality_passed = quality_failed = None
    failed = ("", "", "")
    if q is not None:
        _, _, name, version = q
        result = {"name": name, "result": True, "value": None, "reason": None, "version": version}
        quality_passed = {**passed, "quality": {"overall_result": True, "check_results": [result]}}
        result = {
            "name": name,
            "result": False,
            "value": _VALUE_MARK,
            "reason": _REASON_MARK,
            "version": version,
        }
        quality_failed = {**passed, "quality": {"overall_result": False, "check_results": [result]}}
        head, rest = _tail(quality_failed).split(orjson.dumps(_VALUE_MARK).decode())
        middle, end = rest.split(orjson.dumps(_REASON_MARK).decode())
        failed = (head, middle, end)
    return (
        _tail(entry({})),
        _tail(entry({key: None})),
        _tail(entry({key: ""})),
        _tail(entry({key: {}})),
        _tail(entry({key: []})),
        _tail(passed),
        _tail(quality_passed) if quality_passed is not None else "",
        _tail(entry(None)),
        *failed,
    )


class _Node:
    """The children of one path: ``(key, index or -1, field, check, extra, tails, sub node)``."""

    __slots__ = ("children",)

    def __init__(self) -> None:
        self.children: list[tuple[str, int, FieldPath | None, Any, Any, tuple[str, ...] | None, Any]] = []


def _build(quality: bool) -> _Node:
    tree: dict[str, Any] = {}  # key -> [field, subtree]
    for field in PATHS:
        node = tree
        keys = field.path.split(".")
        for key in keys[:-1]:
            node = node.setdefault(key, [None, {}])[1]
        node.setdefault(keys[-1], [None, {}])[0] = field

    def freeze(node: dict[str, Any]) -> _Node:
        out = _Node()
        for key, (field, sub) in node.items():
            q = quality_check(field) if field is not None and quality else None
            out.children.append(
                (
                    key,
                    field.index if field is not None else -1,
                    field,
                    q[0] if q else None,
                    q[1] if q else None,
                    _tails(field, quality) if field is not None else None,
                    freeze(sub) if sub else None,
                )
            )
        return out

    return freeze(tree)


_TRIES: dict[bool, _Node] = {}
#: ``"<path>":[`` per path index, the start of each path's entry list in ``checks``.
_KEYS = tuple(f'"{field.path}":[' for field in PATHS)


def _walk(
    parents: list[tuple[str, Any, bool]],
    node: _Node,
    ctx: CheckContext,
    quality: bool,
    encode: Encode,
    out: dict[int, str],
) -> None:
    """Write the entries of the children of one path, whose parents are ``parents``: ``(indexed path,
    value, whether paths below may be reached through it)`` in document order."""
    heads = [_HEAD + path + "." if path else _HEAD for path, _, _ in parents]
    emptyable = _EMPTYABLE
    missing = _MISSING
    for key, index, field, check, extra, tails, sub in node.children:
        if tails is not None:
            texts = []
            append = texts.append
            for head, (path, p, _) in zip(heads, parents, strict=True):
                if type(p) is dict:
                    v = p.get(key, missing)
                    if v is missing:
                        append(head + tails[_NOT_SET])
                    elif v or (v is not None and type(v) not in emptyable):
                        if check is None:
                            append(head + tails[_PASSED])
                        else:
                            outcome = check(v, ctx, extra)
                            if outcome[0] is True and outcome[1] is None and outcome[2] is None:
                                append(head + tails[_QUALITY_PASSED])
                            elif outcome[0] is False and type(outcome[2]) is str:
                                append(
                                    head
                                    + tails[_FAILED_HEAD]
                                    + encode(outcome[1]).decode()
                                    + tails[_FAILED_MIDDLE]
                                    + encode(outcome[2]).decode()
                                    + tails[_FAILED_END]
                                )
                            else:
                                append(encode(build_entry(field, path, p, ctx, quality)).decode())
                    elif v is None:
                        append(head + tails[_NULL])
                    else:
                        append(head + tails[_EMPTY_TAILS[type(v)]])
                elif p is None:
                    append(head + tails[_PARENT_NULL])
                else:
                    append(encode(build_entry(field, path, p, ctx, quality)).decode())
            out[index] = ",".join(texts)
        if sub is None:
            continue
        below: list[tuple[str, Any, bool]] = []
        for path, p, descend in parents:
            if not descend or type(p) is not dict or key not in p:
                continue
            v = p[key]
            here = f"{path}.{key}" if path else key
            if type(v) is list:
                for i, element in enumerate(v):
                    at = f"{here}[{i}]"
                    if type(element) is list:
                        # An array in an array: its elements are parents, nothing below them is reached.
                        below.extend((f"{at}[{j}]", e, False) for j, e in enumerate(element))
                    else:
                        below.append((at, element, True))
            else:
                below.append((here, v, True))
        if below:
            _walk(below, sub, ctx, quality, encode, out)


def field_level_json(
    item: dict[str, Any], ctx: CheckContext, ocid: Any, item_id: Any, encode: Encode, quality: bool = True
) -> bytes:
    """The JSON text of ``FieldResult.to_pelican(ocid, item_id, item, ctx)`` for this item (docs/report-
    shapes.md §1), as ``encode`` would write it. ``encode`` writes the values that are not templates
    (``meta``, failing entries)."""
    trie = _TRIES.get(quality)
    if trie is None:
        trie = _TRIES[quality] = _build(quality)
    out: dict[int, str] = {}
    _walk([("", item, True)], trie, ctx, quality, encode, out)
    keys = _KEYS
    checks = "],".join(keys[index] + out[index] for index in sorted(out))
    meta = encode({"ocid": ocid, "item_id": item_id}).decode()
    return f'{{"meta":{meta},"checks":{{{checks}{"]" if out else ""}}}}}'.encode()
