"""Code distributions (docs/checks.md §3.1, §3.2).

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
from pelican_dagster.checks.dataset._common import NO_ITEMS, item_example, not_applicable, row
from pelican_dagster.checks.dataset.facts import CODE_CHECKS
from pelican_dagster.checks.sampling import rng_for

__all__ = ["CodeDistributions", "MainProcurementCategory"]

VERSION = 1.0
EXAMPLES = 20
CATEGORY_EXAMPLES = 100


def _shares(table: dict[Any, list], total: int) -> dict[Any, dict[str, Any]]:
    return {
        code: {"share": entry[0] / total, "count": entry[0], "examples": [item_example(e) for e in entry[1]]}
        for code, entry in table.items()
    }


class CodeDistributions:
    """The 11 code distributions of ``CODE_CHECKS``, fed by ``DatasetChecker`` from the codes of
    ``facts["p"]``: each table maps a code to a counted sample (``_common``) of ``(item_id, ocid)``."""

    def __init__(self, ctx: CheckContext) -> None:
        self.tables: list[dict[str, list]] = [{} for _ in CODE_CHECKS]
        #: ``str(index in CODE_CHECKS)`` → (table, random)
        self.by_key = {
            str(i): (table, rng_for(ctx.seed, name).random)
            for i, (table, (name, _, _)) in enumerate(zip(self.tables, CODE_CHECKS, strict=True))
        }

    def results(self) -> list[dict[str, Any]]:
        """One row per check, in ``CODE_CHECKS`` order."""
        rows = []
        for (name, _, test_codes), table in zip(CODE_CHECKS, self.tables, strict=True):
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
        #: category → counted sample of ``(item_id, ocid)``, fed by ``DatasetChecker`` from ``facts["p"]``
        self.table: dict[str, list] = {}
        self.random = rng_for(ctx.seed, self.name).random

    def result(self) -> dict[str, Any]:
        """The stored row."""
        if not self.table:
            return not_applicable(self.name, NO_ITEMS, VERSION)
        total = sum(entry[0] for entry in self.table.values())
        # Pelican inserts the shares by descending count (jsonb then forgets the order).
        ordered = dict(sorted(self.table.items(), key=lambda kv: kv[1][0], reverse=True))
        passed = max(entry[0] for entry in ordered.values()) / total <= 0.95
        return row(self.name, passed, 100 if passed else 0, {"shares": _shares(ordered, total)}, VERSION)
