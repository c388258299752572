"""The field-level report and its examples (docs/report-shapes.md §5.2, §6.2; docs/pipeline.md §4.4 step 3).

:class:`FieldReport` accumulates compact :class:`~pelican_dagster.checks.field.evaluate.FieldResult`
objects. Counts are a 9-bin histogram of outcome codes per path, from which every count of the report
follows. Examples are uniform random samples of at most 20 check results per path, group and check,
split passed/failed. Reports of chunks checked in parallel merge with :meth:`FieldReport.merge`.

Sampling uses Algorithm L (skip-ahead reservoir sampling): it keeps the same uniform distribution as
Pelican's Algorithm R but draws random numbers only for the values it keeps, which matters here (a
dataset offers millions of check results). Pelican seeds nothing; here the generator is seeded.

Cost: every sampler knows the index of the next value it will keep, turned into a threshold per
outcome code of its path (``_due``), so an entry is only looked at when a sample may keep it. A kept
value is a *pointer* ``(item_id, occurrence, which result)`` (the path is the sampler's), so a chunk
neither builds examples nor keeps items, and its state stays small. Examples are built once, after
the chunks merge, from the items the final samples point to (:meth:`FieldReport.examples` with a
``lookup`` that re-reads them: at most 20 per sample, whatever the dataset's size), exactly as
:mod:`.examples` builds them from the item.
"""

from __future__ import annotations

import gc
import math
import random
from collections.abc import Callable, Iterable, Mapping
from math import exp, log, log1p
from operator import mul
from typing import Any

from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.field.evaluate import FieldResult
from pelican_dagster.checks.field.examples import (
    EXISTS,
    EXISTS_PASSED,
    NON_EMPTY,
    NON_EMPTY_PASSED,
    QUALITY,
    ItemExamples,
)
from pelican_dagster.checks.field.paths import PATHS
from pelican_dagster.checks.sampling import merge_samples, rng_for

__all__ = ["EXAMPLES", "LOOKUP_BATCH", "FieldReport", "ItemLookup"]

#: Examples kept per sample (Pelican's Reservoir(20)).
EXAMPLES = 20
#: Item ids per call of an :data:`ItemLookup` (bounds the parsed items held at once).
LOOKUP_BATCH = 500

#: ``lookup(item_ids) -> {item_id: item}``: re-reads the items the samples point to.
ItemLookup = Callable[[list[Any]], Mapping[Any, Any]]

# Outcome codes (see evaluate.FieldResult): 0 exists failed, 3 non_empty failed, 6 passed without
# quality, 7 passed and quality passed, 8 passed and quality failed.

# The samples of a path and the check results each receives per entry, by outcome code, in order.
# Group samples receive one value per *check result* (docs/pipeline.md §4.4), so an entry whose coverage
# passed offers two results (exists, then non_empty) to ``coverage.passed``.
_BOTH = (EXISTS_PASSED, NON_EMPTY_PASSED)
_EXISTS = (EXISTS_PASSED,)
_NON_EMPTY = (NON_EMPTY_PASSED,)
_COVERAGE_KINDS: dict[str, dict[int, tuple[int, ...]]] = {
    "coverage.passed": {3: _EXISTS, 6: _BOTH, 7: _BOTH, 8: _BOTH},
    "coverage.failed": {0: (EXISTS,), 3: (NON_EMPTY,)},
    "exists.passed": {3: _EXISTS, 6: _EXISTS, 7: _EXISTS, 8: _EXISTS},
    "exists.failed": {0: (EXISTS,)},
    "non_empty.passed": {6: _NON_EMPTY, 7: _NON_EMPTY, 8: _NON_EMPTY},
    "non_empty.failed": {3: (NON_EMPTY,)},
}
_QUALITY_KINDS: dict[str, dict[int, tuple[int, ...]]] = {
    "quality.passed": {7: (QUALITY,)},
    "quality.failed": {8: (QUALITY,)},
    "check.passed": {7: (QUALITY,)},
    "check.failed": {8: (QUALITY,)},
}
_ALL_KINDS = {**_COVERAGE_KINDS, **_QUALITY_KINDS}
#: Per sample name, how many values an entry with each code 0..8 offers.
_WEIGHTS = {
    name: tuple(len(offers.get(code, ())) for code in range(9)) for name, offers in _ALL_KINDS.items()
}
#: Per path index, its samples as (name, offers).
_KINDS_OF = tuple(
    tuple((_ALL_KINDS if field.quality is not None else _COVERAGE_KINDS).items()) for field in PATHS
)
#: Per code, the local histogram of one entry with that code.
_UNIT = tuple(tuple(int(code == c) for c in range(9)) for code in range(9))
_CODES = (0, 3, 6, 7, 8)  # the outcome codes that occur
#: A threshold never reached.
_NEVER = 1 << 62


def _offered(weights: tuple[int, ...], hist: list[int]) -> int:
    """How many values a sample with these weights received from entries counted in ``hist``."""
    return sum(map(mul, weights, hist))


class _Sampler:
    """A uniform sample of at most ``k`` values with skip-ahead (Algorithm L), offered in batches."""

    __slots__ = ("count", "k", "next", "offers", "samples", "terms", "thr", "w")

    def __init__(self, k: int, count: int = 0, samples: list[Any] | None = None) -> None:
        self.k = k
        self.count = count
        self.samples: list[Any] = samples if samples is not None else []
        self.w = 0.0
        self.next = -1  # index of the next value to keep once the sample is full; -1 = not drawn
        # Set when the sampler serves a report's path: results offered per code, (code, weight) pairs
        # and, per code, the path's count of that code from which this sampler must be looked at.
        self.offers: dict[int, tuple[int, ...]] = {}
        self.terms: tuple[tuple[int, int], ...] = ()
        self.thr: list[int] = []

    def _draw(self, rng: random.Random, last: int) -> None:
        # Index of the next kept value after ``last`` (geometric skip with parameter w).
        r = max(rng.random(), 1e-300)
        self.next = last + int(math.log(r) / math.log1p(-self.w)) + 1

    def _start(self, rng: random.Random) -> None:
        # w is the largest of the k random keys kept so far; given n values seen it is Beta(k, n - k + 1)
        # (for n = k: the maximum of k uniforms), so a merged sample can go on being offered values.
        n = self.count
        self.w = min(rng.betavariate(self.k, n - self.k + 1), 1.0 - 1e-16)
        self._draw(rng, n - 1)

    def take(self, m: int, rng: random.Random) -> list[tuple[int, int]]:
        """Offer ``m`` values; return (offset in this batch, slot) of each value to store, in order."""
        start = self.count
        end = start + m
        k = self.k
        kept: list[tuple[int, int]] = []
        while self.count < end and len(self.samples) < k:  # filling: every value is kept
            kept.append((self.count - start, len(self.samples)))
            self.samples.append(None)
            self.count += 1
        if self.count < end:  # full, and values of this batch left
            if self.next < 0:
                self._start(rng)
            while self.next < end:
                kept.append((self.next - start, rng.randrange(k)))
                self.w = min(self.w * math.exp(math.log(max(rng.random(), 1e-300)) / k), 1.0 - 1e-16)
                self._draw(rng, self.next)
            self.count = end
        return kept


class FieldReport:
    """Counts and examples of the field-level checks over a dataset (or one chunk of it)."""

    def __init__(
        self,
        seed_or_rng: int | str | random.Random = 0,
        ctx: CheckContext | None = None,
        keep_items: bool = False,
    ) -> None:
        """``seed_or_rng``: run seed or generator; ``ctx``: to rebuild examples (else the first result's).

        ``keep_items``: hold in memory every item a sample has pointed to, so that :meth:`examples`
        needs no ``lookup`` (tests, in-memory use; not for chunks of a dataset, which keep no item).
        """
        if isinstance(seed_or_rng, random.Random):
            self.rng = seed_or_rng
        else:
            self.rng = rng_for(seed_or_rng, "field_level")
        self.ctx = ctx
        #: With ``keep_items``: item id → (ocid, item) of the items offered to a sample.
        self.items: dict[Any, tuple[Any, dict[str, Any]]] | None = {} if keep_items else None
        #: Per path index, how many entries had each outcome code (0..8).
        self.hist: list[list[int]] = [[0] * 9 for _ in PATHS]
        #: (path index, sample name) → sampler of pointers ``(item_id, occurrence, which result)``
        #: (lists once they have been through JSON). A sampler's ``count`` is brought up
        #: to date from the histogram when it is used (the fast path only updates the histogram).
        self.samplers: dict[tuple[int, str], _Sampler] = {}
        # Per path and code: the count ``hist[index][code]`` from which an entry with that code may be
        # kept by a sample of the path (0 = look at every entry: samples not set up yet).
        self._due = [[0] * 9 for _ in PATHS]
        # Per path (once it has samples): the samplers that take values from each code.
        self._users: list[tuple[tuple[_Sampler, ...], ...] | None] = [None] * len(PATHS)

    # -- accumulation ------------------------------------------------------------------------------

    def add(self, item_id: Any, ocid: Any, result: FieldResult, item: dict[str, Any] | None = None) -> None:
        """Count one item's result and offer its check results to the example samples.

        Examples need the item (``item`` or the one the result was computed from) and a context; without
        them only the counts are kept. A sample keeps a pointer into the item, not the item: the example
        is built by :meth:`examples`, which gets the item again (from ``lookup`` or ``keep_items``).
        The example's ``meta.ocid`` is then the item's ``ocid`` (with ``keep_items``: this ``ocid``).
        """
        hist = self.hist
        item = item if item is not None else result.item
        ctx = self.ctx if self.ctx is not None else result.ctx
        if item is None or ctx is None:
            for index, codes in result.codes.items():
                h = hist[index]
                for code in codes:
                    h[code] += 1
            return
        # Only entries that reach a ``_due`` count are looked at: the samples of a path skip ahead, so
        # most entries just count.
        if self.ctx is None:
            self.ctx = ctx  # the examples are built with it later
        due = self._due
        items = self.items
        for index, codes in result.codes.items():
            h = hist[index]
            if len(codes) == 1:
                code = codes[0]
                h[code] += 1
                if h[code] < due[index][code]:
                    continue
            else:
                for code in codes:
                    h[code] += 1
                d = due[index]
                for code in set(codes):
                    if h[code] >= d[code]:
                        break
                else:
                    continue
            if items is not None and item_id not in items:
                items[item_id] = (ocid, item)
            self._offer(index, codes, item_id)

    def _open(self, index: int) -> tuple[tuple[_Sampler, ...], ...]:
        """Set up the samplers of a path (keeping any merged ones) and who takes which code."""
        users: list[list[_Sampler]] = [[] for _ in range(9)]
        for name, offers in _KINDS_OF[index]:
            sampler = self.samplers.get((index, name))
            if sampler is None:
                sampler = self.samplers[(index, name)] = _Sampler(EXAMPLES)
            sampler.offers = offers
            sampler.terms = tuple((code, len(results)) for code, results in offers.items())
            sampler.thr = [0] * 9
            for code in offers:
                users[code].append(sampler)
        frozen = self._users[index] = tuple(map(tuple, users))
        self._due[index] = [0 if u else _NEVER for u in frozen]
        return frozen

    def _offer(self, index: int, codes: list[int], item_id: Any) -> None:
        """Offer one item's entries of a path to the samplers that may keep one."""
        users = self._users[index]
        if users is None:
            users = self._open(index)
        if len(codes) != 1:
            return self._offer_many(index, codes, item_id, users)
        # One entry (most paths): only its code's samplers, Algorithm L inlined for full samples.
        h = self.hist[index]
        due = self._due[index]
        code = codes[0]
        seen = h[code]
        rng = self.rng
        random_ = rng.random
        low = _NEVER
        for s in users[code]:
            thr = s.thr
            if thr[code] > seen:
                if thr[code] < low:
                    low = thr[code]
                continue
            results = s.offers[code]
            samples = s.samples
            if len(samples) + len(results) < s.k:
                # Still filling after this entry (most keeps of a chunk): every value is kept, nothing
                # is drawn, and its thresholds stay reached (every entry is looked at until it is full).
                for which in results:
                    samples.append((item_id, 0, which))
                if thr[code] < low:
                    low = thr[code]
                continue
            terms = s.terms
            if len(terms) == 1:
                count = terms[0][1] * seen
            else:
                count = 0
                for c, weight in terms:
                    count += weight * h[c]
            before = count - len(results)
            k = s.k
            if len(samples) < k:
                s.count = before
                for offset, slot in s.take(len(results), rng):
                    samples[slot] = (item_id, 0, results[offset])
            else:
                at = s.next
                if at < before:
                    s.count = before
                    if at < 0:
                        s._start(rng)
                    else:
                        s._draw(rng, before - 1)  # values counted without an item were skipped
                    at = s.next
                if at < count:
                    w = s.w
                    while at < count:
                        samples[int(random_() * k)] = (item_id, 0, results[at - before])
                        w *= exp(log(1.0 - random_()) / k)
                        at += int(log(1.0 - random_()) / log1p(-w)) + 1
                    s.w = w
                    s.next = at
            weight = len(results)
            if count == weight * seen and s.next >= 0 and len(samples) == k:
                # Only this code has come (the common case): _plan gives it the whole room.
                thr[code] = seen + (s.next - count) // weight + 1
            else:
                self._plan(s, h, count)
                for c, _ in terms:
                    if thr[c] < due[c]:
                        due[c] = thr[c]
            if thr[code] < low:
                low = thr[code]
        due[code] = low

    def _offer_many(
        self, index: int, codes: list[int], item_id: Any, users: tuple[tuple[_Sampler, ...], ...]
    ) -> None:
        """:meth:`_offer` for a path with several entries in the item."""
        h = self.hist[index]
        local = [0] * 9
        for code in codes:
            local[code] += 1
        present = [code for code in _CODES if local[code]]
        due: list[_Sampler] = []
        for code in present:
            for s in users[code]:
                if s.thr[code] <= h[code] and s not in due:
                    due.append(s)
        rng = self.rng
        random_ = rng.random
        # All entries with one code (the usual case): value ``i`` is result ``i % n`` of entry ``i // n``.
        same = present[0] if len(present) == 1 else -1
        for s in due:
            count = m = 0
            for code, weight in s.terms:
                count += weight * h[code]
                m += weight * local[code]
            samples = s.samples
            k = s.k
            if len(samples) + m < k:
                # Still filling after these entries: as in _offer.
                offers = s.offers
                for position, code in enumerate(codes):
                    for which in offers.get(code, ()):
                        samples.append((item_id, position, which))
                continue
            before = count - m
            at = s.next
            if len(samples) < k or at < before:
                if 0 <= at < before:
                    s._draw(rng, before - 1)  # values counted without an item were skipped
                s.count = before
                for offset, slot in s.take(m, rng):
                    if same >= 0:
                        results = s.offers[same]
                        position, which = divmod(offset, len(results))
                        samples[slot] = (item_id, position, results[which])
                    else:
                        samples[slot] = (item_id, *_locate(s.offers, codes, offset))
            elif at < count:
                w = s.w
                while at < count:
                    if same >= 0:
                        results = s.offers[same]
                        position, which = divmod(at - before, len(results))
                        samples[int(random_() * k)] = (item_id, position, results[which])
                    else:
                        samples[int(random_() * k)] = (item_id, *_locate(s.offers, codes, at - before))
                    w *= exp(log(1.0 - random_()) / k)
                    at += int(log(1.0 - random_()) / log1p(-w)) + 1
                s.w = w
                s.next = at
            self._plan(s, h, count)
        thresholds = self._due[index]
        for s in due:
            for code, _ in s.terms:
                if s.thr[code] < thresholds[code]:
                    thresholds[code] = s.thr[code]
        for code in present:
            thresholds[code] = min([u.thr[code] for u in users[code]], default=_NEVER)

    def _plan(self, s: _Sampler, h: list[int], count: int) -> None:
        """Set the sampler's thresholds: per code, the path's count of it from which ``s`` may keep one.

        ``count``: the values the sampler has been offered (up to date with ``h``).
        """
        thr = s.thr
        terms = s.terms
        if len(s.samples) < s.k:
            for code, _ in terms:
                thr[code] = h[code] + 1  # still filling: every value is kept
            return
        if s.next < 0:
            s.count = count
            s._start(self.rng)
        room = s.next - count  # values it lets pass before the next kept one
        if len(terms) == 1:
            code, weight = terms[0]
            thr[code] = h[code] + room // weight + 1
        else:
            # Share the room between its codes as they have come so far: while no code reaches its
            # threshold, at most ``room`` values have passed.
            for code, _ in terms:
                thr[code] = h[code] + room * h[code] // count + 1

    # -- merging -----------------------------------------------------------------------------------

    def to_state(self) -> dict[str, Any]:
        """A JSON-serialisable state (non-zero histograms and the samples' pointers) for :meth:`merge`."""
        for (i, name), sampler in self.samplers.items():
            sampler.count = _offered(_WEIGHTS[name], self.hist[i])
        return {
            "hist": {str(i): h for i, h in enumerate(self.hist) if any(h)},
            "samples": {
                f"{i}|{name}": [s.count, s.samples] for (i, name), s in self.samplers.items() if s.count
            },
        }

    @classmethod
    def merge(
        cls,
        states: Iterable[dict[str, Any]],
        rng: random.Random | int | str = 0,
        ctx: CheckContext | None = None,
    ) -> FieldReport:
        """One report from the states of reports over disjoint parts of a dataset.

        It holds no item: its :meth:`examples` need a ``lookup``. ``ctx`` is needed to build them.
        """
        out = cls(rng, ctx)
        parts: dict[tuple[int, str], list[tuple[int, list[Any]]]] = {}
        for state in states:
            for key, h in state["hist"].items():
                target = out.hist[int(key)]
                for code in range(9):
                    target[code] += h[code]
            for key, (count, samples) in state["samples"].items():
                index, name = key.split("|", 1)
                parts.setdefault((int(index), name), []).append((count, samples))
        for key in sorted(parts):
            count, samples = merge_samples(parts[key], EXAMPLES, out.rng)
            out.samplers[key] = _Sampler(EXAMPLES, count, samples)
        return out

    # -- output ------------------------------------------------------------------------------------

    def report(self) -> dict[str, Any]:
        """The ``field_level_check`` report: all 559 paths (docs/report-shapes.md §5.2)."""
        out = {}
        for field, h in zip(PATHS, self.hist, strict=True):
            total = sum(h)
            exists_failed = h[0]
            passed = h[6] + h[7] + h[8]
            quality_total = h[7] + h[8]
            quality_counts = {"passed_count": h[7], "failed_count": h[8], "total_count": quality_total}
            out[field.path] = {
                "examples_filled": False,
                "processing_order": field.index,
                "coverage": {
                    "passed_count": passed,
                    "failed_count": total - passed,
                    "total_count": total,
                    "checks": {
                        "exists": {
                            "passed_count": total - exists_failed,
                            "failed_count": exists_failed,
                            "total_count": total,
                        },
                        "non_empty": {
                            "passed_count": passed,
                            "failed_count": h[3],
                            "total_count": total - exists_failed,
                        },
                    },
                },
                "quality": {
                    **quality_counts,
                    "checks": {field.quality: dict(quality_counts)} if field.quality else {},
                },
            }
        return out

    def examples(self, lookup: ItemLookup | None = None) -> dict[str, dict[str, Any]]:
        """The ``field_level_check_examples`` data of every path (docs/report-shapes.md §6.2).

        The examples are built here, once, from the items the samples point to: items held with
        ``keep_items``, else ``lookup(item_ids) -> {item_id: item}`` (called with at most
        :data:`LOOKUP_BATCH` ids at a time; each batch's items are dropped once its examples are built).
        Raises ``ValueError`` if samples point to items that neither provides (or there is no
        context), ``LookupError`` if ``lookup`` does not return a pointed item.
        """
        # The re-read items hold no reference cycles, but the cyclic collector would scan the objects of
        # every batch again and again (it doubles the time): paused while they are read, as in a chunk.
        paused = gc.isenabled()
        gc.disable()
        try:
            built = self._build(lookup)
        finally:
            if paused:
                gc.enable()
        out = {}
        for field in PATHS:
            i = field.index

            def got(name: str, i: int = i) -> list[Any]:
                sampler = self.samplers.get((i, name))
                if not sampler:
                    return []
                return [built[(item_id, i, position, which)] for item_id, position, which in sampler.samples]

            quality_checks = {}
            if field.quality:
                quality_checks[field.quality] = {
                    "passed_examples": got("check.passed"),
                    "failed_examples": got("check.failed"),
                }
            out[field.path] = {
                "coverage": {
                    "passed_examples": got("coverage.passed"),
                    "failed_examples": got("coverage.failed"),
                    "checks": {
                        check: {
                            "passed_examples": got(f"{check}.passed"),
                            "failed_examples": got(f"{check}.failed"),
                        }
                        for check in ("exists", "non_empty")
                    },
                },
                "quality": {
                    "passed_examples": got("quality.passed"),
                    "failed_examples": got("quality.failed"),
                    "checks": quality_checks,
                },
            }
        return out

    def _build(self, lookup: ItemLookup | None) -> dict[tuple[Any, int, int, int], dict[str, Any]]:
        """The example of every pointer of the samples, by (item_id, path index, occurrence, which)."""
        # Per item, the results wanted from it (one ItemExamples per item: a result kept by several
        # samples is built once and shared, as before).
        wanted: dict[Any, set[tuple[int, int, int]]] = {}
        for (index, _), sampler in self.samplers.items():
            for item_id, position, which in sampler.samples:
                wanted.setdefault(item_id, set()).add((index, position, which))
        if not wanted:
            return {}
        if self.ctx is None:
            raise ValueError("FieldReport.examples(): no check context to build the examples with")
        held = self.items or {}
        missing = [item_id for item_id in wanted if item_id not in held]
        if missing and lookup is None:
            raise ValueError(
                f"FieldReport.examples(): the samples point to {len(missing)} items not held in memory: "
                "pass lookup(item_ids) -> {item_id: item}, or create the report with keep_items=True"
            )
        built: dict[tuple[Any, int, int, int], dict[str, Any]] = {}

        def build(item_id: Any, ocid: Any, item: dict[str, Any]) -> None:
            examples = ItemExamples(item, item_id, ocid, self.ctx)  # type: ignore[arg-type]
            for index, position, which in sorted(wanted[item_id]):
                built[(item_id, index, position, which)] = examples.example(index, position, which)

        for item_id in wanted:
            if item_id in held:
                build(item_id, *held[item_id])
        for start in range(0, len(missing), LOOKUP_BATCH):
            batch = missing[start : start + LOOKUP_BATCH]
            items = lookup(batch)  # type: ignore[misc]
            for item_id in batch:
                item = items.get(item_id)
                if type(item) is not dict:
                    raise LookupError(f"FieldReport.examples(): lookup did not return item {item_id!r}")
                build(item_id, item.get("ocid"), item)
        return built


def _locate(offers: dict[int, tuple[int, ...]], codes: list[int], offset: int) -> tuple[int, int]:
    """The (occurrence, result) of the ``offset``-th value that entries with ``codes`` offer a sample."""
    for position, code in enumerate(codes):
        results = offers.get(code)
        if results:
            if offset < len(results):
                return position, results[offset]
            offset -= len(results)
    raise IndexError(offset)
