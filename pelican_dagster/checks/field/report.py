"""The field-level report and its examples (report-shapes.md §5.2, §6.2; pipeline.md §4.4 step 3).

:class:`FieldReport` accumulates compact :class:`~pelican_dagster.checks.field.evaluate.FieldResult`
objects. Counts are a 9-bin histogram of outcome codes per path, from which every count of the report
follows. Examples are uniform random samples of at most 20 check results per path, group and check,
split passed/failed; an example is built from the item (by re-running the checks of that one path)
only when it is kept. Reports of chunks checked in parallel merge with :meth:`FieldReport.merge`.

Sampling uses Algorithm L (skip-ahead reservoir sampling): it keeps the same uniform distribution as
Pelican's Algorithm R but draws random numbers only for the values it keeps, which matters here (a
dataset offers millions of check results). Pelican seeds nothing; here the generator is seeded.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable
from operator import mul
from typing import Any

from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.field.evaluate import FieldResult, build_entry, path_parents
from pelican_dagster.checks.field.paths import PATHS
from pelican_dagster.checks.sampling import merge_samples, rng_for

__all__ = ["EXAMPLES", "FieldReport"]

#: Examples kept per sample (Pelican's Reservoir(20)).
EXAMPLES = 20

# Outcome codes (see evaluate.FieldResult): 0 exists failed, 3 non_empty failed, 6 passed without
# quality, 7 passed and quality passed, 8 passed and quality failed.

# The samples of a path and the values each receives per entry, by outcome code: {code: how many}.
# Group samples receive one value per *check result* (pipeline.md §4.4), so an entry whose coverage
# passed offers two results to ``coverage.passed``.
_COVERAGE_KINDS: dict[str, dict[int, int]] = {
    "coverage.passed": {3: 1, 6: 2, 7: 2, 8: 2},
    "coverage.failed": {0: 1, 3: 1},
    "exists.passed": {3: 1, 6: 1, 7: 1, 8: 1},
    "exists.failed": {0: 1},
    "non_empty.passed": {6: 1, 7: 1, 8: 1},
    "non_empty.failed": {3: 1},
}
_QUALITY_KINDS: dict[str, dict[int, int]] = {
    "quality.passed": {7: 1},
    "quality.failed": {8: 1},
    "check.passed": {7: 1},
    "check.failed": {8: 1},
}
_ALL_KINDS = {**_COVERAGE_KINDS, **_QUALITY_KINDS}
#: The most values one entry offers to one sample.
_MAX_PER_ENTRY = 2
_ALL_CODES = frozenset(range(9))


# The same as (name, weight per code 0..8, codes with a weight, most values per entry) for speed.
def _vectors(
    kinds: dict[str, dict[int, int]],
) -> tuple[tuple[str, tuple[int, ...], frozenset[int], int], ...]:
    return tuple(
        (name, tuple(w.get(code, 0) for code in range(9)), frozenset(w), max(w.values()))
        for name, w in kinds.items()
    )


_COVERAGE_VECTORS = _vectors(_COVERAGE_KINDS)
_ALL_VECTORS = _vectors(_ALL_KINDS)
_WEIGHTS = {name: vector for name, vector, _, _ in _ALL_VECTORS}


def _kinds(index: int) -> tuple[tuple[str, tuple[int, ...], frozenset[int], int], ...]:
    return _ALL_VECTORS if PATHS[index].quality is not None else _COVERAGE_VECTORS


def _offered(weights: tuple[int, ...], hist: list[int]) -> int:
    """How many values a sample with these weights received from entries counted in ``hist``."""
    return sum(map(mul, weights, hist))


class _Sampler:
    """A uniform sample of at most ``k`` values with skip-ahead (Algorithm L), offered in batches."""

    __slots__ = ("count", "k", "next", "samples", "w")

    def __init__(self, k: int, count: int = 0, samples: list[Any] | None = None) -> None:
        self.k = k
        self.count = count
        self.samples: list[Any] = samples if samples is not None else []
        self.w = 0.0
        self.next = -1  # index of the next value to keep once the sample is full; -1 = not drawn

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

    def __init__(self, seed_or_rng: int | str | random.Random = 0, ctx: CheckContext | None = None) -> None:
        """``seed_or_rng``: run seed or generator; ``ctx``: to rebuild examples (else the result's)."""
        if isinstance(seed_or_rng, random.Random):
            self.rng = seed_or_rng
        else:
            self.rng = rng_for(seed_or_rng, "field_level")
        self.ctx = ctx
        #: Per path index, how many entries had each outcome code (0..8).
        self.hist: list[list[int]] = [[0] * 9 for _ in PATHS]
        #: (path index, sample name) → sampler of example dicts. A sampler's ``count`` is brought up
        #: to date from the histogram when it is used (the fast path only updates the histogram).
        self.samplers: dict[tuple[int, str], _Sampler] = {}
        # Per path: entries seen, the entry total up to which no full sampler can keep a value, and
        # the codes that feed a sampler still filling (any such entry must be looked at).
        self._totals = [0] * len(PATHS)
        self._due = [-1] * len(PATHS)
        self._watch = [_ALL_CODES] * len(PATHS)

    # -- accumulation ------------------------------------------------------------------------------

    def add(self, item_id: Any, ocid: Any, result: FieldResult, item: dict[str, Any] | None = None) -> None:
        """Count one item's result and offer its check results to the example samples.

        Examples need the item (``item`` or the one the result was computed from) and a context; without
        them only the counts are kept.
        """
        hist = self.hist
        totals = self._totals
        due = self._due
        watch = self._watch
        item = item if item is not None else result.item
        ctx = self.ctx if self.ctx is not None else result.ctx
        sample = item is not None and ctx is not None
        cache: dict[str, Any] = {}  # parents per parent path, shared by the paths of this item
        for index, codes in result.codes.items():
            h = hist[index]
            total = totals[index] = totals[index] + len(codes)
            if sample and (total > due[index] or not watch[index].isdisjoint(codes)):
                before = h.copy()
                for code in codes:
                    h[code] += 1
                self._sample(index, codes, before, item, ctx, item_id, ocid, cache)
            elif len(codes) == 1:
                h[codes[0]] += 1
            else:
                for code in codes:
                    h[code] += 1

    def _sample(
        self,
        index: int,
        codes: list[int],
        before: list[int],
        item: dict[str, Any],
        ctx: CheckContext,
        item_id: Any,
        ocid: Any,
        cache: dict[str, Any],
    ) -> None:
        local = [0] * 9
        for code in codes:
            local[code] += 1
        parents = None
        entries: dict[int, dict[str, Any]] = {}  # built only for the occurrences kept
        field = PATHS[index]
        rng = self.rng
        samplers = self.samplers
        for name, weights, _, _ in _kinds(index):
            m = _offered(weights, local)
            if not m:
                continue
            sampler = samplers.get((index, name))
            if sampler is None:
                sampler = samplers[(index, name)] = _Sampler(EXAMPLES)
            count = _offered(weights, before)
            if 0 <= sampler.next >= count + m:
                sampler.count = count + m  # full, and its next kept value lies beyond this item
                continue
            sampler.count = count
            kept = sampler.take(m, rng)
            if not kept:
                continue
            if parents is None:
                parents = path_parents(item, field, cache)
            sequence = _sequence(name, codes)
            for offset, slot in kept:
                position, which = sequence[offset]
                entry = entries.get(position)
                if entry is None:
                    entry = entries[position] = build_entry(field, *parents[position], ctx)
                sampler.samples[slot] = {
                    "meta": {"ocid": ocid, "item_id": item_id},
                    "path": entry["path"],
                    "result": entry["quality"]["check_results"][0]
                    if which == 2
                    else entry["coverage"]["check_results"][which],
                }
        self._plan(index)

    def _plan(self, index: int) -> None:
        """Work out when the samples of a path next need attention (see ``_due`` and ``_watch``)."""
        h = self.hist[index]
        watch: set[int] = set()
        slack = None
        for name, weights, codes, most in _kinds(index):
            sampler = self.samplers.get((index, name))
            if sampler is None or len(sampler.samples) < sampler.k:
                watch.update(codes)
                continue
            sampler.count = _offered(weights, h)
            if sampler.next < 0:
                sampler._start(self.rng)
            room = (sampler.next - sampler.count) // most
            slack = room if slack is None or room < slack else slack
        self._watch[index] = frozenset(watch)
        self._due[index] = self._totals[index] + slack if slack is not None else 1 << 62

    # -- merging -----------------------------------------------------------------------------------

    def to_state(self) -> dict[str, Any]:
        """A JSON-serialisable state (non-zero histograms and the samples) for :meth:`merge`."""
        for (i, name), sampler in self.samplers.items():
            sampler.count = _offered(_WEIGHTS[name], self.hist[i])
        return {
            "hist": {str(i): h for i, h in enumerate(self.hist) if any(h)},
            "samples": {f"{i}|{name}": [s.count, s.samples] for (i, name), s in self.samplers.items()},
        }

    @classmethod
    def merge(
        cls,
        states: Iterable[dict[str, Any]],
        rng: random.Random | int | str = 0,
        ctx: CheckContext | None = None,
    ) -> FieldReport:
        """One report from the states of reports over disjoint parts of a dataset."""
        out = cls(rng, ctx)
        parts: dict[tuple[int, str], list[tuple[int, list[Any]]]] = {}
        for state in states:
            for key, h in state["hist"].items():
                target = out.hist[int(key)]
                for code in range(9):
                    target[code] += h[code]
                out._totals[int(key)] += sum(h)
            for key, (count, samples) in state["samples"].items():
                index, name = key.split("|", 1)
                parts.setdefault((int(index), name), []).append((count, samples))
        for key in sorted(parts):
            count, samples = merge_samples(parts[key], EXAMPLES, out.rng)
            out.samplers[key] = _Sampler(EXAMPLES, count, samples)
        return out

    # -- output ------------------------------------------------------------------------------------

    def report(self) -> dict[str, Any]:
        """The ``field_level_check`` report: all 559 paths (report-shapes.md §5.2)."""
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

    def examples(self) -> dict[str, dict[str, Any]]:
        """The ``field_level_check_examples`` data of every path (report-shapes.md §6.2)."""
        out = {}
        for field in PATHS:
            i = field.index

            def got(name: str, i: int = i) -> list[Any]:
                sampler = self.samplers.get((i, name))
                return list(sampler.samples) if sampler else []

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


def _sequence(name: str, codes: list[int]) -> list[tuple[int, int]]:
    """The values one item offers to sample ``name``, in order, as (occurrence, result): result 0 is
    ``exists``, 1 ``non_empty`` and 2 the quality check."""
    if name == "coverage.passed":
        out = []
        for position, code in enumerate(codes):
            if code >= 6:
                out += ((position, 0), (position, 1))
            elif code == 3:
                out.append((position, 0))
        return out
    if name == "coverage.failed":
        return [(position, 0 if code == 0 else 1) for position, code in enumerate(codes) if code in (0, 3)]
    which, wanted = _SEQUENCES[name]
    return [(position, which) for position, code in enumerate(codes) if code in wanted]


_SEQUENCES: dict[str, tuple[int, frozenset[int]]] = {
    "exists.passed": (0, frozenset((3, 6, 7, 8))),
    "exists.failed": (0, frozenset((0,))),
    "non_empty.passed": (1, frozenset((6, 7, 8))),
    "non_empty.failed": (1, frozenset((3,))),
    "quality.passed": (2, frozenset((7,))),
    "check.passed": (2, frozenset((7,))),
    "quality.failed": (2, frozenset((8,))),
    "check.failed": (2, frozenset((8,))),
}
