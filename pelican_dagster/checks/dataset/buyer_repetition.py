"""``distribution.buyer_repetition`` (docs/checks.md §3.5): does the biggest buyer, identified by ``buyer.id``
as text, hold between 1 % and 50 % of the items?

Reads ``facts[BUYER_ID]``. Memory: one counted sample (``_common``: count, ≤ 20 examples) per distinct
buyer id.
"""

from __future__ import annotations

from typing import Any

from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.dataset._common import Lookup, item_example, not_applicable, offer_run, row
from pelican_dagster.checks.dataset.buyer import not_enough
from pelican_dagster.checks.dataset.facts import BUYER_ID
from pelican_dagster.checks.sampling import rng_for

__all__ = ["BuyerRepetition"]

VERSION = 2.0
NAME = "distribution.buyer_repetition"
EXAMPLES = 20


class BuyerRepetition:
    """``distribution.buyer_repetition``: buyer id → counted sample of ``(item_id, ocid)``, in first-seen
    order (ties go to the first seen)."""

    NAMES = (NAME,)
    VERSION = VERSION

    def __init__(self, ctx: CheckContext) -> None:
        self.buyers: dict[str, list] = {}
        self.total = 0
        self._random = rng_for(ctx.seed, NAME).random

    def add_item(self, item_id: int, ocid: Any, facts: dict[str, Any]) -> None:
        """Count the item for its buyer and offer it to the buyer's sample."""
        buyer_id = facts.get(BUYER_ID)
        if buyer_id is None:
            return
        self.total += 1
        entry = self.buyers.get(buyer_id)
        if entry is None:
            self.buyers[buyer_id] = [1, [(item_id, ocid)], 1, 1.0]
            return
        n = entry[0]
        end = entry[0] = n + 1
        if end > entry[2]:
            offer_run(entry, n, end, (item_id, ocid), EXAMPLES, self._random)

    def results(self, lookup: Lookup | None = None) -> list[dict[str, Any]]:
        """The stored row."""
        reason = not_enough(len(self.buyers), self.total)
        if reason is not None:
            return [not_applicable(NAME, reason, VERSION)]
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
        return [row(NAME, passed, 100 if passed else 0, meta, VERSION)]
