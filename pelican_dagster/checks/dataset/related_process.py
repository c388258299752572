"""Related processes (docs/checks.md §3.8): references to other contracting processes by ocid.

Stored names: ``reference.related_process_identifier`` (does the referenced ocid exist in the dataset?)
and ``consistent.related_process_title`` (does the reference's title equal the target's tender title?).

References use ``facts["r"]``; targets are items with a truthy, hashable ``facts["o"]``. Order does not
matter: a reference to an ocid not seen yet waits until an item with that ocid arrives.

Memory: one dict entry per distinct truthy ocid (the target's tender title is kept as a 64-bit hash
plus the item id of the item it came from, not as text), plus the waiting references. Title equality
is therefore decided on the hash for targets read before their reference (a false match needs a 64-bit
collision); a reference that waited is compared with the target title itself.
"""

from __future__ import annotations

from typing import Any

from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.dataset._common import NO_PAIRS, Lookup, not_applicable, offer, row
from pelican_dagster.checks.dataset.facts import UNHASHABLE
from pelican_dagster.checks.sampling import rng_for

__all__ = ["RelatedProcesses", "title_hash"]

IDENTIFIER = "reference.related_process_identifier"
TITLE = "consistent.related_process_title"
VERSIONS = {IDENTIFIER: 2.0, TITLE: 1.0}
_EXAMPLES = 100
_MASK = (1 << 64) - 1


def title_hash(title: Any) -> int:
    """The 64-bit hash under which a target's tender title is kept."""
    # Objects/arrays arrive as {"~": canonical JSON} wrappers (facts.py); hash the JSON text.
    if type(title) is dict:
        return hash((UNHASHABLE, title.get(UNHASHABLE))) & _MASK
    return hash(title) & _MASK


class _Tally:
    """Pass/fail counts and a passed and a failed Reservoir(100)."""

    __slots__ = ("failed", "failed_samples", "passed", "passed_samples", "random")

    def __init__(self, random: Any) -> None:
        self.passed = self.failed = 0
        self.passed_samples: list = []
        self.failed_samples: list = []
        self.random = random

    def copy(self) -> _Tally:
        other = _Tally(self.random)
        other.passed, other.failed = self.passed, self.failed
        other.passed_samples, other.failed_samples = list(self.passed_samples), list(self.failed_samples)
        return other

    def add(self, passed: bool, example: tuple) -> None:
        if passed:
            offer(self.passed_samples, self.passed, _EXAMPLES, example, self.random)
            self.passed += 1
        else:
            offer(self.failed_samples, self.failed, _EXAMPLES, example, self.random)
            self.failed += 1


class RelatedProcesses:
    """Both related-process checks."""

    def __init__(self, ctx: CheckContext) -> None:
        # The three tables below are public because ``DatasetChecker.extend`` inlines the usual case of
        # :meth:`add_target` (register the target, nothing waiting for it).
        #: truthy hashable ocid → (item id << 64 | title hash) of the last item with a truthy title, or None
        self.targets: dict[Any, int | None] = {}
        #: target → {referencing ocid → [count, last example]} (Pelican's de-duplication, §3.8)
        self.ident_waiting: dict[Any, dict[Any, list]] = {}
        #: target → {referencing ocid → [examples]}
        self.title_waiting: dict[Any, dict[Any, list]] = {}
        self._ident = _Tally(rng_for(ctx.seed, IDENTIFIER).random)
        self._title = _Tally(rng_for(ctx.seed, TITLE).random)

    def add_target(self, item_id: int, ocid: Any, title: Any) -> None:
        """Register an item as a possible target and resolve the references waiting for it.

        Called for every item with a truthy ocid, before its own references (so a self-reference passes).
        """
        if type(ocid) is dict:  # object/array ocid: unhashable in Pelican, never matches (§0.9)
            return
        targets = self.targets
        if title is not None:
            targets[ocid] = (item_id << 64) | title_hash(title)
        elif ocid not in targets:
            targets[ocid] = None
        if self.ident_waiting:
            waiting = self.ident_waiting.pop(ocid, None)
            if waiting:
                for count, example in waiting.values():
                    # Two or more waiting references of one pair make Pelican raise (§0.9): count each.
                    for _ in range(count):
                        self._ident.add(True, example)
        if title is not None and self.title_waiting:
            waiting = self.title_waiting.pop(ocid, None)
            if waiting:
                for examples in waiting.values():
                    for ref_item, ref_ocid, path, related, related_title in examples:
                        passed = related_title == title
                        self._title.add(
                            passed, (ref_item, ref_ocid, path, related, related_title, title, None)
                        )

    def add_references(self, item_id: int, ocid: Any, references: list[list[Any]]) -> None:
        """Evaluate (or park) the ``ocid``-scheme references of one item."""
        pair = object() if type(ocid) is dict else ocid  # an unhashable ocid never de-duplicates
        for reference in references:
            path, related = reference[0], reference[1]
            example = (item_id, ocid, path, related)
            if type(related) is dict:  # object/array identifier: never matches (§0.9)
                self._ident.add(False, example)
                continue
            if related in self.targets:
                self._ident.add(True, example)
            else:
                waiting = self.ident_waiting.setdefault(related, {})
                entry = waiting.get(pair)
                if entry is None:
                    waiting[pair] = [1, example]
                else:
                    entry[0] += 1
                    entry[1] = example  # Pelican keeps the last one read
            if len(reference) < 3:
                continue
            related_title = reference[2]
            code = self.targets.get(related)
            if code is not None:
                passed = (code & _MASK) == title_hash(related_title)
                original = related_title if passed else None
                self._title.add(passed, (item_id, ocid, path, related, related_title, original, code >> 64))
            else:
                waiting = self.title_waiting.setdefault(related, {})
                waiting.setdefault(pair, []).append((item_id, ocid, path, related, related_title))

    def results(self, lookup: Lookup | None = None) -> list[dict[str, Any]]:
        """``consistent.related_process_title`` then ``reference.related_process_identifier``."""
        # References whose target never arrived fail, one per (referencing ocid, target) pair. A copy of
        # the tally takes them, so that more items may still be added and results asked for again.
        ident = self._ident.copy()
        for waiting in self.ident_waiting.values():
            for _, example in waiting.values():
                ident.add(False, example)

        ident_examples = {
            key: [
                {"item_id": i, "ocid": o, "related_path": p, "related_ocid": r}
                for i, o, p, r in getattr(ident, f"{key}_samples")
            ]
            for key in ("passed", "failed")
        }
        title = self._title
        wanted = {e[6] for e in title.failed_samples if e[6] is not None}
        titles: dict[int, Any] = {}
        if lookup is not None and wanted:
            titles = {item_id: facts.get("T") for item_id, facts in lookup(sorted(wanted)).items()}
        title_examples = {
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
                for i, o, p, r, rt, ot, target in getattr(title, f"{key}_samples")
            ]
            for key in ("passed", "failed")
        }
        return [self._row(TITLE, title, title_examples), self._row(IDENTIFIER, ident, ident_examples)]

    @staticmethod
    def _row(name: str, tally: _Tally, examples: dict[str, list]) -> dict[str, Any]:
        processed = tally.passed + tally.failed
        if processed == 0:
            return not_applicable(name, NO_PAIRS, VERSIONS[name])
        meta = {
            "total_processed": processed,
            "total_passed": tally.passed,
            "total_failed": tally.failed,
            "passed_examples": examples["passed"],
            "failed_examples": examples["failed"],
        }
        return row(name, tally.passed == processed, 100 * tally.passed / processed, meta, VERSIONS[name])
