"""Dataset-level checks (docs/checks.md §3, 24 checks) and the dataset metadata (docs/pipeline.md §6.2).

Feed the facts of every item (``facts.extract_facts``, computed in the per-item pass) to a
:class:`DatasetChecker`, then read :meth:`DatasetChecker.results` (the 24 stored rows, in Pelican's
definition order) and :meth:`DatasetChecker.metadata`::

    checker = DatasetChecker(ctx, lookup=read_facts)
    checker.extend(stream)                 # (item_id, facts) pairs; facts: dict, or orjson bytes/text
    checker.add(item_id, facts)            # or one item at a time
    rows = checker.results()               # [] when no item was added
    meta = checker.metadata()

Each module holds one check (or one family of checks that differ only by path), as Pelican does: which
facts it reads (the key constants of ``facts.py``), how it accumulates them (``add_item``) and how it
decides (``results``); the shape is ``_common.DatasetCheck``. :data:`CHECKS` lists them in Pelican's
definition order, and the checker is a loop over them.

Items without an ``ocid`` key are skipped by every check and by the metadata: Pelican raises on them in
this step (docs/checks.md §0.9, docs/pipeline.md §4.2), so there is no reference behaviour; skipping
matches what
the per-item step does with them.

``lookup(item_ids) -> {item_id: facts}`` (optional) re-reads the facts of the few items whose details
appear in random examples but are not kept in memory (value-distribution records, tender-id ocids,
failed title examples). Without it those examples hold only ids.

Memory grows with the number of distinct values, never with whole items (see each module's docstring).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import orjson

from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.dataset._common import DatasetCheck, Lookup
from pelican_dagster.checks.dataset.buyer import Buyers
from pelican_dagster.checks.dataset.buyer_repetition import BuyerRepetition
from pelican_dagster.checks.dataset.distribution import CodeDistributions
from pelican_dagster.checks.dataset.facts import OCID, extract_facts
from pelican_dagster.checks.dataset.main_procurement_category import MainProcurementCategory
from pelican_dagster.checks.dataset.metadata import DatasetMetadata
from pelican_dagster.checks.dataset.misc import Fetcher, UrlAvailability
from pelican_dagster.checks.dataset.related_process_identifier import RelatedProcessIdentifier
from pelican_dagster.checks.dataset.related_process_title import RelatedProcessTitle
from pelican_dagster.checks.dataset.unique import TenderIds
from pelican_dagster.checks.dataset.value import ValueDistributions
from pelican_dagster.checks.dataset.value_repetition import ValueRepetitions

__all__ = ["CHECKS", "CHECK_NAMES", "CHECK_VERSIONS", "DatasetChecker", "DatasetMetadata", "extract_facts"]

#: The checks, in Pelican's definition order (the order of the stored rows).
CHECKS: tuple[type[DatasetCheck], ...] = (
    MainProcurementCategory,
    TenderIds,
    ValueDistributions,
    Buyers,
    BuyerRepetition,
    ValueRepetitions,
    CodeDistributions,
    UrlAvailability,
    RelatedProcessTitle,
    RelatedProcessIdentifier,
)

#: The 24 stored names in Pelican's definition order.
CHECK_NAMES: tuple[str, ...] = tuple(name for check in CHECKS for name in check.NAMES)

#: Stored name → the version stored in its rows.
CHECK_VERSIONS: dict[str, float] = {name: check.VERSION for check in CHECKS for name in check.NAMES}

_MISSING = object()


def _decoded(facts: Any) -> Any:
    return facts if type(facts) is dict else orjson.loads(facts)


class DatasetChecker:
    """Folds the facts of a dataset's items into the 24 dataset-level results and the metadata."""

    def __init__(
        self, ctx: CheckContext, lookup: Lookup | None = None, fetcher: Fetcher | None = None
    ) -> None:
        self.ctx = ctx
        self._lookup = lookup
        self.items = 0
        self.skipped = 0  # items without an ``ocid`` key
        self._checks: list[DatasetCheck] = [
            UrlAvailability(ctx, fetcher) if check is UrlAvailability else check(ctx) for check in CHECKS
        ]
        # The identifier check keeps every truthy ocid already: the distinct-ocid count shares its set.
        identifier = next(c for c in self._checks if isinstance(c, RelatedProcessIdentifier))
        self._metadata = DatasetMetadata(truthy=identifier.targets)

    def add(self, item_id: int, facts: dict[str, Any] | bytes | str) -> None:
        """Feed one item's facts (a dict, or the orjson bytes or text stored by the per-item pass)."""
        self.extend(((item_id, facts),))

    def extend(self, pairs: Iterable[tuple[int, dict[str, Any] | bytes | str]]) -> None:
        """Feed the ``(item_id, facts)`` of many items, in order: the same as :meth:`add` on each."""
        loads = orjson.loads
        adds = (self._metadata.add_item, *(check.add_item for check in self._checks))
        items = skipped = 0
        try:
            for item_id, facts in pairs:
                if type(facts) is not dict:
                    facts = loads(facts)
                ocid = facts.get(OCID, _MISSING)
                if ocid is _MISSING:
                    skipped += 1
                    continue
                items += 1
                for add in adds:
                    add(item_id, ocid, facts)
        finally:
            self.items += items
            self.skipped += skipped

    def _read(self, item_ids: Iterable[int]) -> Mapping[int, Any]:
        assert self._lookup is not None
        return {item_id: _decoded(facts) for item_id, facts in self._lookup(item_ids).items()}

    def results(self) -> list[dict[str, Any]]:
        """The 24 rows ``{"check_name", "result", "value", "meta"}`` in definition order; [] if no item."""
        if not self.items:
            return []
        lookup = self._read if self._lookup is not None else None
        rows = [row for check in self._checks for row in check.results(lookup)]
        assert tuple(r["check_name"] for r in rows) == CHECK_NAMES
        return rows

    def metadata(self) -> dict[str, Any]:
        """``{"compiled_releases": {...}, "tender_lifecycle": {...}}`` (docs/pipeline.md §6.2)."""
        return self._metadata.result()
