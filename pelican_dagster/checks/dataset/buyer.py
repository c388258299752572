"""``distribution.buyer`` (docs/checks.md §3.5): are most buyers, identified by ``buyer.id`` as text, used by
more than one item?

Reads ``facts[BUYER_ID]``. Memory: one entry (count, first example) per distinct buyer id.
"""

from __future__ import annotations

from typing import Any

from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.dataset._common import (
    FEWER_1000,
    NO_ITEMS,
    Lookup,
    item_example,
    not_applicable,
    offer,
    row,
)
from pelican_dagster.checks.dataset.facts import BUYER_ID
from pelican_dagster.checks.sampling import rng_for

__all__ = ["Buyers", "not_enough"]

VERSION = 2.0
NAME = "distribution.buyer"
_BUCKETS = ("1", "2_20", "21_50", "51_100", "100+")
EXAMPLES = 20


def _bucket(count: int) -> str:
    if count == 1:
        return "1"
    if count <= 20:
        return "2_20"
    if count <= 50:
        return "21_50"
    if count <= 100:
        return "51_100"
    return "100+"


def not_enough(distinct: int, total: int) -> str | None:
    """Why the buyer checks are not applicable (no buyer id; fewer than 1000 items with one), or None."""
    if not distinct:
        return NO_ITEMS
    if total < 1000:
        return FEWER_1000
    return None


class Buyers:
    """``distribution.buyer``: buyer id → [count, first ``(item_id, ocid)``]."""

    NAMES = (NAME,)
    VERSION = VERSION

    def __init__(self, ctx: CheckContext) -> None:
        self.buyers: dict[str, list] = {}
        self.total = 0
        self._seed = ctx.seed

    def add_item(self, item_id: int, ocid: Any, facts: dict[str, Any]) -> None:
        """Count the item for its buyer."""
        buyer_id = facts.get(BUYER_ID)
        if buyer_id is None:
            return
        self.total += 1
        entry = self.buyers.get(buyer_id)
        if entry is None:
            self.buyers[buyer_id] = [1, (item_id, ocid)]
        else:
            entry[0] += 1

    def results(self, lookup: Lookup | None = None) -> list[dict[str, Any]]:
        """The stored row."""
        reason = not_enough(len(self.buyers), self.total)
        if reason is not None:
            return [not_applicable(NAME, reason, VERSION)]
        counts = {b: {"total_ocid_count": 0, "total_unique_count": 0} for b in _BUCKETS}
        singles: list = []
        random = rng_for(self._seed, NAME).random
        for count, first in self.buyers.values():
            bucket = counts[_bucket(count)]
            bucket["total_ocid_count"] += count
            bucket["total_unique_count"] += 1
            if count == 1:
                offer(singles, counts["1"]["total_unique_count"] - 1, EXAMPLES, first, random)
        unique = len(self.buyers)
        passed = counts["1"]["total_unique_count"] < 0.5 * unique
        meta = {
            "counts": counts,
            "total_ocid_count": self.total,
            "total_unique_count": unique,
            "examples": [item_example(e) for e in singles],
        }
        return [row(NAME, passed, 100 if passed else 0, meta, VERSION)]
