"""Value repetition (checks.md §3.4): do the three most frequent (amount, currency) pairs stay under 10 %?

Stored names: ``distribution.tender_value_repetition``, ``distribution.awards_value_repetition``,
``distribution.contracts_value_repetition``.

Memory: one entry (count, amount, currency, ≤ 10 examples) per distinct (amount, currency) pair.
"""

from __future__ import annotations

import heapq
from typing import Any

from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.dataset._common import NO_ITEMS, item_example, not_applicable, offer, row
from pelican_dagster.checks.dataset.facts import VALUE_KINDS
from pelican_dagster.checks.primitives import as_number
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
    """The three value-repetition checks, fed together from ``facts["v"]``."""

    def __init__(self, ctx: CheckContext) -> None:
        # key → [count, examples, amount, currency], in first-seen order (ties go to the first seen).
        self._tables: dict[str, dict[tuple[float, Any], list]] = {key: {} for key, _ in VALUE_KINDS}
        self._randoms = {key: rng_for(ctx.seed, NAMES[key]).random for key, _ in VALUE_KINDS}

    def add(self, item_id: int, ocid: Any, values: dict[str, list[list[Any]]]) -> None:
        """Count every value object of one item under (amount as number, currency)."""
        example = (item_id, ocid)
        for key, entries in values.items():
            table = self._tables.get(key)
            if table is None:
                continue
            random = self._randoms[key]
            for _, amount, currency in entries:
                number = amount if type(amount) is float else as_number(amount)
                if number is None:
                    continue
                # A NaN is a new object each time, so each NaN occurrence is a key of its own, as in Pelican.
                pair = (number, currency)
                entry = table.get(pair)
                if entry is None:
                    table[pair] = [1, [example], number, currency]
                else:
                    seen = entry[0]
                    entry[0] = seen + 1
                    offer(entry[1], seen, _EXAMPLES, example, random)

    def results(self) -> list[dict[str, Any]]:
        """The three rows, in Pelican's order (tender, awards, contracts)."""
        return [self._result(key) for key in ORDER]

    def _result(self, key: str) -> dict[str, Any]:
        name = NAMES[key]
        table = self._tables[key]
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
                for count, examples, amount, currency in top
            ],
            "total_processed": total,
        }
        return row(name, share < 0.1, 100 * share, meta, VERSION)
