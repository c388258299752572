"""The date-pair engine of the six coherent date checks (checks.md §2.0).

A check declares ordered pair rules ``(A, B, grouping)``: every occurrence of path A is paired with
every occurrence of path B (A-major, occurrences from ``values_at_path``, nulls and unparsable values
included). Grouping ``SAME_ELEMENT`` keeps pairs whose indexed paths agree before the first dot (the
same top-level array element, e.g. ``contracts[3]``); ``SAME_OBJECT`` keeps pairs whose paths agree up
to the last dot (e.g. the same document). A pair whose two values both parse with ``parse_date`` is one
application and passes iff date(A) ≤ date(B); other pairs are skipped.

Outcomes: no pair at all → N/A ``no pairs of dates are set``; pairs but none parsable → N/A ``no pairs
of dates are parseable``; failures listed as ``{path_1, value_1, path_2, value_2}``.
"""

from __future__ import annotations

import datetime as _dt
import functools
from collections.abc import Sequence
from typing import Any, Literal

from pelican_dagster.checks.compiled_release.result import multiple, not_applicable
from pelican_dagster.checks.primitives import parse_date, split_path, values_at_path

__all__ = [
    "NO_PAIRS_PARSEABLE",
    "NO_PAIRS_SET",
    "SAME_ELEMENT",
    "SAME_OBJECT",
    "DatePairs",
    "Rule",
    "date_of",
    "evaluate",
]

SAME_ELEMENT = "same element"
SAME_OBJECT = "same object"
Grouping = Literal["same element", "same object"] | None
#: (path A, path B, grouping): A's date must not be after B's.
Rule = tuple[str, str, Grouping]

NO_PAIRS_SET = "no pairs of dates are set"
NO_PAIRS_PARSEABLE = "no pairs of dates are parseable"

_STR = str


@functools.lru_cache(maxsize=1 << 16)
def _parse_head(head: str) -> _dt.date | None:
    return parse_date(head)


def date_of(value: Any) -> _dt.date | None:
    """``parse_date`` of a field value, memoised (the same dates recur across checks and items).

    parse_date reads only the first 10 characters, so they are the cache key: keys stay small even for
    huge strings, and values that differ only in their time share an entry.
    """
    if type(value) is not _STR:
        return None
    return _parse_head(value[:10])


def _element(path: str) -> str:
    return path.split(".", 1)[0]


def _object(path: str) -> str:
    return path.rsplit(".", 1)[0]


_GROUP_KEY = {SAME_ELEMENT: _element, SAME_OBJECT: _object}


@functools.lru_cache(maxsize=256)
def _keys(path: str) -> tuple[str, ...]:
    return split_path(path)


Occurrences = list[tuple[str, Any, "_dt.date | None"]]


class DatePairs:
    """Accumulates pairs of dates for one item and builds the check result.

    Use :meth:`add_rule` for declared rules and :meth:`add_pair` for pairs a check builds itself
    (``coherent.dates`` rule 8), then :meth:`result`.
    """

    __slots__ = ("_occurrences", "applications", "failed", "item", "passes", "set")

    def __init__(self, item: dict[str, Any]) -> None:
        self.item = item
        #: Whether any pair exists (parsable or not).
        self.set = False
        self.applications = 0
        self.passes = 0
        self.failed: list[dict[str, Any]] = []
        # Occurrences per path with their parsed dates: rules of one check often share a path. (Not
        # shared across checks: a caller may mutate an item between two calls on the same object.)
        self._occurrences: dict[str, Occurrences] = {}

    def occurrences(self, path: str) -> Occurrences:
        """``(indexed path, value, parsed date or None)`` for every occurrence of ``path``."""
        found = self._occurrences.get(path)
        if found is None:
            found = [(p, v, date_of(v)) for p, v in values_at_path(self.item, _keys(path))]
            self._occurrences[path] = found
        return found

    def add_rule(self, first: str, second: str, grouping: Grouping = None) -> None:
        """Pair every occurrence of ``first`` with every occurrence of ``second`` (A-major)."""
        a_list = self.occurrences(first)
        if not a_list:
            return
        b_list = self.occurrences(second)
        if not b_list:
            return
        if grouping is None:
            self.set = True
            for path_a, value_a, date_a in a_list:
                if date_a is None:
                    continue
                for path_b, value_b, date_b in b_list:
                    if date_b is not None:
                        self._apply(path_a, value_a, date_a, path_b, value_b, date_b)
            return
        key = _GROUP_KEY[grouping]
        b_keyed = [(key(path_b), path_b, value_b, date_b) for path_b, value_b, date_b in b_list]
        for path_a, value_a, date_a in a_list:
            group = key(path_a)
            for group_b, path_b, value_b, date_b in b_keyed:
                if group_b != group:
                    continue
                self.set = True
                if date_a is not None and date_b is not None:
                    self._apply(path_a, value_a, date_a, path_b, value_b, date_b)

    def add_pair(self, path_a: str, value_a: Any, path_b: str, value_b: Any) -> None:
        """One pair of raw values (parsed here; skipped as an application when either side is unparsable)."""
        self.set = True
        date_a = date_of(value_a)
        if date_a is None:
            return
        date_b = date_of(value_b)
        if date_b is not None:
            self._apply(path_a, value_a, date_a, path_b, value_b, date_b)

    def _apply(
        self, path_a: str, value_a: Any, date_a: _dt.date, path_b: str, value_b: Any, date_b: _dt.date
    ) -> None:
        self.applications += 1
        if date_a <= date_b:
            self.passes += 1
        else:
            self.failed.append({"path_1": path_a, "value_1": value_a, "path_2": path_b, "value_2": value_b})

    def result(self) -> dict[str, Any]:
        """The check result (report-shapes.md §2) for the pairs added so far."""
        if not self.set:
            return not_applicable(NO_PAIRS_SET)
        return multiple(self.applications, self.passes, self.failed, NO_PAIRS_PARSEABLE)


def evaluate(item: dict[str, Any], rules: Sequence[Rule]) -> dict[str, Any]:
    """The result of the date-pair rules ``rules`` on ``item`` (checks.md §2.0)."""
    pairs = DatePairs(item)
    for first, second, grouping in rules:
        pairs.add_rule(first, second, grouping)
    return pairs.result()
