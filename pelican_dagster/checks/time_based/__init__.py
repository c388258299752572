"""Time-based checks (docs/checks.md §4): ``ocid``, ``tender_title``, ``phase_stable``.

Feed every row of the left join of the ancestor dataset's items with the new dataset's items (on the
ocid as PostgreSQL's ``data->>'ocid'`` renders it; ``None`` for an ancestor item without a partner) to
a :class:`TimeBasedChecker`::

    checker = TimeBasedChecker(ctx)
    for ancestor_id, ancestor_facts, new_id, new_facts in rows:   # facts: dict or orjson bytes
        checker.add(ancestor_id, ancestor_facts, new_id, new_facts)
    rows = checker.results()   # [] when no ancestor row was added

Memory: three sets of counters and a Reservoir(50) of failed pairs per check.
"""

from __future__ import annotations

from typing import Any

import orjson

from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.sampling import rng_for
from pelican_dagster.checks.time_based import ocid, phase_stable, tender_title

__all__ = ["CHECKS", "TimeBasedChecker", "percentage"]

#: The three checks in Pelican's definition order (the order of the stored rows).
CHECKS = (ocid, tender_title, phase_stable)
_EXAMPLES = 50


def percentage(part: int, whole: int) -> int:
    """``round(part / (whole / 100))``, half-to-even on the double computed in exactly this form (§4)."""
    return round(part / (whole / 100))


def _decoded(facts: Any) -> Any:
    if facts is None or type(facts) is dict:
        return facts
    return orjson.loads(facts)


class _Counts:
    __slots__ = ("coverage", "examples", "failed", "ok", "random", "total")

    def __init__(self, random: Any) -> None:
        self.total = self.coverage = self.ok = self.failed = 0
        self.examples: list[dict[str, Any]] = []
        self.random = random


class TimeBasedChecker:
    """Folds ancestor/new item pairs into the three time-based results."""

    def __init__(self, ctx: CheckContext) -> None:
        self.ctx = ctx
        self.rows = 0
        self._counts = [_Counts(rng_for(ctx.seed, "time_based", check.NAME).random) for check in CHECKS]

    def add(
        self,
        ancestor_item_id: int,
        ancestor_facts: dict[str, Any] | bytes,
        new_item_id: int | None,
        new_facts: dict[str, Any] | bytes | None,
    ) -> None:
        """Feed one row of the left join (``new_item_id`` None when the ancestor item has no partner)."""
        self.rows += 1
        ancestor = _decoded(ancestor_facts)
        new = _decoded(new_facts) if new_item_id is not None else None
        for check, counts in zip(CHECKS, self._counts, strict=True):
            if not check.applicable(ancestor):
                continue
            counts.total += 1
            if new is None:
                continue
            counts.coverage += 1
            if check.evaluate(ancestor, new):
                counts.ok += 1
                continue
            seen = counts.failed
            counts.failed = seen + 1
            # Algorithm R (Reservoir(50)); the example is built only when it is kept.
            slot = seen if seen < _EXAMPLES else int(counts.random() * (seen + 1))
            if slot < _EXAMPLES:
                example = {
                    "item_id": ancestor_item_id,
                    "new_item_id": new_item_id,
                    "ocid": ancestor.get("o"),
                    "new_item_ocid": new.get("o"),
                }
                if seen < _EXAMPLES:
                    counts.examples.append(example)
                else:
                    counts.examples[slot] = example

    def results(self) -> list[dict[str, Any]]:
        """One row per check: ``{"check_name", "coverage_result", "coverage_value", "check_result",
        "check_value", "meta"}``; [] when no ancestor row was added."""
        if not self.rows:
            return []
        rows = []
        for check, counts in zip(CHECKS, self._counts, strict=True):
            coverage_value = percentage(counts.coverage, counts.total) if counts.total else None
            check_value = percentage(counts.ok, counts.coverage) if counts.coverage else None
            rows.append(
                {
                    "check_name": check.NAME,
                    "coverage_result": None if coverage_value is None else coverage_value > 95,
                    "coverage_value": coverage_value,
                    "check_result": None if check_value is None else check_value > 95,
                    "check_value": check_value,
                    "meta": {
                        "total_count": counts.total,
                        "coverage_count": counts.coverage,
                        "failed_count": counts.failed,
                        "ok_count": counts.ok,
                        "version": check.VERSION,
                        "examples": counts.examples,
                    },
                }
            )
        return rows
