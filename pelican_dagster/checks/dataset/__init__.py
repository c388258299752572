"""Dataset-level checks (checks.md §3, 24 checks) and the dataset metadata (pipeline.md §6.2).

Feed the facts of every item (``facts.extract_facts``, computed in the per-item pass) to a
:class:`DatasetChecker`, then read :meth:`DatasetChecker.results` (the 24 stored rows, in Pelican's
definition order) and :meth:`DatasetChecker.metadata`::

    checker = DatasetChecker(ctx, lookup=read_facts)
    for item_id, facts in stream:          # facts: dict or orjson bytes
        checker.add(item_id, facts)
    rows = checker.results()               # [] when no item was added
    meta = checker.metadata()

Items without an ``ocid`` key are skipped by every check and by the metadata: Pelican raises on them in
this step (checks.md §0.9, pipeline.md §4.2), so there is no reference behaviour; skipping matches what
the per-item step does with them.

``lookup(item_ids) -> {item_id: facts}`` (optional) re-reads the facts of the few items whose details
appear in random examples but are not kept in memory (value-distribution records, tender-id ocids,
failed title examples). Without it those examples hold only ids.

Memory grows with the number of distinct values, never with whole items: distinct ocids (metadata and
related-process targets, one entry each), distinct tender ids (one item id each, a list when repeated),
distinct buyer ids, distinct codes and (amount, currency) pairs, 20 bytes per kept value object for the
value distributions, the waiting related-process references, and fixed-size example samples.

Modules, by stored check name: ``distribution`` (11 code distributions, ``main_procurement_category``),
``value`` (``distribution.*_value``), ``value_repetition`` (``distribution.*_value_repetition``), both
fed by ``value_pass``,
``buyer`` (``distribution.buyer``, ``distribution.buyer_repetition``), ``unique`` (``unique.tender_id``),
``misc`` (``misc.url_availability``), ``related_process`` (``reference.related_process_identifier``,
``consistent.related_process_title``), ``metadata`` (dataset metadata).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import orjson

from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.dataset._common import Lookup
from pelican_dagster.checks.dataset.buyer import Buyers
from pelican_dagster.checks.dataset.distribution import CodeDistributions, MainProcurementCategory
from pelican_dagster.checks.dataset.facts import extract_facts
from pelican_dagster.checks.dataset.metadata import DatasetMetadata
from pelican_dagster.checks.dataset.misc import Fetcher, UrlAvailability
from pelican_dagster.checks.dataset.related_process import RelatedProcesses
from pelican_dagster.checks.dataset.unique import TenderIds
from pelican_dagster.checks.dataset.value_pass import ValuePass

__all__ = ["CHECK_NAMES", "DatasetChecker", "DatasetMetadata", "extract_facts"]

#: The 24 stored names in Pelican's definition order (the order of the stored rows).
CHECK_NAMES: tuple[str, ...] = (
    "distribution.main_procurement_category",
    "unique.tender_id",
    "distribution.contracts_value",
    "distribution.awards_value",
    "distribution.tender_value",
    "distribution.buyer",
    "distribution.buyer_repetition",
    "distribution.tender_value_repetition",
    "distribution.awards_value_repetition",
    "distribution.contracts_value_repetition",
    "distribution.tender_procurement_method",
    "distribution.tender_status",
    "distribution.tender_award_criteria",
    "distribution.tender_submission_method",
    "distribution.awards_status",
    "distribution.contracts_status",
    "distribution.milestone_status",
    "distribution.milestone_type",
    "distribution.document_document_type",
    "distribution.value_currency",
    "distribution.related_process_relation",
    "misc.url_availability",
    "consistent.related_process_title",
    "reference.related_process_identifier",
)


def _decoded(facts: Any) -> Any:
    return orjson.loads(facts) if isinstance(facts, bytes | bytearray | memoryview) else facts


class DatasetChecker:
    """Folds the facts of a dataset's items into the 24 dataset-level results and the metadata."""

    def __init__(
        self, ctx: CheckContext, lookup: Lookup | None = None, fetcher: Fetcher | None = None
    ) -> None:
        self.ctx = ctx
        self._lookup = lookup
        self.items = 0
        self.skipped = 0  # items without an ``ocid`` key
        self._category = MainProcurementCategory(ctx)
        self._tender_ids = TenderIds(ctx)
        self._values = ValuePass(ctx)
        self._buyers = Buyers(ctx)
        self._codes = CodeDistributions(ctx)
        self._urls = UrlAvailability(ctx, fetcher)
        self._related = RelatedProcesses(ctx)
        self._metadata = DatasetMetadata()
        self._add_metadata = self._metadata.add
        self._add_codes = self._codes.add
        self._add_category = self._category.add
        self._add_values = self._values.add
        self._add_tender_id = self._tender_ids.add
        self._add_buyer = self._buyers.add
        self._add_urls = self._urls.add
        self._add_target = self._related.add_target

    def add(self, item_id: int, facts: dict[str, Any] | bytes) -> None:
        """Feed one item's facts (a dict, or the orjson bytes stored by the per-item pass)."""
        if type(facts) is not dict:
            facts = _decoded(facts)
        if "o" not in facts:
            self.skipped += 1
            return
        self.items += 1
        ocid = facts["o"]
        get = facts.get
        # Bound methods (set in __init__): this runs once per item of every dataset.
        self._add_metadata(facts)
        if (codes := get("c")) is not None:
            self._add_codes(item_id, ocid, codes)
        if (category := get("m")) is not None:
            self._add_category(item_id, ocid, category)
        if (values := get("v")) is not None:
            self._add_values(item_id, ocid, values, get("d"))
        if (tender_id := get("t")) is not None:
            self._add_tender_id(item_id, tender_id)
        if (buyer_id := get("b")) is not None:
            self._add_buyer(item_id, ocid, buyer_id)
        if (urls := get("u")) is not None:
            self._add_urls(item_id, ocid, urls)
        if ocid:
            self._add_target(item_id, ocid, get("T"))
        if (references := get("r")) is not None:
            self._related.add_references(item_id, ocid, references)

    def _read(self, item_ids: Iterable[int]) -> Mapping[int, Any]:
        if self._lookup is None:
            return {}
        return {item_id: _decoded(facts) for item_id, facts in self._lookup(item_ids).items()}

    def results(self) -> list[dict[str, Any]]:
        """The 24 rows ``{"check_name", "result", "value", "meta"}`` in definition order; [] if no item."""
        if not self.items:
            return []
        lookup = self._read if self._lookup is not None else None
        rows = [
            self._category.result(),
            self._tender_ids.result(lookup),
            *self._values.distributions.results(lookup),
            *self._buyers.results(),
            *self._values.repetitions.results(),
            *self._codes.results(),
            self._urls.result(),
            *self._related.results(lookup),
        ]
        assert tuple(r["check_name"] for r in rows) == CHECK_NAMES
        return rows

    def metadata(self) -> dict[str, Any]:
        """``{"compiled_releases": {...}, "tender_lifecycle": {...}}`` (pipeline.md §6.2)."""
        return self._metadata.result()
