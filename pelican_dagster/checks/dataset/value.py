"""Value distributions (docs/checks.md §3.3): is the money concentrated in the top 1 % of the values?

Stored names: ``distribution.tender_value``, ``distribution.awards_value``, ``distribution.contracts_value``.

Memory: the ranking needs every kept value, so each kept value costs 20 bytes (its USD amount truncated
to an integer, kept exactly as a double; its item id; its position among the item's values) in three
typed arrays. The ≤ 50 example records are rebuilt at the end from the facts of their items through the
``lookup`` the caller passes to :meth:`ValueDistributions.results`; without one they hold only
``item_id`` and ``abs_amount``.
"""

from __future__ import annotations

import math
from array import array
from typing import Any

from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.dataset._common import (
    FEWER_100,
    NO_ITEMS,
    SUM_ZERO,
    Lookup,
    not_applicable,
    row,
)
from pelican_dagster.checks.dataset.facts import DATE, VALUE_KINDS, VALUES
from pelican_dagster.checks.primitives import as_number, parse_date

__all__ = ["ValueDistributions"]

VERSION = 1.0
NAMES = {
    "t": "distribution.tender_value",
    "a": "distribution.awards_value",
    "c": "distribution.contracts_value",
}
#: Pelican's definition order of the three rows.
ORDER = ("c", "a", "t")
_UNKNOWN = object()
BANDS = ("0_1", "1_5", "5_20", "20_50", "50_100")


class _Kept:
    __slots__ = ("amounts", "item_ids", "ordinals")

    def __init__(self) -> None:
        self.amounts = array("d")
        self.item_ids = array("q")
        self.ordinals = array("I")


class ValueDistributions:
    """The three value distributions, from ``facts[VALUES]`` and ``facts[DATE]``."""

    NAMES = tuple(NAMES[key] for key in ORDER)
    VERSION = VERSION

    def __init__(self, ctx: CheckContext) -> None:
        self._rates = ctx.rates
        #: per kind: the USD amount (truncated), item id and ordinal in ``facts[VALUES][kind]`` of every
        #: kept value (non-negative amounts with a finite USD amount)
        self.kept = {key: _Kept() for key, _ in VALUE_KINDS}
        #: (currency, date) → :meth:`factor`
        self.factors: dict[tuple[Any, str | None], float | None] = {}

    def add_item(self, item_id: int, ocid: Any, facts: dict[str, Any]) -> None:
        """Keep the USD amount of every non-negative value of the item."""
        values = facts.get(VALUES)
        if values is None:
            return
        date = facts.get(DATE)
        factors = self.factors
        for key, entries in values.items():
            kept = self.kept.get(key)
            if kept is None:
                continue
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
                if not number >= 0:  # negative, or NaN
                    continue
                if currency == "USD":
                    usd = number
                else:
                    rate = factors.get((currency, date), _UNKNOWN)
                    if rate is _UNKNOWN:
                        rate = self.factor(currency, date)
                    if rate is None:
                        continue
                    usd = number * rate
                # NaN and infinities make Pelican's int() raise (§0.9): skip the value.
                if not math.isfinite(usd):
                    continue
                whole = math.trunc(usd)
                # A converted amount is currency.convert's round(number * rate, 6), whose integer part is
                # that of the product unless the product lies within 1e-6 of the next integer: round()
                # (slow) only then.
                if currency != "USD" and not -0.999 < usd - whole < 0.999:
                    whole = math.trunc(round(usd, 6))
                kept.amounts.append(float(whole))
                kept.item_ids.append(item_id)
                kept.ordinals.append(ordinal)

    def factor(self, currency: Any, date: str | None) -> float | None:
        """``rate(USD) / rate(currency)`` on the release ``date`` (``facts[DATE]``), or None where
        ``currency.convert`` gives None; memoised, since a dataset has few distinct (currency, date) pairs.

        ``round(number * factor, 6)`` is then exactly ``convert(number, currency, day, rates)``: this runs
        convert's steps without the amount (a test holds the two together).
        """
        key = (currency, date)
        try:
            return self.factors[key]
        except KeyError:
            pass
        factor = None
        rates = self._rates
        if rates is not None and type(currency) is str and rates.known(currency) and rates.known("USD"):
            day = parse_date(date) if date is not None else None
            if day is not None:
                from_rate = rates.rate(currency, day)
                usd_rate = rates.rate("USD", day)
                if from_rate is not None and usd_rate is not None and from_rate != 0:
                    factor = usd_rate / from_rate
        self.factors[key] = factor
        return factor

    def results(self, lookup: Lookup | None = None) -> list[dict[str, Any]]:
        """The three rows, in Pelican's order (contracts, awards, tender)."""
        rows = [self._result(key, lookup) for key in ORDER]
        return rows

    def _result(self, key: str, lookup: Lookup | None) -> dict[str, Any]:
        name = NAMES[key]
        kept = self.kept[key]
        count = len(kept.amounts)
        if count == 0:
            return not_applicable(name, NO_ITEMS, VERSION)
        if count < 100:
            return not_applicable(name, FEWER_100, VERSION)
        # Exact integer sums, as Pelican sums Python ints (the doubles hold integers exactly).
        ints = [int(a) for a in kept.amounts]
        total = sum(ints)
        if total == 0:
            return not_applicable(name, SUM_ZERO, VERSION)
        # Descending and stable: equal amounts keep the order in which they were read.
        order = sorted(range(count), key=kept.amounts.__getitem__, reverse=True)
        k = count // 100
        bounds = (0, k, 5 * k, 20 * k, 50 * k, count)
        sums, counts, picks = {}, {}, {}
        for band, start, end in zip(BANDS, bounds, bounds[1:], strict=False):
            sums[band] = sum(ints[i] for i in order[start:end])
            counts[band] = end - start
            picks[band] = order[start : min(end, start + 10)]
        examples = self._examples(key, kept, ints, picks, lookup)
        passed = sums["0_1"] <= total / 2
        meta = {
            "shares": {band: sums[band] / total for band in BANDS},
            "sums": sums,
            "counts": counts,
            "examples": examples,
            "sum": total,
        }
        return row(name, passed, 100 if passed else 0, meta, VERSION)

    @staticmethod
    def _examples(
        key: str, kept: _Kept, ints: list[int], picks: dict[str, list[int]], lookup: Lookup | None
    ) -> dict[str, list[dict[str, Any]]]:
        facts_by_id: Any = {}
        if lookup is not None:
            facts_by_id = lookup(sorted({kept.item_ids[i] for band in picks.values() for i in band}))
        out: dict[str, list[dict[str, Any]]] = {}
        for band, indexes in picks.items():
            records = []
            for i in indexes:
                item_id = kept.item_ids[i]
                record: dict[str, Any] = {"item_id": item_id, "abs_amount": ints[i]}
                facts = facts_by_id.get(item_id)
                if facts is not None:
                    path, amount, currency = facts[VALUES][key][kept.ordinals[i]]
                    record = {
                        "path": path,
                        "value": {"amount": amount, "currency": currency},
                        "item_id": item_id,
                        "ocid": facts.get("o"),
                        "abs_amount": ints[i],
                    }
                records.append(record)
            out[band] = records
        return out
