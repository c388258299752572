"""The two coverage checks of every field path (docs/checks.md §1.3, version 1.0): ``exists``, ``non_empty``.

Both take the parent value and the key. A parent that is not an object fails with
``parent is a <type>, not an object`` and stores the parent itself as the value.
"""

from __future__ import annotations

from typing import Any

from pelican_dagster.checks.primitives import type_name

__all__ = ["VERSION", "empty_reason", "exists", "non_empty"]

VERSION = 1.0

#: (passed, value on failure, reason on failure), as the quality checks return.
Outcome = tuple[bool, Any, str | None]

_PASSED: Outcome = (True, None, None)


def _not_object(parent: Any) -> Outcome:
    return False, parent, f"parent is a {type_name(parent)}, not an object"


def exists(parent: Any, key: str) -> Outcome:
    """Pass when ``parent`` is an object holding ``key`` (whatever its value, null included)."""
    if type(parent) is not dict:
        return _not_object(parent)
    if key not in parent:
        return False, None, "not set"
    return _PASSED


def empty_reason(value: Any) -> str | None:
    """Why a present value counts as empty (null, ``""``, ``{}``, ``[]``), or None when it is not."""
    if value is None:
        return "null value"
    t = type(value)
    if t is str:
        return None if value else "empty string"
    if t is dict:
        return None if value else "empty object"
    if t is list:
        return None if value else "empty array"
    return None  # 0, false, " ", [null], {"a": null} are all non-empty


def non_empty(parent: Any, key: str) -> Outcome:
    """Pass when ``parent[key]`` is present and neither null nor an empty string, object or array."""
    if type(parent) is not dict:
        return _not_object(parent)
    if key not in parent:
        return False, None, "not set"
    value = parent[key]
    reason = empty_reason(value)
    if reason is None:
        return _PASSED
    return False, value, reason
