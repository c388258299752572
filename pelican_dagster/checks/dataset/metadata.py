"""Dataset metadata aggregated over the items (pipeline.md §6.2).

``{"compiled_releases": {"total_unique_ocids"}, "tender_lifecycle": {planning, tender, award, contract,
implementation}}``. Items without an ``ocid`` key are skipped (Pelican raises on them, §0.9).
An object/array ocid (unhashable in Pelican, §0.9) counts as distinct from every other.

Memory: one set entry per distinct ocid.
"""

from __future__ import annotations

from typing import Any

__all__ = ["DatasetMetadata"]


class DatasetMetadata:
    """Aggregates the metadata from the facts of each item."""

    def __init__(self) -> None:
        self._ocids: set[Any] = set()
        self._unhashable = 0
        self.planning = self.tender = self.award = self.contract = self.implementation = 0

    def add(self, facts: dict[str, Any]) -> None:
        """Count one item (ignored when it has no ``ocid`` key)."""
        if "o" not in facts:
            return
        ocid = facts["o"]
        if type(ocid) is dict:
            self._unhashable += 1
        else:
            self._ocids.add(ocid)
        lifecycle = facts.get("L")
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
            "compiled_releases": {"total_unique_ocids": len(self._ocids) + self._unhashable},
            "tender_lifecycle": {
                "planning": self.planning,
                "tender": self.tender,
                "award": self.award,
                "contract": self.contract,
                "implementation": self.implementation,
            },
        }
