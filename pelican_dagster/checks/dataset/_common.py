"""What the dataset-level checks share: the shape of a check, result rows and fast reservoir steps."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar, Protocol

#: ``lookup(item_ids) -> {item_id: facts}``: re-reads the stored facts of a few items, used only to fill in
#: random examples whose details are not kept in memory (see ``DatasetChecker``).
Lookup = Callable[[Iterable[int]], Mapping[int, Any]]


class DatasetCheck(Protocol):
    """One module's dataset-level check(s), as ``DatasetChecker`` drives them (Pelican's ``add_item`` and
    ``get_result``): constructed with the :class:`~pelican_dagster.checks.context.CheckContext`, fed every
    item with an ``ocid`` key in item order, then asked for its rows."""

    #: The stored names it decides, in the order of its rows.
    NAMES: ClassVar[tuple[str, ...]]
    #: The version stored in its rows (``meta.version``).
    VERSION: ClassVar[float]

    def add_item(self, item_id: int, ocid: Any, facts: dict[str, Any]) -> None:
        """Accumulate what the check reads of one item's facts (``facts.py``)."""

    def results(self, lookup: Lookup | None) -> list[dict[str, Any]]:
        """One stored row per name of :attr:`NAMES`; ``lookup`` re-reads the facts of example items."""
        ...


NO_ITEMS = "no compiled releases set necessary fields"
FEWER_100 = "fewer than 100 occurrences of necessary fields"
FEWER_1000 = "fewer than 1000 occurrences of necessary fields"
SUM_ZERO = "sum is 0, causing division by zero error"
NO_PAIRS = "no pair of related processes sets necessary fields"


def row(
    check_name: str, result: bool | None, value: float | None, meta: dict[str, Any], version: float
) -> dict:
    """One stored dataset-level row; ``value`` rounded half-to-even as PostgreSQL stores it in an integer."""
    meta = dict(meta)
    meta["version"] = version
    return {
        "check_name": check_name,
        "result": result,
        "value": None if value is None else round(value),
        "meta": meta,
    }


def not_applicable(check_name: str, reason: str, version: float) -> dict:
    """An N/A row: result and value null, ``meta`` = ``{"reason", "version"}``."""
    return row(check_name, None, None, {"reason": reason}, version)


def offer(samples: list, seen: int, k: int, value: Any, random: Callable[[], float]) -> None:
    """Algorithm R for the ``seen``-th value (0-based): keep the first k, then replace a slot w.p. k/(seen+1).

    Inline and float-based because reservoirs sit on the hot per-occurrence path (``randint`` is ~10x
    slower than ``random()``).
    """
    if seen < k:
        samples.append(value)
    else:
        r = int(random() * (seen + 1))
        if r < k:
            samples[r] = value


class Tally:
    """Pass/fail counts, with a Reservoir(k) (Algorithm R, :func:`offer`) of the passed and of the failed."""

    __slots__ = ("failed", "failed_samples", "k", "passed", "passed_samples", "random")

    def __init__(self, random: Callable[[], float], k: int) -> None:
        self.passed = self.failed = 0
        self.passed_samples: list = []
        self.failed_samples: list = []
        self.random = random
        self.k = k

    def copy(self) -> Tally:
        """An independent copy (same random generator)."""
        other = Tally(self.random, self.k)
        other.passed, other.failed = self.passed, self.failed
        other.passed_samples, other.failed_samples = list(self.passed_samples), list(self.failed_samples)
        return other

    def add(self, passed: bool, example: Any) -> None:
        """Count one outcome and offer its example to the matching reservoir."""
        if passed:
            offer(self.passed_samples, self.passed, self.k, example, self.random)
            self.passed += 1
        else:
            offer(self.failed_samples, self.failed, self.k, example, self.random)
            self.failed += 1

    def row(self, name: str, examples: dict[str, list], reason: str, version: float) -> dict[str, Any]:
        """The stored row of a pass/fail check: N/A with ``reason`` when nothing was tested."""
        processed = self.passed + self.failed
        if processed == 0:
            return not_applicable(name, reason, version)
        meta = {
            "total_processed": processed,
            "total_passed": self.passed,
            "total_failed": self.failed,
            "passed_examples": examples["passed"],
            "failed_examples": examples["failed"],
        }
        return row(name, self.passed == processed, 100 * self.passed / processed, meta, version)


def item_example(example: tuple[int, Any]) -> dict[str, Any]:
    """``(item_id, ocid)`` → ``{"item_id", "ocid"}``."""
    return {"item_id": example[0], "ocid": example[1]}


# --- counted samples on the hot path ------------------------------------------------------------------
#
# A "counted sample" is a list ``[count, samples, next, w, ...]``: how many values were offered, a uniform
# sample of at most k of them, and the state of Li's Algorithm L: the index of the next value to keep
# (equal to ``count`` while the sample fills up, so every value is kept) and its weight; callers may
# append their own fields. Algorithm L yields the same distribution as Algorithm R (§0.8) but draws
# random numbers only for the values it keeps, so offering a value that is not kept costs one
# comparison. Callers inline the fast path for a run of ``m`` equal values:
#
#     n = entry[0]; end = entry[0] = n + m
#     if end > entry[2]:
#         offer_run(entry, n, end, value, k, random)
#
# The random draws depend only on the order of the values kept, so offering a run at once draws exactly
# what offering its values one by one would.


def counted(*extra: Any) -> list:
    """A new, empty counted sample, followed by ``extra`` fields."""
    return [0, [], 0, 1.0, *extra]


def _gap(w: float, random: Callable[[], float]) -> int:
    if w >= 1.0:
        return 0
    return int(math.log(1.0 - random()) / math.log1p(-w))


def _weight(k: int, random: Callable[[], float]) -> float:
    return math.exp(math.log(1.0 - random()) / k)


def offer_run(entry: list, n: int, end: int, value: Any, k: int, random: Callable[[], float]) -> None:
    """Values ``n`` to ``end - 1`` (0-based, ``entry[0]`` already ``end``) are all ``value``: keep those
    that Algorithm L picks. The slow path of the inlined form above."""
    samples = entry[1]
    while n < end and n < k:  # the sample fills up
        samples.append(value)
        n += 1
        if n == k:  # full: draw the index of the next value to keep
            w = entry[3] = _weight(k, random)
            entry[2] = k + _gap(w, random)
    if n < k:
        entry[2] = n
        return
    while entry[2] < end:  # the value at index entry[2] replaces a random slot; draw the next index
        samples[int(random() * k)] = value
        w = entry[3] = entry[3] * _weight(k, random)
        entry[2] += 1 + _gap(w, random)


def add_counted(entry: list, value: Any, k: int, random: Callable[[], float]) -> None:
    """Offer one value to a counted sample (the inlined form above, as a function)."""
    n = entry[0]
    end = entry[0] = n + 1
    if end > entry[2]:
        offer_run(entry, n, end, value, k, random)
