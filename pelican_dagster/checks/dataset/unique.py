"""``unique.tender_id`` (docs/checks.md §3.6): is every ``tender.id`` used by one item only?

Memory: one entry per distinct tender id: the item id of its only item, or the list of the item ids of
its items. The ocids of the ≤ 200 example items are read back at the end through the ``lookup`` passed
to :meth:`TenderIds.result` (without one they are null).
"""

from __future__ import annotations

from typing import Any

from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.dataset._common import NO_ITEMS, Lookup, not_applicable, offer, row
from pelican_dagster.checks.dataset.facts import OCID, TENDER_ID
from pelican_dagster.checks.sampling import rng_for

__all__ = ["TenderIds"]

VERSION = 2.0
NAME = "unique.tender_id"
_EXAMPLES = 100


class TenderIds:
    """``unique.tender_id``, from ``facts[TENDER_ID]``."""

    NAMES = (NAME,)
    VERSION = VERSION

    def __init__(self, ctx: CheckContext) -> None:
        #: tender id (text-coerced, never ``""``) → item id, or the list of item ids once repeated
        self.ids: dict[str, Any] = {}
        self.total = 0
        self._seed = ctx.seed

    def add_item(self, item_id: int, ocid: Any, facts: dict[str, Any]) -> None:
        """Record the item under its tender id."""
        tender_id = facts.get(TENDER_ID)
        if tender_id is None:
            return
        self.total += 1
        seen = self.ids.get(tender_id)
        if seen is None:
            self.ids[tender_id] = item_id
        elif type(seen) is list:
            seen.append(item_id)
        else:
            self.ids[tender_id] = [seen, item_id]

    def results(self, lookup: Lookup | None = None) -> list[dict[str, Any]]:
        """The stored row."""
        return [self._result(lookup)]

    def _result(self, lookup: Lookup | None) -> dict[str, Any]:
        if not self.ids:
            return not_applicable(NAME, NO_ITEMS, VERSION)
        rng = rng_for(self._seed, NAME)
        passed_samples: list = []
        failed_samples: list = []
        passed = failed = 0
        for tender_id, seen in self.ids.items():
            if type(seen) is list:
                offer(failed_samples, failed, _EXAMPLES, (tender_id, seen), rng.random)
                failed += 1
            else:
                offer(passed_samples, passed, _EXAMPLES, (tender_id, [seen]), rng.random)
                passed += 1
        wanted = {i for _, items in passed_samples + failed_samples for i in items}
        ocids: dict[int, Any] = {}
        if lookup is not None and wanted:
            ocids = {item_id: facts.get(OCID) for item_id, facts in lookup(sorted(wanted)).items()}

        def sample(tender_id: str, items: list[int]) -> dict[str, Any]:
            main = rng.choice(items)  # Pelican picks the "main" item that the others repeat at random
            return {
                "tender_id": tender_id,
                "ocid": ocids.get(main),
                "item_id": main,
                "all_items": [{"item_id": i, "ocid": ocids.get(i)} for i in items],
            }

        meta = {
            "total_processed": self.total,
            "total_passed": passed,
            "total_failed": self.total - passed,
            "passed_examples": [sample(*s) for s in passed_samples],
            "failed_examples": [sample(*s) for s in failed_samples],
        }
        return row(NAME, passed == self.total, 100 * passed / self.total, meta, VERSION)
