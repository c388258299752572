"""The field-level report and its examples (docs/report-shapes.md §5.2, §6.2; docs/pipeline.md §4.4 step 3).

:class:`FieldReport` accumulates compact :class:`~pelican_dagster.checks.field.evaluate.FieldResult`
objects. Counts are a 9-bin histogram of outcome codes per path, from which every count of the report
follows. Examples are uniform random samples of at most 20 check results per path, group and check,
split passed/failed. Reports of chunks checked in parallel merge with :meth:`FieldReport.merge`.

Sampling draws each sample once its population is known: the results added are held as their outcome
codes (not the items) until the counts or samples are read; then, per path and sample, ``min(20, n)``
of its ``n`` values are drawn uniformly (``random.sample``) and array operations over the held codes
(one ``bincount``, one stable sort) locate them, and the draw is merged with the sample so far
(:func:`~pelican_dagster.checks.sampling.merge_samples`).
Pelican samples value by value (Algorithm R) and seeds nothing; here the generator is seeded, and a
chunk draws 20 values per sample instead of keeping and replacing ~20 · (1 + ln(n / 20)) of them
(docs/hot-path.md gives the measured gain).

A kept value is a *pointer* ``(item_id, occurrence, which result)`` (the path is the sample's), so a
chunk neither builds examples nor keeps items, and its state stays small. Examples are built once, after
the chunks merge, from the items the final samples point to (:meth:`FieldReport.examples` with a
``lookup`` that re-reads them: at most 20 per sample, whatever the dataset's size), exactly as
:mod:`.examples` builds them from the item.
"""

from __future__ import annotations

import gc
import random
from collections.abc import Callable, Iterable, Mapping
from itertools import chain
from typing import Any

import numpy as np

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
#: Per path index, its samples as (name, offers).
_KINDS_OF = tuple(
    tuple((_ALL_KINDS if field.quality is not None else _COVERAGE_KINDS).items()) for field in PATHS
)
_CODES = (0, 3, 6, 7, 8)  # the outcome codes that occur


def _count(hist: list[list[int]], results: Iterable[tuple[Any, dict[int, list[int]]]]) -> None:
    """Add the outcome codes of ``(item_id, codes)`` results to a histogram per path index."""
    for _, codes in results:
        for index, path_codes in codes.items():
            h = hist[index]
            m = len(path_codes)
            if m == 1:
                h[path_codes[0]] += 1
            elif path_codes.count(first := path_codes[0]) == m:
                h[first] += m  # most arrays: every occurrence has the same outcome
            else:
                for code in path_codes:
                    h[code] += 1


class _Sample:
    """A uniform sample of at most ``k`` of ``count`` values (pointers), as merged or drawn."""

    __slots__ = ("count", "samples")

    def __init__(self, count: int = 0, samples: list[Any] | None = None) -> None:
        self.count = count
        self.samples: list[Any] = samples if samples is not None else []


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
        # Per path index, how many entries had each outcome code (0..8), pending results excluded.
        self._hist: list[list[int]] = [[0] * 9 for _ in PATHS]
        # (path index, sample name) → sample of pointers ``(item_id, occurrence, which result)`` (lists
        # once they have been through JSON), pending results excluded.
        self._samples: dict[tuple[int, str], _Sample] = {}
        # ``(item_id, result.flat())`` of the results added since the last _flush, in order.
        self._pending: list[tuple[Any, tuple[list[int], list[int], bytes]]] = []

    # -- accumulation ------------------------------------------------------------------------------

    def add(self, item_id: Any, ocid: Any, result: FieldResult, item: dict[str, Any] | None = None) -> None:
        """Count one item's result and offer its check results to the example samples.

        Examples need the item (``item`` or the one the result was computed from) and a context; without
        them only the counts are kept. A sample keeps a pointer into the item, not the item: the example
        is built by :meth:`examples`, which gets the item again (from ``lookup`` or ``keep_items``).
        The example's ``meta.ocid`` is then the item's ``ocid`` (with ``keep_items``: this ``ocid``).

        Nothing is counted or drawn here: the codes are kept (not the item) until the counts or samples
        are read, then counted and sampled all at once (:meth:`_flush`, docs/hot-path.md).
        """
        item = item if item is not None else result.item
        ctx = self.ctx if self.ctx is not None else result.ctx
        if item is None or ctx is None:
            _count(self._hist, ((None, result.codes),))
            return
        if self.ctx is None:
            self.ctx = ctx  # the examples are built with it later
        if self.items is not None and item_id not in self.items:
            self.items[item_id] = (ocid, item)
        self._pending.append((item_id, result.flat()))

    def _flush(self) -> None:
        """Count the pending results and draw their samples, merged into the samples so far.

        Drawing once the population is known costs ``k`` draws per sample, where sampling value by value
        (Pelican's Algorithm R, or Algorithm L) keeps and then replaces about ``k · (1 + ln(n / k))``:
        per chunk of 2,500 items that was most of the pass's report cost (docs/hot-path.md).
        """
        pending = self._pending
        if not pending:
            return
        self._pending = []
        # The pending codes as arrays: one row per (item, path) group in item order then path index,
        # one per occurrence in document order; key = path index × 9 + code.
        flats = [flat for _, flat in pending]
        # (np.array of a list: ~3× faster than np.fromiter of the chain)
        group_paths = np.array(list(chain.from_iterable(flat[0] for flat in flats)), np.int64)
        group_sizes = np.array(list(chain.from_iterable(flat[1] for flat in flats)), np.int64)
        codes = np.frombuffer(b"".join(flat[2] for flat in flats), np.uint8)
        keys = np.repeat(group_paths * 9, group_sizes) + codes
        counts = np.bincount(keys, minlength=len(PATHS) * 9)
        hist = counts.reshape(len(PATHS), 9).tolist()
        rng = self.rng
        # The drawn entries: (path index × 9 + code, entry of that code at that path, [(sample, which
        # result)]), an entry being counted in item order then document order.
        wanted: list[tuple[int, int, list[tuple[list[Any], int]]]] = []
        drawn: dict[tuple[int, str], tuple[int, list[Any]]] = {}
        for index, h in enumerate(hist):
            if not any(h):
                continue
            targets: dict[int, list[tuple[list[Any], int]]] = {}
            for name, offers in _KINDS_OF[index]:
                # The values of a sample, ordered by code then entry then result (any fixed order
                # gives a uniform sample): code c holds len(offers[c]) · h[c] of them.
                blocks = [(code, results, len(results) * h[code]) for code, results in offers.items()]
                total = sum(size for _, _, size in blocks)
                if not total:
                    continue
                kept: list[Any] = []
                for rank in rng.sample(range(total), min(EXAMPLES, total)):
                    for code, results, size in blocks:
                        if rank < size:
                            n, which = divmod(rank, len(results))
                            targets.setdefault(n * 9 + code, []).append((kept, results[which]))
                            break
                        rank -= size
                drawn[(index, name)] = (total, kept)
            wanted.extend((index * 9 + key % 9, key // 9, taken) for key, taken in targets.items())
        if wanted:
            # Locate every drawn entry at once: the occurrences sorted by key (stably, so in item then
            # document order within a key); the n-th of key k is then at starts[k] + n.
            order = np.argsort(keys.astype(np.uint16), kind="stable")
            starts = np.cumsum(counts) - counts
            at = order[starts[[k for k, _, _ in wanted]] + np.array([n for _, n, _ in wanted], np.int64)]
            group_ends = np.cumsum(group_sizes)
            group = np.searchsorted(group_ends, at, side="right")
            positions = (at - (group_ends[group] - group_sizes[group])).tolist()
            item_ends = np.cumsum(np.array([len(flat[0]) for flat in flats], np.int64))
            items = np.searchsorted(item_ends, group, side="right").tolist()
            ids = [item_id for item_id, _ in pending]
            # A sample keeps its entries in the order they occur (as one walk over the codes would).
            for t in np.argsort(at, kind="stable").tolist():
                pointer_item, position = ids[items[t]], positions[t]
                for kept, which in wanted[t][2]:
                    kept.append((pointer_item, position, which))
        for index, h in enumerate(hist):
            target = self._hist[index]
            for code in _CODES:
                target[code] += h[code]
        for key, (count, kept) in drawn.items():
            sample = self._samples.get(key)
            if sample is None or not sample.count:
                self._samples[key] = _Sample(count, kept)
            else:
                self._samples[key] = _Sample(
                    *merge_samples([(sample.count, sample.samples), (count, kept)], EXAMPLES, rng)
                )
        if self.items is not None:
            pointed = {p[0] for s in self._samples.values() for p in s.samples}
            self.items = {i: held for i, held in self.items.items() if i in pointed}

    @property
    def hist(self) -> list[list[int]]:
        """Per path index, how many entries had each outcome code (0..8)."""
        self._flush()
        return self._hist

    @property
    def samplers(self) -> dict[tuple[int, str], _Sample]:
        """(path index, sample name) → its sample (``count`` values offered, ``samples`` pointers)."""
        self._flush()
        return self._samples

    # -- merging -----------------------------------------------------------------------------------

    def to_state(self) -> dict[str, Any]:
        """A JSON-serialisable state (non-zero histograms and the samples' pointers) for :meth:`merge`."""
        self._flush()
        return {
            "hist": {str(i): h for i, h in enumerate(self._hist) if any(h)},
            "samples": {
                f"{i}|{name}": [s.count, s.samples] for (i, name), s in self._samples.items() if s.count
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
                target = out._hist[int(key)]
                for code in range(9):
                    target[code] += h[code]
            for key, (count, samples) in state["samples"].items():
                index, name = key.split("|", 1)
                parts.setdefault((int(index), name), []).append((count, samples))
        for key in sorted(parts):
            count, samples = merge_samples(parts[key], EXAMPLES, out.rng)
            out._samples[key] = _Sample(count, samples)
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
        batches = [missing[start : start + LOOKUP_BATCH] for start in range(0, len(missing), LOOKUP_BATCH)]
        # A lookup with ``batches`` (storage.items.ItemReader) reads the next batch while this one is built.
        read_batches = getattr(lookup, "batches", None)
        looked_up = read_batches(batches) if read_batches else map(lookup, batches)  # type: ignore[arg-type]
        for batch, items in zip(batches, looked_up, strict=True):
            for item_id in batch:
                item = items.get(item_id)
                if type(item) is not dict:
                    raise LookupError(f"FieldReport.examples(): lookup did not return item {item_id!r}")
                build(item_id, item.get("ocid"), item)
        return built
