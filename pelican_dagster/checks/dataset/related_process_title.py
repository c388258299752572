"""``consistent.related_process_title`` (docs/checks.md §3.8): does the title of a related process equal the
tender title of the contracting process it references by ocid?

Reads ``facts[RELATED]`` (references with scheme ``ocid`` and a title), ``facts[OCID]`` and
``facts[TENDER_TITLE]``: the targets are the items with a truthy, hashable ocid and a tender title.
Order does not matter: a reference to a target not seen yet waits until it arrives.

Memory: one dict entry per distinct truthy ocid with a tender title (kept as a 64-bit hash plus the item
id of the item it came from, not as text), plus the waiting references. Title equality is therefore
decided on the hash for targets read before their reference (a false match needs a 64-bit collision); a
reference that waited is compared with the target title itself.
"""

from __future__ import annotations

from typing import Any

from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.dataset._common import NO_PAIRS, Lookup, Tally
from pelican_dagster.checks.dataset.facts import RELATED, TENDER_TITLE, UNHASHABLE
from pelican_dagster.checks.sampling import rng_for

__all__ = ["RelatedProcessTitle", "title_hash"]

NAME = "consistent.related_process_title"
VERSION = 1.0
EXAMPLES = 100
_MASK = (1 << 64) - 1


def title_hash(title: Any) -> int:
    """The 64-bit hash under which a target's tender title is kept."""
    # Objects/arrays arrive as {"~": canonical JSON} wrappers (facts.py); hash the JSON text.
    if type(title) is dict:
        return hash((UNHASHABLE, title.get(UNHASHABLE))) & _MASK
    return hash(title) & _MASK


class RelatedProcessTitle:
    """``consistent.related_process_title``."""

    NAMES = (NAME,)
    VERSION = VERSION

    def __init__(self, ctx: CheckContext) -> None:
        #: truthy hashable ocid → (item id << 64 | title hash) of the last item with that ocid and a title
        self.targets: dict[Any, int] = {}
        #: target → {referencing ocid → [waiting examples]}
        self.waiting: dict[Any, dict[Any, list]] = {}
        self._tally = Tally(rng_for(ctx.seed, NAME).random, EXAMPLES)

    def add_item(self, item_id: int, ocid: Any, facts: dict[str, Any]) -> None:
        """Register the item as a target (before its own references: a self-reference is tested), resolve
        the references waiting for it, then evaluate or park its references."""
        title = facts.get(TENDER_TITLE)
        if title is not None and ocid and type(ocid) is not dict:
            self.targets[ocid] = (item_id << 64) | title_hash(title)
            if self.waiting:
                waiting = self.waiting.pop(ocid, None)
                if waiting:
                    for examples in waiting.values():
                        for ref_item, ref_ocid, path, related, related_title in examples:
                            passed = related_title == title
                            example = (ref_item, ref_ocid, path, related, related_title, title, None)
                            self._tally.add(passed, example)
        references = facts.get(RELATED)
        if references is None:
            return
        pair = object() if type(ocid) is dict else ocid  # an unhashable ocid never de-duplicates
        for reference in references:
            if len(reference) < 3:
                continue
            path, related, related_title = reference
            if type(related) is dict:  # object/array identifier: never matches, not tested (§0.9)
                continue
            code = self.targets.get(related)
            if code is not None:
                passed = (code & _MASK) == title_hash(related_title)
                original = related_title if passed else None
                self._tally.add(passed, (item_id, ocid, path, related, related_title, original, code >> 64))
            else:
                waiting = self.waiting.setdefault(related, {})
                waiting.setdefault(pair, []).append((item_id, ocid, path, related, related_title))

    def results(self, lookup: Lookup | None = None) -> list[dict[str, Any]]:
        """The stored row; the target titles of failed examples are read back through ``lookup``."""
        tally = self._tally
        wanted = {e[6] for e in tally.failed_samples if e[6] is not None}
        titles: dict[int, Any] = {}
        if lookup is not None and wanted:
            titles = {item_id: facts.get(TENDER_TITLE) for item_id, facts in lookup(sorted(wanted)).items()}
        examples = {
            key: [
                {
                    "item_id": i,
                    "ocid": o,
                    "related_path": p,
                    "related_ocid": r,
                    "related_title": rt,
                    "original_title": ot
                    if target is None
                    else (rt if key == "passed" else titles.get(target)),
                }
                for i, o, p, r, rt, ot, target in getattr(tally, f"{key}_samples")
            ]
            for key in ("passed", "failed")
        }
        return [tally.row(NAME, examples, NO_PAIRS, VERSION)]
