"""One pass over an item's value objects (``facts["v"]``) feeding both value families.

``distribution.*_value`` (``value.py``) and ``distribution.*_value_repetition`` (``value_repetition.py``)
read the same occurrences with the same filters (a non-null currency, an amount that is a number), so
they share one loop: on large datasets this loop is a good part of the dataset step.
"""

from __future__ import annotations

from typing import Any

from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.dataset._common import counted, start, step
from pelican_dagster.checks.dataset.value import ValueDistributions
from pelican_dagster.checks.dataset.value_repetition import ValueRepetitions
from pelican_dagster.checks.primitives import as_number

__all__ = ["ValuePass"]

_EXAMPLES = 10  # value repetition: examples per (amount, currency)


class ValuePass:
    """Holds both value families and feeds them."""

    def __init__(self, ctx: CheckContext) -> None:
        self.distributions = ValueDistributions(ctx)
        self.repetitions = ValueRepetitions(ctx)
        self._by_key = {
            key: (table, self.repetitions.randoms[key]) for key, table in self.repetitions.tables.items()
        }

    def add(self, item_id: int, ocid: Any, values: dict[str, list[list[Any]]], date: str | None) -> None:
        """Count every value object of one item (repetition) and keep its USD amount (distribution)."""
        example = (item_id, ocid)
        keep = self.distributions.keep
        day: Any = False  # parsed on first need: most values are in one currency, often USD
        for key, entries in values.items():
            pair = self._by_key.get(key)
            if pair is None:
                continue
            table, random = pair
            for ordinal, (_, amount, currency) in enumerate(entries):
                kind = type(amount)
                if kind is float:
                    number = amount
                elif kind is int:  # within the 64-bit range (facts.py), so float() cannot overflow
                    number = float(amount)
                else:
                    number = as_number(amount)
                    if number is None:
                        continue

                # Repetition: key (amount as number, currency); a NaN is a new object each time, so each
                # NaN occurrence is a key of its own, as in Pelican.
                pair_key = (number, currency)
                entry = table.get(pair_key)
                if entry is None:
                    table[pair_key] = [*counted(example), number, currency]
                else:
                    n = entry[0]  # _common.add_counted, inlined
                    entry[0] = n + 1
                    if n < _EXAMPLES:
                        entry[1].append(example)
                        if n == _EXAMPLES - 1:
                            start(entry, _EXAMPLES, random)
                    elif n == entry[2]:
                        step(entry, example, _EXAMPLES, random)

                # Distribution: non-negative amounts, in USD.
                if number >= 0 or number != number:
                    if day is False and currency != "USD":
                        day = self.distributions.day(date)
                    keep(key, item_id, ordinal, number, currency, day)
