"""Shared primitives of every check (docs/checks.md §0): traversal, coercion and date parsing.

Most edge-case behaviour of the checks comes from here, so these functions follow Pelican's semantics
exactly (Python-style decoding, exact type tests, ``float()`` coercion, dateutil's ``isoparse``). They
never raise on any decoded JSON value.
"""

from __future__ import annotations

import datetime as _dt
import math
from typing import Any, Literal

from dateutil.parser import isoparse

__all__ = [
    "as_number",
    "as_text",
    "date_of",
    "date_of_head",
    "get",
    "has",
    "is_truthy",
    "parse_date",
    "parse_datetime",
    "split_path",
    "type_name",
    "values_at_path",
]

Coercion = Literal["date", "datetime", "object", "array", "number", "text"] | None

_TYPE_NAMES = {str: "str", int: "int", float: "float", bool: "bool", list: "list", dict: "dict"}


def type_name(value: Any) -> str:
    """Python's type name of a decoded JSON value (``NoneType`` for null), as Pelican reports it."""
    if value is None:
        return "NoneType"
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def is_truthy(value: Any) -> bool:
    """Python truthiness: null, "", 0, 0.0, false, [] and {} are falsy (docs/checks.md §0.1)."""
    return bool(value)


def as_number(value: Any) -> float | None:
    """Python ``float(x)`` coercion, or None where it fails (null, objects, arrays, other text).

    Bools count (true → 1.0). Strings may carry whitespace, underscores between digits, exponents and
    the words nan / inf / infinity, exactly as ``float()`` accepts them.
    """
    t = type(value)
    if t is float:
        return value
    if t is int or t is bool:
        try:
            return float(value)
        except OverflowError:
            # A JSON integer too large for a double: float() raises; Pelican would have failed too.
            return None
    if t is str:
        try:
            return float(value)
        except ValueError:
            return None
    return None


def as_text(value: Any) -> str:
    """Python ``str(x)``: ``1`` → ``"1"``, ``1.0`` → ``"1.0"``, true → ``"True"``, null → ``"None"``."""
    if type(value) is str:
        return value
    return str(value)


def split_path(path: str) -> tuple[str, ...]:
    """Split a dotted path into its keys (an empty path has no keys)."""
    return tuple(path.split(".")) if path else ()


def values_at_path(node: Any, path: str | tuple[str, ...]) -> list[tuple[str, Any]]:
    """Every occurrence of ``path`` under ``node`` as ``(indexed path, value)`` pairs (docs/checks.md §0.2).

    Arrays anywhere along the path are expanded, in document order; a path ending in an array yields
    each element (``awards`` → ``awards[0]``, ``awards[1]``); objects are never expanded, so a single
    ``awards`` object is one occurrence with the path ``awards``. A non-object element of an expanded
    array with more path to follow yields nothing (where Pelican raises, see §0.9).
    """
    keys = split_path(path) if isinstance(path, str) else path
    out: list[tuple[str, Any]] = []
    _collect(node, keys, 0, "", out)
    return out


def _collect(node: Any, keys: tuple[str, ...], i: int, prefix: str, out: list[tuple[str, Any]]) -> None:
    if node is None:
        return
    if i == len(keys):
        out.append((prefix, node))
        return
    if type(node) is not dict:
        return
    key = keys[i]
    if key not in node:
        return
    value = node[key]
    here = f"{prefix}.{key}" if prefix else key
    last = i + 1 == len(keys)
    if type(value) is list:
        for index, element in enumerate(value):
            if last:
                out.append((f"{here}[{index}]", element))
            elif element is not None:
                _collect(element, keys, i + 1, f"{here}[{index}]", out)
    elif last:
        out.append((here, value))
    elif type(value) is dict:
        _collect(value, keys, i + 1, here, out)


_MISSING = object()


def _walk(node: Any, path: str) -> Any:
    """Follow ``path`` through objects only; ``_MISSING`` when a key is missing or a step is not an object."""
    for key in split_path(path):
        if type(node) is not dict or key not in node:
            return _MISSING
        node = node[key]
    return node


def has(node: Any, path: str) -> bool:
    """True when every key along ``path`` exists in an object, whatever the final value (null included)."""
    return _walk(node, path) is not _MISSING


def get(node: Any, path: str, coerce: Coercion = None) -> Any:
    """The value at ``path`` (objects only, no array expansion) with an optional coercion (docs/checks.md
    §0.3).

    Unset gives null, except that the ``object`` / ``array`` / ``text`` coercions give ``{}`` / ``[]`` /
    ``""``. A set value of another exact type is coerced: dates are parsed (null on failure), objects and
    arrays are replaced by empty ones, numbers use :func:`as_number`, text uses :func:`as_text`
    (so a set null becomes ``"None"``).
    """
    value = _walk(node, path)
    if value is _MISSING:
        if coerce == "object":
            return {}
        if coerce == "array":
            return []
        if coerce == "text":
            return ""
        return None
    if coerce is None:
        return value
    if coerce == "date":
        return value if type(value) is _dt.date else parse_date(value)
    if coerce == "datetime":
        return value if type(value) is _dt.datetime else parse_datetime(value)
    if coerce == "object":
        return value if type(value) is dict else {}
    if coerce == "array":
        return value if type(value) is list else []
    if coerce == "number":
        return value if type(value) is float else as_number(value)
    if coerce == "text":
        return as_text(value)
    raise ValueError(f"unknown coercion {coerce!r}")


def parse_date(value: Any) -> _dt.date | None:
    """The calendar date written at the start of ``value`` (docs/checks.md §0.5), or None.

    The first 10 characters are parsed as ISO 8601 (dateutil ``isoparse``), falling back to an unpadded
    ``%Y-%m-%d`` date that fills those characters exactly. The time and UTC offset are ignored.
    """
    if type(value) is not str or not value:
        return None
    head = value[:10]
    try:
        return isoparse(head).date()
    except (ValueError, OverflowError, TypeError):
        pass
    try:
        return _dt.datetime.strptime(head, "%Y-%m-%d").date()
    except ValueError:
        return None


# parse_date reads only the first 10 characters, so they key its memo: keys stay small even for huge
# strings, and values that differ only in their time share an entry. Dates repeat across checks and
# items; this is the one memo of parse_date on the hot path (docs/hot-path.md). Bounded: cleared when full.
_DATE_HEADS: dict[str, _dt.date | None] = {}
_DATE_HEADS_MAX = 200_000


def date_of_head(head: str) -> _dt.date | None:
    """``parse_date(head)`` for a string of at most 10 characters, memoised."""
    try:
        return _DATE_HEADS[head]
    except KeyError:
        pass
    if len(_DATE_HEADS) >= _DATE_HEADS_MAX:
        _DATE_HEADS.clear()
    date = _DATE_HEADS[head] = parse_date(head)
    return date


def date_of(value: Any) -> _dt.date | None:
    """``parse_date(value)``, memoised (see :func:`date_of_head`)."""
    if type(value) is not str:
        return None
    return date_of_head(value[:10])


def parse_datetime(value: Any) -> _dt.datetime | None:
    """The whole string as an ISO 8601 date-time (naive or offset-aware), or None (docs/checks.md §0.5)."""
    if type(value) is not str or not value:
        return None
    try:
        return isoparse(value)
    except (ValueError, OverflowError, TypeError):
        pass
    try:
        return _dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        return None


def is_finite(number: float) -> bool:
    """True for a number that is neither NaN nor infinite."""
    return math.isfinite(number)
