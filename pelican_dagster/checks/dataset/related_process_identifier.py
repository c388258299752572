"""``reference.related_process_identifier`` (docs/checks.md §3.8): does the contracting process that a related
process references by ocid exist in the dataset?

Reads ``facts[RELATED]`` (the references with scheme ``ocid``) and ``facts[OCID]``: the targets are the
items with a truthy, hashable ocid. Order does not matter: a reference to an ocid not seen yet waits
until an item with that ocid arrives; one still waiting at the end fails.

Memory: one set entry per distinct truthy ocid, plus the waiting references (one per referencing ocid
and target: Pelican's de-duplication).
"""

from __future__ import annotations

from typing import Any

from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.dataset._common import NO_PAIRS, Lookup, Tally
from pelican_dagster.checks.dataset.facts import RELATED
from pelican_dagster.checks.sampling import rng_for

__all__ = ["RelatedProcessIdentifier"]

NAME = "reference.related_process_identifier"
VERSION = 2.0
EXAMPLES = 100


class RelatedProcessIdentifier:
    """``reference.related_process_identifier``."""

    NAMES = (NAME,)
    VERSION = VERSION

    def __init__(self, ctx: CheckContext) -> None:
        #: truthy hashable ocids seen
        self.targets: set[Any] = set()
        #: target → {referencing ocid → [count, last example]}
        self.waiting: dict[Any, dict[Any, list]] = {}
        self._tally = Tally(rng_for(ctx.seed, NAME).random, EXAMPLES)

    def add_item(self, item_id: int, ocid: Any, facts: dict[str, Any]) -> None:
        """Register the item as a target (before its own references: a self-reference passes), resolve
        the references waiting for it, then evaluate or park its references."""
        if ocid and type(ocid) is not dict:  # object/array ocid: unhashable in Pelican, never matches (§0.9)
            self.targets.add(ocid)
            if self.waiting:
                waiting = self.waiting.pop(ocid, None)
                if waiting:
                    for count, example in waiting.values():
                        # Two or more waiting references of one pair make Pelican raise (§0.9): count each.
                        for _ in range(count):
                            self._tally.add(True, example)
        references = facts.get(RELATED)
        if references is None:
            return
        pair = object() if type(ocid) is dict else ocid  # an unhashable ocid never de-duplicates
        for reference in references:
            path, related = reference[0], reference[1]
            example = (item_id, ocid, path, related)
            if type(related) is dict:  # object/array identifier: never matches (§0.9)
                self._tally.add(False, example)
            elif related in self.targets:
                self._tally.add(True, example)
            else:
                waiting = self.waiting.setdefault(related, {})
                entry = waiting.get(pair)
                if entry is None:
                    waiting[pair] = [1, example]
                else:
                    entry[0] += 1
                    entry[1] = example  # Pelican keeps the last one read

    def results(self, lookup: Lookup | None = None) -> list[dict[str, Any]]:
        """The stored row. References whose target never arrived fail, one per (referencing ocid, target)
        pair; a copy of the tally takes them, so that more items may still be added afterwards."""
        tally = self._tally.copy()
        for waiting in self.waiting.values():
            for _, example in waiting.values():
                tally.add(False, example)
        examples = {
            key: [
                {"item_id": i, "ocid": o, "related_path": p, "related_ocid": r}
                for i, o, p, r in getattr(tally, f"{key}_samples")
            ]
            for key in ("passed", "failed")
        }
        return [tally.row(NAME, examples, NO_PAIRS, VERSION)]
