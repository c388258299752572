"""Dataset-level checks (docs/checks.md §3, 24 checks) and the dataset metadata (docs/pipeline.md §6.2).

Feed the facts of every item (``facts.extract_facts``, computed in the per-item pass) to a
:class:`DatasetChecker`, then read :meth:`DatasetChecker.results` (the 24 stored rows, in Pelican's
definition order) and :meth:`DatasetChecker.metadata`::

    checker = DatasetChecker(ctx, lookup=read_facts)
    checker.extend(stream)                 # (item_id, facts) pairs; facts: dict, or orjson bytes/text
    checker.add(item_id, facts)            # or one item at a time
    rows = checker.results()               # [] when no item was added
    meta = checker.metadata()

Items without an ``ocid`` key are skipped by every check and by the metadata: Pelican raises on them in
this step (docs/checks.md §0.9, docs/pipeline.md §4.2), so there is no reference behaviour; skipping
matches what
the per-item step does with them.

``lookup(item_ids) -> {item_id: facts}`` (optional) re-reads the facts of the few items whose details
appear in random examples but are not kept in memory (value-distribution records, tender-id ocids,
failed title examples). Without it those examples hold only ids.

Memory grows with the number of distinct values, never with whole items: distinct ocids (metadata and
related-process targets, one entry each), distinct tender ids (one item id each, a list when repeated),
distinct buyer ids, distinct codes and (amount, currency) pairs, 20 bytes per kept value object for the
value distributions, the waiting related-process references, and fixed-size example samples.

Modules, by stored check name: ``distribution`` (11 code distributions, ``main_procurement_category``),
``value`` (``distribution.*_value``), ``value_repetition`` (``distribution.*_value_repetition``),
``buyer`` (``distribution.buyer``, ``distribution.buyer_repetition``), ``unique`` (``unique.tender_id``),
``misc`` (``misc.url_availability``), ``related_process`` (``reference.related_process_identifier``,
``consistent.related_process_title``), ``metadata`` (dataset metadata). Each holds the state and the
result of its checks; :meth:`DatasetChecker.extend` feeds them all in one loop, because this loop runs
once per item of every dataset and per-item method calls and attribute look-ups are a good part of its
cost. The code distributions and the category are fed per distinct code profile (``facts["p"]``): its
text keys a memoised plan of which counted samples each occurrence goes to.

Facts stored before ``p`` replaced the ``c`` and ``m`` facts are still read (the profile is rebuilt from
them, with the same results).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from typing import Any

import orjson

from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.dataset import buyer, distribution, misc, value_repetition
from pelican_dagster.checks.dataset._common import Lookup, add_counted, counted, offer_run
from pelican_dagster.checks.dataset.buyer import Buyers
from pelican_dagster.checks.dataset.distribution import CodeDistributions, MainProcurementCategory
from pelican_dagster.checks.dataset.facts import extract_facts, profile
from pelican_dagster.checks.dataset.metadata import DatasetMetadata
from pelican_dagster.checks.dataset.misc import Fetcher, UrlAvailability
from pelican_dagster.checks.dataset.related_process import RelatedProcesses, title_hash
from pelican_dagster.checks.dataset.unique import TenderIds
from pelican_dagster.checks.dataset.value import ValueDistributions
from pelican_dagster.checks.dataset.value_repetition import ValueRepetitions
from pelican_dagster.checks.primitives import as_number

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


_MISSING = object()
#: Distinct code profiles whose plans are kept (beyond this, a profile's plan is rebuilt per item: memory
#: stays bounded on datasets whose codes vary from item to item).
_MAX_PLANS = 20_000


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
        self._category = MainProcurementCategory(ctx)
        self._tender_ids = TenderIds(ctx)
        self._values = ValueDistributions(ctx)
        self._repetitions = ValueRepetitions(ctx)
        self._buyers = Buyers(ctx)
        self._codes = CodeDistributions(ctx)
        self._urls = UrlAvailability(ctx, fetcher)
        self._related = RelatedProcesses(ctx)
        self._metadata = DatasetMetadata()
        #: value kind → (repetition table, its random, appends of the kept USD amounts, item ids, ordinals)
        self._value_sinks = {
            key: (
                table,
                self._repetitions.randoms[key],
                self._values.kept[key].amounts.append,
                self._values.kept[key].item_ids.append,
                self._values.kept[key].ordinals.append,
            )
            for key, table in self._repetitions.tables.items()
        }
        #: code profile text → plan: ((counted sample, run length, k, random), ...) in occurrence order
        self._plans: dict[str, tuple[tuple[list, int, int, Any], ...]] = {}

    def _plan(self, text: str) -> tuple[tuple[list, int, int, Any], ...]:
        """The plan of a code profile: every code occurrence's counted sample, consecutive equal codes of
        one check merged into one run. The samples of a check share one random generator, so the plan
        keeps the order in which the occurrences were read (and creates new samples in that order)."""
        try:
            codes, category = orjson.loads(text)
        except orjson.JSONDecodeError:  # lone surrogates (facts.profile): runs once per such profile
            codes, category = json.loads(text)
        plan: list[list] = []
        by_key = self._codes.by_key
        for key, found in codes.items():
            pair = by_key.get(key)
            if pair is None:
                continue
            table, random = pair
            previous = None
            for code in found:
                if code == previous:
                    plan[-1][1] += 1
                    continue
                previous = code
                entry = table.get(code)
                if entry is None:
                    entry = table[code] = counted()
                plan.append([entry, 1, distribution.EXAMPLES, random])
        if category is not None:
            table = self._category.table
            entry = table.get(category)
            if entry is None:
                entry = table[category] = counted()
            plan.append([entry, 1, distribution.CATEGORY_EXAMPLES, self._category.random])
        frozen = tuple(tuple(step) for step in plan)
        if len(self._plans) < _MAX_PLANS:
            self._plans[text] = frozen
        return frozen

    def add(self, item_id: int, facts: dict[str, Any] | bytes | str) -> None:
        """Feed one item's facts (a dict, or the orjson bytes or text stored by the per-item pass)."""
        self.extend(((item_id, facts),))

    def extend(self, pairs: Iterable[tuple[int, dict[str, Any] | bytes | str]]) -> None:
        """Feed the ``(item_id, facts)`` of many items, in order: the same as :meth:`add` on each."""
        loads = orjson.loads
        isfinite = math.isfinite
        trunc = math.trunc
        plans = self._plans
        make_plan = self._plan
        metadata = self._metadata
        add_ocid = metadata.ocids.add
        value_sinks = self._value_sinks
        factor = self._values.factor
        factors = self._values.factors
        repetition_k = value_repetition.EXAMPLES
        tender_ids = self._tender_ids.ids
        buyers = self._buyers.buyers
        buyer_random = self._buyers.random
        buyer_k = buyer.EXAMPLES
        url_sample = self._urls.sample
        url_random = self._urls.random
        url_k = misc.SAMPLE
        add_target = self._related.add_target
        targets = self._related.targets
        ident_waiting = self._related.ident_waiting
        title_waiting = self._related.title_waiting
        add_references = self._related.add_references
        items = skipped = unhashable = 0
        planning = tender = award = contract = implementation = 0
        tenders = buyer_items = 0
        try:
            for item_id, facts in pairs:
                if type(facts) is not dict:
                    facts = loads(facts)
                get = facts.get
                ocid = get("o", _MISSING)
                if ocid is _MISSING:
                    skipped += 1
                    continue
                items += 1

                # Metadata (an object/array ocid is distinct from every other).
                if type(ocid) is dict:
                    unhashable += 1
                else:
                    add_ocid(ocid)
                lifecycle = get("L")
                if lifecycle is not None:
                    flags, awards, contracts, implementations = lifecycle
                    planning += flags & 1
                    tender += (flags >> 1) & 1
                    award += awards
                    contract += contracts
                    implementation += implementations

                example = (item_id, ocid)

                # Code distributions and the category. Each step offers a run of ``m`` equal values to a
                # counted sample (the inlined form in ``_common``).
                text = get("p")
                if text is None and ("c" in facts or "m" in facts):  # facts stored before ``p``
                    text = profile(get("c") or {}, get("m"))
                if text is not None:
                    plan = plans.get(text)
                    if plan is None:
                        plan = make_plan(text)
                    for entry, m, k, random in plan:
                        n = entry[0]
                        end = entry[0] = n + m
                        if end > entry[2]:
                            offer_run(entry, n, end, example, k, random)

                # Value repetition (key: amount as number, currency; each NaN a key of its own, as in
                # Pelican) and value distribution (non-negative amounts, in USD).
                values = get("v")
                if values is not None:
                    date = get("d")
                    for key, entries in values.items():
                        sink = value_sinks.get(key)
                        if sink is None:
                            continue
                        table, random, keep_amount, keep_item, keep_ordinal = sink
                        for ordinal, (_, amount, currency) in enumerate(entries):
                            kind = type(amount)
                            if kind is int:  # within the 64-bit range (facts.py): float() cannot overflow
                                number = float(amount)
                            elif kind is float:
                                number = amount
                            else:
                                number = as_number(amount)
                                if number is None:
                                    continue
                            pair_key = (number, currency)
                            entry = table.get(pair_key)
                            if entry is None:  # most pairs occur once: their only example stands for them
                                table[pair_key] = example
                            elif type(entry) is tuple:  # the second: a counted sample of both
                                table[pair_key] = [2, [entry, example], 2, 1.0]
                            else:
                                n = entry[0]
                                end = entry[0] = n + 1
                                if end > entry[2]:
                                    if end < repetition_k:  # filling up: keep it
                                        entry[1].append(example)
                                        entry[2] = end
                                    else:
                                        offer_run(entry, n, end, example, repetition_k, random)
                            if number >= 0:  # NaN is dropped below in any case
                                if currency == "USD":
                                    usd = number
                                else:
                                    rate = factors.get((currency, date), _MISSING)
                                    if rate is _MISSING:
                                        rate = factor(currency, date)
                                    if rate is None:
                                        continue
                                    # currency.convert gives round(number * rate, 6), whose integer part is
                                    # that of the product unless the product lies within 1e-6 of the next
                                    # integer: round() (slow) only then.
                                    usd = number * rate
                                    if not isfinite(usd):
                                        continue
                                    whole = trunc(usd)
                                    if not -0.999 < usd - whole < 0.999:
                                        whole = trunc(round(usd, 6))
                                    keep_amount(float(whole))
                                    keep_item(item_id)
                                    keep_ordinal(ordinal)
                                    continue
                                # NaN and infinities make Pelican's int() raise (§0.9): skip the value.
                                if isfinite(usd):
                                    keep_amount(float(trunc(usd)))
                                    keep_item(item_id)
                                    keep_ordinal(ordinal)

                tender_id = get("t")
                if tender_id is not None:
                    tenders += 1
                    seen = tender_ids.get(tender_id)
                    if seen is None:
                        tender_ids[tender_id] = item_id
                    elif type(seen) is list:
                        seen.append(item_id)
                    else:
                        tender_ids[tender_id] = [seen, item_id]

                buyer_id = get("b")
                if buyer_id is not None:
                    buyer_items += 1
                    entry = buyers.get(buyer_id)
                    if entry is None:  # its counted sample with this example, then the first example
                        buyers[buyer_id] = [1, [example], 1, 1.0, example]
                    else:
                        n = entry[0]
                        end = entry[0] = n + 1
                        if end > entry[2]:
                            offer_run(entry, n, end, example, buyer_k, buyer_random)

                urls = get("u")
                if urls is not None:
                    n = url_sample[0]
                    end = url_sample[0] = n + len(urls)
                    if end > url_sample[2]:  # one of them is kept: offer them one by one
                        url_sample[0] = n
                        for url in urls:
                            add_counted(url_sample, (url, item_id, ocid), url_k, url_random)

                if ocid and type(ocid) is not dict:  # RelatedProcesses.add_target, its usual case inlined
                    title = get("T")
                    if title is not None:
                        targets[ocid] = (item_id << 64) | title_hash(title)
                    elif ocid not in targets:
                        targets[ocid] = None
                    if ident_waiting or (title is not None and title_waiting):
                        add_target(item_id, ocid, title)
                references = get("r")
                if references is not None:
                    add_references(item_id, ocid, references)
        finally:
            self.items += items
            self.skipped += skipped
            metadata.unhashable += unhashable
            metadata.planning += planning
            metadata.tender += tender
            metadata.award += award
            metadata.contract += contract
            metadata.implementation += implementation
            self._tender_ids.total += tenders
            self._buyers.total += buyer_items

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
            *self._values.results(lookup),
            *self._buyers.results(),
            *self._repetitions.results(),
            *self._codes.results(),
            self._urls.result(),
            *self._related.results(lookup),
        ]
        assert tuple(r["check_name"] for r in rows) == CHECK_NAMES
        return rows

    def metadata(self) -> dict[str, Any]:
        """``{"compiled_releases": {...}, "tender_lifecycle": {...}}`` (docs/pipeline.md §6.2)."""
        return self._metadata.result()
