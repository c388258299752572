"""Value repetition (docs/checks.md §3.4): do the three most frequent (amount, currency) pairs stay under
10 %?

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
    Lookup,
    item_example,
    not_applicable,
    offer_run,
    row,
)
from pelican_dagster.checks.dataset.facts import VALUE_KINDS, VALUES
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
EXAMPLES = 10


class ValueRepetitions:
    """The three value-repetition checks, from ``facts[VALUES]``.

    ``tables[kind]`` maps (amount as number, currency) to the ``(item_id, ocid)`` example of its only
    occurrence, or from the second on to a counted sample (``_common.counted``) of them, in first-seen
    order (ties go to the first seen). Most pairs occur once: a tuple is cheaper than a sample.
    """

    NAMES = tuple(NAMES[key] for key in ORDER)
    VERSION = VERSION

    def __init__(self, ctx: CheckContext) -> None:
        self.tables: dict[str, dict[tuple[float, Any], Any]] = {key: {} for key, _ in VALUE_KINDS}
        #: kind → (its table, its random generator)
        self._sinks = {
            key: (self.tables[key], rng_for(ctx.seed, NAMES[key]).random) for key, _ in VALUE_KINDS
        }

    def add_item(self, item_id: int, ocid: Any, facts: dict[str, Any]) -> None:
        """Count every (amount as number, currency) pair of the item; each NaN is a key of its own, as in
        Pelican."""
        values = facts.get(VALUES)
        if values is None:
            return
        example = (item_id, ocid)
        for key, entries in values.items():
            sink = self._sinks.get(key)
            if sink is None:
                continue
            table, random = sink
            for _, amount, currency in entries:
                kind = type(amount)
                if kind is int:  # within the 64-bit range (facts.py): float() cannot overflow
                    number = float(amount)
                elif kind is float:
                    number = amount
                else:
                    number = as_number(amount)
                    if number is None:
                        continue
                pair = (number, currency)
                entry = table.get(pair)
                if entry is None:  # most pairs occur once: their only example stands for them
                    table[pair] = example
                elif type(entry) is tuple:  # the second: a counted sample of both
                    table[pair] = [2, [entry, example], 2, 1.0]
                else:
                    n = entry[0]
                    end = entry[0] = n + 1
                    if end > entry[2]:
                        if end < EXAMPLES:  # filling up: keep it
                            entry[1].append(example)
                            entry[2] = end
                        else:
                            offer_run(entry, n, end, example, EXAMPLES, random)

    def results(self, lookup: Lookup | None = None) -> list[dict[str, Any]]:
        """The three rows, in Pelican's order (tender, awards, contracts)."""
        return [self._result(key) for key in ORDER]

    def _result(self, key: str) -> dict[str, Any]:
        name = NAMES[key]
        table = self.tables[key]
        if not table:
            return not_applicable(name, NO_ITEMS, VERSION)
        total = sum(1 if type(entry) is tuple else entry[0] for entry in table.values())
        # nlargest is stable: among equal counts the first-seen pair comes first.
        top = heapq.nlargest(5, table.items(), key=lambda kv: 1 if type(kv[1]) is tuple else kv[1][0])
        most_frequent = []
        for (amount, currency), entry in top:
            count, examples = (1, [entry]) if type(entry) is tuple else (entry[0], entry[1])
            most_frequent.append(
                {
                    "amount": amount,
                    "currency": currency,
                    "value_str": f"{amount} {currency}",
                    "share": count / total,
                    "count": count,
                    "examples": [item_example(e) for e in examples],
                }
            )
        share = sum(entry["count"] for entry in most_frequent[:3]) / total
        meta = {"most_frequent": most_frequent, "total_processed": total}
        return row(name, share < 0.1, 100 * share, meta, VERSION)
