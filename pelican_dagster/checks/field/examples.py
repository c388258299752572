"""Field-level report examples of one item (docs/report-shapes.md §6.2), built only for kept check results.

A sample keeps a pointer (item, path index, occurrence, which result); once the chunks' samples are
merged, the report re-reads each pointed item and asks :class:`ItemExamples` for its examples by
(path index, occurrence, which result): only that result is computed (not the whole entry), each
parent path of the item is walked once, and a result kept by several samples is built once and
shared, as Pelican's samples share the entry's result dict.
"""

from __future__ import annotations

from typing import Any

from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.field import coverage
from pelican_dagster.checks.field.evaluate import quality_check
from pelican_dagster.checks.field.paths import PATHS

__all__ = [
    "EXISTS",
    "EXISTS_PASSED",
    "NON_EMPTY",
    "NON_EMPTY_PASSED",
    "QUALITY",
    "ItemExamples",
    "nth",
    "parents",
]

# Which check result of an entry is meant. A caller that knows a coverage check passed says so: its
# result is then a constant and only the path is worked out.
EXISTS = 0
NON_EMPTY = 1
QUALITY = 2
EXISTS_PASSED = 3
NON_EMPTY_PASSED = 4

_PASSED = {
    EXISTS_PASSED: {
        "name": "exists",
        "result": True,
        "value": None,
        "reason": None,
        "version": coverage.VERSION,
    },
    NON_EMPTY_PASSED: {
        "name": "non_empty",
        "result": True,
        "value": None,
        "reason": None,
        "version": coverage.VERSION,
    },
}

# Per path index: the parent path's keys, the last key, the quality check (check, extra, name, version).
_PARENT_KEYS = tuple(tuple(field.path.split(".")[:-1]) for field in PATHS)
_KEYS = tuple(field.path.rpartition(".")[2] for field in PATHS)
_QUALITY = tuple(quality_check(field) for field in PATHS)


def parents(item: dict[str, Any], keys: tuple[str, ...]) -> list[tuple[str, Any, int]]:
    """The parents of the children of the path ``keys``, in entry order, as groups for :func:`nth`.

    The same parents as :func:`~pelican_dagster.checks.field.evaluate.path_parents` (values at the
    path, arrays along it expanded, a null or scalar at its end included, arrays in arrays expanded),
    walked level by level. A group is ``(path, value, -1)`` for one parent or ``(path, array, length)``
    for the elements of an array (their paths are only written when asked for).
    """
    level: list[tuple[str, Any]] = [("", item)]
    last = len(keys) - 1
    groups: list[tuple[str, Any, int]] = []
    for depth, key in enumerate(keys):
        below: list[tuple[str, Any]] = []
        for prefix, node in level:
            if type(node) is not dict or key not in node:
                continue
            value = node[key]
            here = f"{prefix}.{key}" if prefix else key
            if depth == last:
                if type(value) is not list:
                    groups.append((here, value, -1))
                elif list in map(type, value):
                    # An array in an array: the inner array's elements are parents too.
                    for i, element in enumerate(value):
                        if type(element) is list:
                            groups.append((f"{here}[{i}]", element, len(element)))
                        else:
                            groups.append((f"{here}[{i}]", element, -1))
                else:
                    groups.append((here, value, len(value)))
            elif type(value) is list:
                below.extend(
                    [(f"{here}[{i}]", element) for i, element in enumerate(value) if element is not None]
                )
            elif type(value) is dict:
                below.append((here, value))
        level = below
    if not keys:
        groups.append(("", item, -1))
    return groups


def nth(groups: list[tuple[str, Any, int]], position: int) -> tuple[str, Any]:
    """The ``position``-th parent of :func:`parents` as (indexed path, value)."""
    for path, value, length in groups:
        if length < 0:
            if not position:
                return path, value
            position -= 1
        elif position < length:
            return f"{path}[{position}]", value[position]
        else:
            position -= length
    raise IndexError(position)


def _result(name: str, outcome: tuple[bool, Any, str | None], version: float) -> dict[str, Any]:
    return {"name": name, "result": outcome[0], "value": outcome[1], "reason": outcome[2], "version": version}


class ItemExamples:
    """Builds the examples of one item's check results on demand."""

    __slots__ = ("built", "ctx", "item", "meta", "walked")

    def __init__(self, item: dict[str, Any], item_id: Any, ocid: Any, ctx: CheckContext) -> None:
        self.item = item
        self.ctx = ctx
        # One meta object for the item's examples (they serialise the same as copies would).
        self.meta = {"ocid": ocid, "item_id": item_id}
        self.walked: dict[tuple[str, ...], list[tuple[str, Any, int]]] = {}
        self.built: dict[tuple[int, int, int], tuple[str, dict[str, Any]]] = {}

    def example(self, index: int, position: int, which: int) -> dict[str, Any]:
        """The example of result ``which`` of the ``position``-th entry of path ``index``: the path and
        check result that :func:`~pelican_dagster.checks.field.evaluate.build_entry` gives for it."""
        passed = _PASSED.get(which)
        if passed is not None:
            key = (index, position, EXISTS_PASSED)  # the path only
            hit = self.built.get(key)
            if hit is None:
                keys = _PARENT_KEYS[index]
                found = self.walked.get(keys)
                if found is None:
                    found = self.walked[keys] = parents(self.item, keys)
                parent_path = nth(found, position)[0]
                name = _KEYS[index]
                hit = self.built[key] = (f"{parent_path}.{name}" if parent_path else name, None)
            return {"meta": self.meta, "path": hit[0], "result": passed.copy()}
        key = (index, position, which)
        hit = self.built.get(key)
        if hit is None:
            keys = _PARENT_KEYS[index]
            found = self.walked.get(keys)
            if found is None:
                found = self.walked[keys] = parents(self.item, keys)
            parent_path, parent = nth(found, position)
            name = _KEYS[index]
            if which == EXISTS:
                result = _result("exists", coverage.exists(parent, name), coverage.VERSION)
            elif which == NON_EMPTY:
                result = _result("non_empty", coverage.non_empty(parent, name), coverage.VERSION)
            else:
                check, extra, check_name, version = _QUALITY[index]  # type: ignore[misc]
                result = _result(check_name, check(parent[name], self.ctx, extra), version)
            hit = self.built[key] = (f"{parent_path}.{name}" if parent_path else name, result)
        return {"meta": self.meta, "path": hit[0], "result": hit[1]}
