"""Dataset metadata aggregated over the items (docs/pipeline.md §6.2).

``{"compiled_releases": {"total_unique_ocids"}, "tender_lifecycle": {planning, tender, award, contract,
implementation}}``. Items without an ``ocid`` key are skipped (Pelican raises on them, §0.9).
An object/array ocid (unhashable in Pelican, §0.9) counts as distinct from every other.

Memory: one set entry per distinct falsy ocid; the truthy ones are counted in a set shared with
``reference.related_process_identifier``, which keeps the same set of them (one entry per distinct ocid
instead of two: ~42 B per distinct ocid, ~14 % of ``dataset_checks``' memory per item).
"""

from __future__ import annotations

from typing import Any

from pelican_dagster.checks.dataset.facts import LIFECYCLE

__all__ = ["DatasetMetadata"]


class DatasetMetadata:
    """The metadata of the items, from ``facts[OCID]`` and ``facts[LIFECYCLE]``."""

    def __init__(self, truthy: set[Any] | None = None) -> None:
        """``truthy``: a set that another fold fills with every truthy, hashable ocid of the same items
        (``RelatedProcessIdentifier.targets``); without one, this fold fills its own."""
        self.shared = truthy is not None
        self.truthy: set[Any] = truthy if truthy is not None else set()
        self.falsy: set[Any] = set()  # "", 0, false, null: distinct values too
        self.unhashable = 0  # object/array ocids
        self.planning = self.tender = self.award = self.contract = self.implementation = 0

    def add_item(self, item_id: int, ocid: Any, facts: dict[str, Any]) -> None:
        """Count the item's ocid and lifecycle."""
        if type(ocid) is dict:
            self.unhashable += 1
        elif not ocid:
            self.falsy.add(ocid)
        elif not self.shared:
            self.truthy.add(ocid)
        lifecycle = facts.get(LIFECYCLE)
        if lifecycle is not None:
            flags, awards, contracts, implementations = lifecycle
            self.planning += flags & 1
            self.tender += (flags >> 1) & 1
            self.award += awards
            self.contract += contracts
            self.implementation += implementations

    def result(self) -> dict[str, Any]:
        """The two metadata entries merged into ``dataset.meta``."""
        return {
            "compiled_releases": {"total_unique_ocids": len(self.truthy) + len(self.falsy) + self.unhashable},
            "tender_lifecycle": {
                "planning": self.planning,
                "tender": self.tender,
                "award": self.award,
                "contract": self.contract,
                "implementation": self.implementation,
            },
        }
