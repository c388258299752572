"""The date-pair engine of the six coherent date checks (docs/checks.md §2.0).

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
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal

from pelican_dagster.checks.compiled_release.occurrences import ItemPaths, PathTrie, date_of, trie_of
from pelican_dagster.checks.compiled_release.result import multiple, not_applicable
from pelican_dagster.checks.primitives import split_path, values_at_path

__all__ = [
    "NO_PAIRS_PARSEABLE",
    "NO_PAIRS_SET",
    "SAME_ELEMENT",
    "SAME_OBJECT",
    "DatePairs",
    "Rule",
    "date_of",
    "evaluate",
    "rule_paths",
    "rules_trie",
]

SAME_ELEMENT = "same element"
SAME_OBJECT = "same object"
Grouping = Literal["same element", "same object"] | None
#: (path A, path B, grouping): A's date must not be after B's.
Rule = tuple[str, str, Grouping]

NO_PAIRS_SET = "no pairs of dates are set"
NO_PAIRS_PARSEABLE = "no pairs of dates are parseable"


def _element(path: str) -> str:
    return path.split(".", 1)[0]


def _object(path: str) -> str:
    return path.rsplit(".", 1)[0]


_GROUP_KEY = {SAME_ELEMENT: _element, SAME_OBJECT: _object}


@functools.lru_cache(maxsize=256)
def _keys(path: str) -> tuple[str, ...]:
    return split_path(path)


def rule_paths(rules: Iterable[Rule]) -> tuple[str, ...]:
    """The distinct paths that ``rules`` read, in first-use order."""
    return tuple(dict.fromkeys(path for first, second, _ in rules for path in (first, second)))


def rules_trie(rules: Sequence[Rule]) -> PathTrie:
    """The (cached) trie of the paths of ``rules``, all dated: what a check alone needs to walk."""
    paths = rule_paths(rules)
    return trie_of(paths, frozenset(paths))


Occurrences = list[tuple[str, Any, "_dt.date | None"]]


class DatePairs:
    """Accumulates pairs of dates for one item and builds the check result.

    Use :meth:`add_rules` / :meth:`add_rule` for declared rules and :meth:`add_pair` for pairs a check
    builds itself (``coherent.dates`` rule 8), then :meth:`result`. With ``paths`` (an :class:`ItemPaths`
    whose trie holds every rule path as a dated path) occurrences come from that shared traversal;
    without it each path is walked on first use.
    """

    __slots__ = ("_get", "_occurrences", "applications", "failed", "item", "passes", "set")

    def __init__(self, item: dict[str, Any], paths: ItemPaths | None = None) -> None:
        self.item = item
        #: Whether any pair exists (parsable or not).
        self.set = False
        self.applications = 0
        self.passes = 0
        self.failed: list[dict[str, Any]] = []
        # Occurrences per path with their parsed dates: rules of one check often share a path. (Not
        # shared across checks unless the caller passes `paths`: an item may be mutated between calls.)
        self._occurrences: dict[str, Occurrences] = {}
        # dict.get of the shared occurrences (None for a path that does not occur): no Python-level call.
        self._get: Callable[[str], Any] = paths.found.get if paths is not None else self.occurrences

    def occurrences(self, path: str) -> Occurrences:
        """``(indexed path, value, parsed date or None)`` for every occurrence of ``path``."""
        found = self._occurrences.get(path)
        if found is None:
            found = [(p, v, date_of(v)) for p, v in values_at_path(self.item, _keys(path))]
            self._occurrences[path] = found
        return found

    def add_rule(self, first: str, second: str, grouping: Grouping = None) -> None:
        """Pair every occurrence of ``first`` with every occurrence of ``second`` (A-major)."""
        self.add_rules(((first, second, grouping),))

    def add_rules(self, rules: Iterable[Rule]) -> None:
        """:meth:`add_rule` for each rule, in order."""
        any_set, applications, passes = _pair_rules(self._get, rules, self.failed)
        self.set = self.set or any_set
        self.applications += applications
        self.passes += passes

    def add_pair(self, path_a: str, value_a: Any, path_b: str, value_b: Any) -> None:
        """One pair of raw values (parsed here; skipped as an application when either side is unparsable)."""
        self.set = True
        date_a = date_of(value_a)
        if date_a is None:
            return
        date_b = date_of(value_b)
        if date_b is None:
            return
        self.applications += 1
        if date_a <= date_b:
            self.passes += 1
        else:
            self.failed.append({"path_1": path_a, "value_1": value_a, "path_2": path_b, "value_2": value_b})

    def result(self) -> dict[str, Any]:
        """The check result (docs/report-shapes.md §2) for the pairs added so far."""
        if not self.set:
            return not_applicable(NO_PAIRS_SET)
        return multiple(self.applications, self.passes, self.failed, NO_PAIRS_PARSEABLE)


def evaluate(item: dict[str, Any], rules: Sequence[Rule], paths: ItemPaths | None = None) -> dict[str, Any]:
    """The result of the date-pair rules ``rules`` on ``item`` (docs/checks.md §2.0).

    ``paths``: occurrences already collected for this item (every rule path dated), e.g. shared by the
    coherent checks of one item; without it the rule paths are walked here.
    """
    if paths is None:
        pairs = DatePairs(item)
        pairs.add_rules(rules)
        return pairs.result()
    failed: list[dict[str, Any]] = []
    any_set, applications, passes = _pair_rules(paths.found.get, rules, failed)
    if not any_set:
        return not_applicable(NO_PAIRS_SET)
    return multiple(applications, passes, failed, NO_PAIRS_PARSEABLE)


def _pair_rules(
    get: Callable[[str], Any], rules: Iterable[Rule], failed: list[dict[str, Any]]
) -> tuple[bool, int, int]:
    """Apply ``rules`` to the occurrences ``get(path)`` gives (falsy when none), appending failures to
    ``failed``: (whether any pair was set, applications, passes)."""
    any_set = False
    applications = passes = 0
    for first, second, grouping in rules:
        a_list = get(first)
        if not a_list:
            continue
        b_list = get(second)
        if not b_list:
            continue
        if grouping is None:
            any_set = True
            for path_a, value_a, date_a in a_list:
                if date_a is None:
                    continue
                for path_b, value_b, date_b in b_list:
                    if date_b is None:
                        continue
                    applications += 1
                    if date_a <= date_b:
                        passes += 1
                    else:
                        failed.append(
                            {"path_1": path_a, "value_1": value_a, "path_2": path_b, "value_2": value_b}
                        )
            continue
        key = _GROUP_KEY[grouping]
        b_keyed = [(key(path_b), path_b, value_b, date_b) for path_b, value_b, date_b in b_list]
        for path_a, value_a, date_a in a_list:
            group = key(path_a)
            for group_b, path_b, value_b, date_b in b_keyed:
                if group_b != group:
                    continue
                any_set = True
                if date_a is None or date_b is None:
                    continue
                applications += 1
                if date_a <= date_b:
                    passes += 1
                else:
                    failed.append(
                        {"path_1": path_a, "value_1": value_a, "path_2": path_b, "value_2": value_b}
                    )
    return any_set, applications, passes
