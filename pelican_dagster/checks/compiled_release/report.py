"""The compiled-release-level report and its examples (report-shapes.md §5.1, §6.1; pipeline.md §4.4).

A :class:`ResourceReport` is fed every item's 37 results once, while the items are checked. It keeps,
per check, the item counts by result, the sums of ``application_count`` / ``pass_count`` over items with
a non-null result, and three ``Reservoir(20)`` samples (passed / failed / undefined) of
``{"meta": {"ocid", "item_id"}, "result": <that check's result>}``. Chunks checked in parallel each keep
their own report; :meth:`ResourceReport.merge` combines their states into the report of the dataset.
"""

from __future__ import annotations

import random
from typing import Any

from pelican_dagster.checks.compiled_release import CHECK_NAMES
from pelican_dagster.checks.sampling import Reservoir, merge_samples

__all__ = ["EXAMPLES", "ResourceReport"]

#: Examples kept per check and outcome (Pelican: 20).
EXAMPLES = 20

_BUCKETS = ("passed", "failed", "undefined")
# Index of the counters in a check's list.
_PASSED, _FAILED, _UNDEFINED, _APPLICATIONS, _PASSES = range(5)


class ResourceReport:
    """Counts and example samples of the compiled-release-level checks over a set of items."""

    __slots__ = ("_counts", "_samples", "rng")

    def __init__(self, rng: random.Random, names: tuple[str, ...] = CHECK_NAMES) -> None:
        self.rng = rng
        self._counts: dict[str, list[int]] = {name: [0, 0, 0, 0, 0] for name in names}
        self._samples: dict[str, tuple[Reservoir[dict[str, Any]], ...]] = {
            name: tuple(Reservoir(EXAMPLES, rng) for _ in _BUCKETS) for name in names
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
            reservoir = samples[name][bucket]
            # Draw first, build the example only if it is kept (most are not once 20 are held).
            slot = reservoir.wants()
            if slot is not None:
                if meta is None:
                    meta = {"ocid": ocid, "item_id": item_id}
                reservoir.place(slot, {"meta": meta, "result": outcome})

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
            for bucket, reservoir in zip(_BUCKETS, merged._samples[name], strict=True):
                parts = [
                    tuple(state["samples"][name][bucket]) for state in states if name in state["samples"]
                ]
                reservoir.count, reservoir.samples = merge_samples(parts, EXAMPLES, rng)
        return merged

    # --- outputs ---------------------------------------------------------------------------------

    def report(self) -> dict[str, dict[str, Any]]:
        """The ``resource_level_check`` report (report-shapes.md §5.1), keyed by check name."""
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
        """The ``resource_level_check_examples`` rows (report-shapes.md §6.1), keyed by check name."""
        return {
            name: {
                f"{bucket}_examples": list(reservoir.samples)
                for bucket, reservoir in zip(_BUCKETS, reservoirs, strict=True)
            }
            for name, reservoirs in self._samples.items()
        }
