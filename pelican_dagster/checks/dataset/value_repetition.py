"""Value repetition (checks.md §3.4): do the three most frequent (amount, currency) pairs stay under 10 %?

Stored names: ``distribution.tender_value_repetition``, ``distribution.awards_value_repetition``,
``distribution.contracts_value_repetition``.

Memory: one entry (count, amount, currency, ≤ 10 examples) per distinct (amount, currency) pair.
"""

from __future__ import annotations

import heapq
from typing import Any

from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.dataset._common import (
    NO_ITEMS,
    item_example,
    not_applicable,
    row,
)
from pelican_dagster.checks.dataset.facts import VALUE_KINDS
from pelican_dagster.checks.sampling import rng_for

__all__ = ["ValueRepetitions"]

VERSION = 1.0
NAMES = {
    "t": "distribution.tender_value_repetition",
    "a": "distribution.awards_value_repetition",
    "c": "distribution.contracts_value_repetition",
}
#: Pelican's definition order of the three rows.
ORDER = ("t", "a", "c")
_EXAMPLES = 10


class ValueRepetitions:
    """The three value-repetition checks; ``value_pass.ValuePass`` fills :attr:`tables` from ``facts["v"]``.

    ``tables[kind]`` maps (amount as number, currency) to a counted sample of ``(item_id, ocid)`` examples
    (``_common.counted``) followed by the amount and the currency, in first-seen order.
    """

    def __init__(self, ctx: CheckContext) -> None:
        # key → counted sample + [amount, currency], in first-seen order (ties go to the first seen).
        self.tables: dict[str, dict[tuple[float, Any], list]] = {key: {} for key, _ in VALUE_KINDS}
        self.randoms = {key: rng_for(ctx.seed, NAMES[key]).random for key, _ in VALUE_KINDS}

    def results(self) -> list[dict[str, Any]]:
        """The three rows, in Pelican's order (tender, awards, contracts)."""
        return [self._result(key) for key in ORDER]

    def _result(self, key: str) -> dict[str, Any]:
        name = NAMES[key]
        table = self.tables[key]
        if not table:
            return not_applicable(name, NO_ITEMS, VERSION)
        total = sum(entry[0] for entry in table.values())
        # nlargest is stable: among equal counts the first-seen pair comes first.
        top = heapq.nlargest(5, table.values(), key=lambda entry: entry[0])
        share = sum(entry[0] for entry in top[:3]) / total
        meta = {
            "most_frequent": [
                {
                    "amount": amount,
                    "currency": currency,
                    "value_str": f"{amount} {currency}",
                    "share": count / total,
                    "count": count,
                    "examples": [item_example(e) for e in examples],
                }
                for count, examples, _, _, amount, currency in top
            ],
            "total_processed": total,
        }
        return row(name, share < 0.1, 100 * share, meta, VERSION)
