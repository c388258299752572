"""Code distributions (checks.md §3.1, §3.2).

Stored names: ``distribution.tender_procurement_method``, ``distribution.tender_status``,
``distribution.tender_award_criteria``, ``distribution.tender_submission_method``,
``distribution.awards_status``, ``distribution.contracts_status``, ``distribution.milestone_status``,
``distribution.milestone_type``, ``distribution.document_document_type``, ``distribution.value_currency``,
``distribution.related_process_relation`` (the table ``facts.CODE_CHECKS``) and
``distribution.main_procurement_category``.

Memory: one counter and at most 20 (100 for the category) examples per distinct code.
"""

from __future__ import annotations

from typing import Any

from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.dataset._common import (
    NO_ITEMS,
    add_counted,
    counted,
    item_example,
    not_applicable,
    row,
    start,
    step,
)
from pelican_dagster.checks.dataset.facts import CODE_CHECKS
from pelican_dagster.checks.sampling import rng_for

__all__ = ["CodeDistributions", "MainProcurementCategory"]

VERSION = 1.0
_EXAMPLES = 20


def _shares(table: dict[Any, list], total: int) -> dict[Any, dict[str, Any]]:
    return {
        code: {"share": entry[0] / total, "count": entry[0], "examples": [item_example(e) for e in entry[1]]}
        for code, entry in table.items()
    }


class CodeDistributions:
    """The 11 code distributions of ``CODE_CHECKS``, fed together from ``facts["c"]``."""

    def __init__(self, ctx: CheckContext) -> None:
        self._tables: list[dict[str, list]] = [{} for _ in CODE_CHECKS]
        self._by_key = {
            str(i): (table, rng_for(ctx.seed, name).random)
            for i, (table, (name, _, _)) in enumerate(zip(self._tables, CODE_CHECKS, strict=True))
        }

    def add(self, item_id: int, ocid: Any, codes: dict[str, list[str]]) -> None:
        """Count every string code occurrence of one item; offer ``(item_id, ocid)`` to the code's sample."""
        example = (item_id, ocid)
        for key, found in codes.items():
            pair = self._by_key.get(key)
            if pair is None:
                continue
            table, random = pair
            for code in found:
                entry = table.get(code)
                if entry is None:
                    table[code] = counted(example)
                    continue
                # add_counted, inlined: this is the hottest loop of the dataset step
                n = entry[0]
                entry[0] = n + 1
                if n < _EXAMPLES:
                    entry[1].append(example)
                    if n == _EXAMPLES - 1:
                        start(entry, _EXAMPLES, random)
                elif n == entry[2]:
                    step(entry, example, _EXAMPLES, random)

    def results(self) -> list[dict[str, Any]]:
        """One row per check, in ``CODE_CHECKS`` order."""
        rows = []
        for (name, _, test_codes), table in zip(CODE_CHECKS, self._tables, strict=True):
            if not table:
                rows.append(not_applicable(name, NO_ITEMS, VERSION))
                continue
            total = sum(entry[0] for entry in table.values())
            passed = all(code in table and 0.001 <= table[code][0] / total <= 0.99 for code in test_codes)
            rows.append(row(name, passed, 100 if passed else 0, {"shares": _shares(table, total)}, VERSION))
        return rows


class MainProcurementCategory:
    """``distribution.main_procurement_category``: no category may hold more than 95 % of the items."""

    name = "distribution.main_procurement_category"

    def __init__(self, ctx: CheckContext) -> None:
        self._table: dict[str, list] = {}
        self._random = rng_for(ctx.seed, self.name).random

    def add(self, item_id: int, ocid: Any, category: str) -> None:
        """Count the item's category (text-coerced, never ``""``)."""
        entry = self._table.get(category)
        if entry is None:
            self._table[category] = counted((item_id, ocid))
        else:
            add_counted(entry, (item_id, ocid), 100, self._random)

    def result(self) -> dict[str, Any]:
        """The stored row."""
        if not self._table:
            return not_applicable(self.name, NO_ITEMS, VERSION)
        total = sum(entry[0] for entry in self._table.values())
        # Pelican inserts the shares by descending count (jsonb then forgets the order).
        ordered = dict(sorted(self._table.items(), key=lambda kv: kv[1][0], reverse=True))
        passed = max(entry[0] for entry in ordered.values()) / total <= 0.95
        return row(self.name, passed, 100 if passed else 0, {"shares": _shares(ordered, total)}, VERSION)
