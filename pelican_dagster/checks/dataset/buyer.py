"""Buyers (docs/checks.md §3.5), identified by ``buyer.id`` as text.

Stored names: ``distribution.buyer`` (are most buyers used more than once?) and
``distribution.buyer_repetition`` (does the biggest buyer hold between 1 % and 50 % of the items?).

Memory: one entry (count, first example, ≤ 20 sampled examples) per distinct buyer id.
"""

from __future__ import annotations

from typing import Any

from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.dataset._common import (
    FEWER_1000,
    NO_ITEMS,
    item_example,
    not_applicable,
    offer,
    row,
)
from pelican_dagster.checks.sampling import rng_for

__all__ = ["Buyers"]

VERSION = 2.0
BUYER = "distribution.buyer"
REPETITION = "distribution.buyer_repetition"
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


class Buyers:
    """Both buyer checks, fed by ``DatasetChecker`` from ``facts["b"]``."""

    def __init__(self, ctx: CheckContext) -> None:
        #: buyer id → counted sample (``_common``) of ``(item_id, ocid)`` examples + [first example]
        self.buyers: dict[str, list] = {}
        self.total = 0
        self._seed = ctx.seed
        self.random = rng_for(ctx.seed, REPETITION).random

    def results(self) -> list[dict[str, Any]]:
        """``distribution.buyer`` then ``distribution.buyer_repetition``."""
        if not self.buyers:
            return [not_applicable(BUYER, NO_ITEMS, VERSION), not_applicable(REPETITION, NO_ITEMS, VERSION)]
        if self.total < 1000:
            return [
                not_applicable(BUYER, FEWER_1000, VERSION),
                not_applicable(REPETITION, FEWER_1000, VERSION),
            ]
        return [self._buyer(), self._repetition()]

    def _buyer(self) -> dict[str, Any]:
        counts = {b: {"total_ocid_count": 0, "total_unique_count": 0} for b in _BUCKETS}
        singles: list = []
        random = rng_for(self._seed, BUYER).random
        for count, _, _, _, first in self.buyers.values():
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
        return row(BUYER, passed, 100 if passed else 0, meta, VERSION)

    def _repetition(self) -> dict[str, Any]:
        biggest_id, biggest = None, None
        for buyer_id, entry in self.buyers.items():
            if biggest is None or entry[0] > biggest[0]:  # strict: ties go to the first seen
                biggest_id, biggest = buyer_id, entry
        assert biggest is not None
        share = biggest[0] / self.total
        passed = 0.01 < share < 0.5
        meta = {
            "total_ocid_count": self.total,
            "ocid_count": biggest[0],
            "ocid_share": share,
            "examples": [item_example(e) for e in biggest[1]],
            "specifics": {"buyer.id": biggest_id},
        }
        return row(REPETITION, passed, 100 if passed else 0, meta, VERSION)
