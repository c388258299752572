"""``distribution.main_procurement_category`` (docs/checks.md §3.2): no category may hold more than
95 % of the items.

Reads the category of ``facts[PROFILE]`` (``facts.profile_of``), memoised per profile text like the code
distributions' plans.

Memory: one counter and at most 100 examples per distinct category.
"""

from __future__ import annotations

from typing import Any

from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.dataset._common import NO_ITEMS, Lookup, counted, not_applicable, offer_run, row
from pelican_dagster.checks.dataset.distribution import MAX_PLANS, read_profile, shares
from pelican_dagster.checks.dataset.facts import profile_of
from pelican_dagster.checks.sampling import rng_for

__all__ = ["MainProcurementCategory"]

NAME = "distribution.main_procurement_category"
VERSION = 1.0
EXAMPLES = 100


class MainProcurementCategory:
    """``distribution.main_procurement_category``: category → counted sample (``_common``) of
    ``(item_id, ocid)``."""

    NAMES = (NAME,)
    VERSION = VERSION

    def __init__(self, ctx: CheckContext) -> None:
        self.table: dict[str, list] = {}
        self._random = rng_for(ctx.seed, NAME).random
        #: profile text → the category's counted sample, or None when the profile has no category
        self._entries: dict[str, list | None] = {}

    def _entry(self, text: str) -> list | None:
        _, category = read_profile(text)
        entry = None
        if category is not None:
            entry = self.table.get(category)
            if entry is None:
                entry = self.table[category] = counted()
        if len(self._entries) < MAX_PLANS:
            self._entries[text] = entry
        return entry

    def add_item(self, item_id: int, ocid: Any, facts: dict[str, Any]) -> None:
        """Offer the item to its category's sample."""
        text = profile_of(facts)
        if text is None:
            return
        entries = self._entries
        entry = entries[text] if text in entries else self._entry(text)
        if entry is None:
            return
        n = entry[0]
        end = entry[0] = n + 1
        if end > entry[2]:
            offer_run(entry, n, end, (item_id, ocid), EXAMPLES, self._random)

    def results(self, lookup: Lookup | None = None) -> list[dict[str, Any]]:
        """The stored row."""
        if not self.table:
            return [not_applicable(NAME, NO_ITEMS, VERSION)]
        total = sum(entry[0] for entry in self.table.values())
        # Pelican inserts the shares by descending count (jsonb then forgets the order).
        ordered = dict(sorted(self.table.items(), key=lambda kv: kv[1][0], reverse=True))
        passed = max(entry[0] for entry in ordered.values()) / total <= 0.95
        return [row(NAME, passed, 100 if passed else 0, {"shares": shares(ordered, total)}, VERSION)]
