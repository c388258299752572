"""The compiled-release-level report and its examples (docs/report-shapes.md §5.1, §6.1; docs/pipeline.md
§4.4).

A :class:`ResourceReport` is fed every item's 37 results once, while the items are checked. It keeps,
per check, the item counts by result, the sums of ``application_count`` / ``pass_count`` over items with
a non-null result, and three uniform samples of 20 (passed / failed / undefined; Pelican's
``Reservoir(20)``, docs/checks.md §0.8) of
``{"meta": {"ocid", "item_id"}, "result": <that check's result>}``. Chunks checked in parallel each keep
their own report; :meth:`ResourceReport.merge` combines their states into the report of the dataset.
"""

from __future__ import annotations

import math
import random
from typing import Any

from pelican_dagster.checks.compiled_release import CHECK_NAMES
from pelican_dagster.checks.sampling import merge_samples

__all__ = ["EXAMPLES", "ResourceReport"]

#: Examples kept per check and outcome (Pelican: 20).
EXAMPLES = 20

_BUCKETS = ("passed", "failed", "undefined")
# Index of the counters in a check's list.
_PASSED, _FAILED, _UNDEFINED, _APPLICATIONS, _PASSES = range(5)


class _Sample:
    """A uniform sample of at most ``EXAMPLES`` of the values offered (Li's Algorithm L), and their count.

    It keeps the same uniform sample as Pelican's Algorithm R (docs/checks.md §0.8) but draws how many values
    to skip before the next one kept, so that a value that is not kept costs one comparison instead of
    one random draw: with 111 samplers fed per item, the draws were most of the report's cost.
    """

    __slots__ = ("count", "next", "rng", "samples", "threshold")

    def __init__(self, rng: random.Random, count: int = 0, samples: list[Any] | None = None) -> None:
        self.rng = rng
        #: Values offered so far.
        self.count = count
        self.samples: list[Any] = samples if samples is not None else []
        #: The index (0-based, among the values offered) of the next value to keep.
        self.next = count
        #: The largest of the kept values' random keys (Algorithm L's W).
        self.threshold = 1.0
        if count >= EXAMPLES:
            # A uniform sample of ``count`` values: the k-th smallest of ``count`` uniform keys.
            self.threshold = rng.betavariate(EXAMPLES, count - EXAMPLES + 1)
            self.next = count + self._skip()

    def _skip(self) -> int:
        threshold = min(self.threshold, 1.0 - 1e-16)
        return math.floor(math.log(1.0 - self.rng.random()) / math.log(1.0 - threshold))

    def slot(self, index: int) -> int:
        """The slot the value at ``index`` (= ``self.next``) takes; schedules the next value to keep."""
        if index < EXAMPLES:
            self.samples.append(None)
            self.next = index + 1
            if self.next == EXAMPLES:
                self.threshold = (1.0 - self.rng.random()) ** (1 / EXAMPLES)
                self.next = EXAMPLES + self._skip()
            return index
        self.threshold *= (1.0 - self.rng.random()) ** (1 / EXAMPLES)
        self.next = index + 1 + self._skip()
        return self.rng.randrange(EXAMPLES)


class ResourceReport:
    """Counts and example samples of the compiled-release-level checks over a set of items."""

    __slots__ = ("_counts", "_samples", "rng")

    def __init__(self, rng: random.Random, names: tuple[str, ...] = CHECK_NAMES) -> None:
        self.rng = rng
        self._counts: dict[str, list[int]] = {name: [0, 0, 0, 0, 0] for name in names}
        self._samples: dict[str, tuple[_Sample, _Sample, _Sample]] = {
            name: (_Sample(rng), _Sample(rng), _Sample(rng)) for name in names
        }

    def add(self, item_id: Any, ocid: Any, results: dict[str, dict[str, Any]]) -> None:
        """Count one item's results (``{check name: result}``, as :func:`check_item` returns them)."""
        counts = self._counts
        samples = self._samples
        meta = None
        for name, outcome in results.items():
            counter = counts[name]
            result = outcome["result"]
            if result is None:
                bucket = _UNDEFINED
            else:
                bucket = _PASSED if result else _FAILED
                counter[_APPLICATIONS] += outcome["application_count"]
                counter[_PASSES] += outcome["pass_count"]
            counter[bucket] += 1
            sample = samples[name][bucket]
            index = sample.count
            sample.count = index + 1
            # Most values are not kept once 20 are held: build an example only for those that are.
            if index == sample.next:
                if meta is None:
                    meta = {"ocid": ocid, "item_id": item_id}
                sample.samples[sample.slot(index)] = {"meta": meta, "result": outcome}

    # --- state, for parallel chunks --------------------------------------------------------------

    def to_state(self) -> dict[str, Any]:
        """A JSON-serialisable snapshot: counts and the (count, samples) of every reservoir."""
        return {
            "counts": {name: list(counter) for name, counter in self._counts.items()},
            "samples": {
                name: {bucket: [r.count, r.samples] for bucket, r in zip(_BUCKETS, reservoirs, strict=True)}
                for name, reservoirs in self._samples.items()
            },
        }

    @classmethod
    def from_state(cls, state: dict[str, Any], rng: random.Random) -> ResourceReport:
        """The report a :meth:`to_state` snapshot describes."""
        return cls.merge([state], rng)

    @classmethod
    def merge(cls, states: list[dict[str, Any]], rng: random.Random) -> ResourceReport:
        """One report over the union of disjoint chunks, each given by its :meth:`to_state`.

        Counts add up; each reservoir becomes a uniform sample of the union (``merge_samples``).
        """
        names = tuple(dict.fromkeys(name for state in states for name in state["counts"])) or CHECK_NAMES
        merged = cls(rng, names)
        for name in names:
            counter = merged._counts[name]
            for state in states:
                part = state["counts"].get(name)
                if part:
                    for i, value in enumerate(part):
                        counter[i] += value
            buckets = []
            for bucket in _BUCKETS:
                parts = [
                    tuple(state["samples"][name][bucket]) for state in states if name in state["samples"]
                ]
                count, kept = merge_samples(parts, EXAMPLES, rng)
                buckets.append(_Sample(rng, count, kept))
            merged._samples[name] = (buckets[0], buckets[1], buckets[2])
        return merged

    # --- outputs ---------------------------------------------------------------------------------

    def report(self) -> dict[str, dict[str, Any]]:
        """The ``resource_level_check`` report (docs/report-shapes.md §5.1), keyed by check name."""
        out: dict[str, dict[str, Any]] = {}
        for name, (passed, failed, undefined, applications, passes) in self._counts.items():
            out[name] = {
                "name": name,
                "examples_filled": False,
                "passed_count": passed,
                "failed_count": failed,
                "undefined_count": undefined,
                "total_count": passed + failed + undefined,
                "individual_passed_count": passes,
                "individual_failed_count": applications - passes,
                "individual_application_count": applications,
                "passed_examples": [],
                "failed_examples": [],
                "undefined_examples": [],
            }
        return out

    def examples(self) -> dict[str, dict[str, list[dict[str, Any]]]]:
        """The ``resource_level_check_examples`` rows (docs/report-shapes.md §6.1), keyed by check name."""
        return {
            name: {
                f"{bucket}_examples": list(reservoir.samples)
                for bucket, reservoir in zip(_BUCKETS, reservoirs, strict=True)
            }
            for name, reservoirs in self._samples.items()
        }
