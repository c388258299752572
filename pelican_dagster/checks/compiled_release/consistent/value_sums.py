"""What ``consistent.contracts_value`` and ``consistent.contracts_implementation_transactions_value``
share: reading a value object, and deciding from the currencies involved whether amounts need
converting to USD before they are compared (docs/checks.md §2.2, §0.6)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pelican_dagster.checks.currency import convert
from pelican_dagster.checks.primitives import as_number

__all__ = ["amount_in_usd_if", "conversion_needed", "value_of"]


def value_of(node: Any) -> tuple[Any, Any]:
    """``(value.currency, value.amount)`` of an award, contract or transaction; None where unset."""
    value = node.get("value") if type(node) is dict else None
    if type(value) is not dict:
        return None, None
    return value.get("currency"), value.get("amount")


def conversion_needed(currencies: list[Any]) -> bool | None:
    """True when the currencies differ (amounts are then converted), False when they are all the same
    (amounts compare as they are, even in an unknown currency); None when one is missing, or an object
    or array (where Pelican raises, docs/checks.md §0.9): the caller skips that award or contract."""
    if any(c is None or type(c) is dict or type(c) is list for c in currencies):
        return None
    return len(set(currencies)) > 1


def amount_in_usd_if(
    amount: Any, currency: Any, convert_needed: bool, day: dt.date | dt.datetime | None, rates: Any
) -> float | None:
    """The amount as a number (§0.1), converted to USD only when ``convert_needed`` (the value checks
    compare amounts as they are when every currency involved is the same, even an unknown one, §0.6);
    None when it is not numeric or cannot be converted."""
    number = as_number(amount)
    if number is None or not convert_needed:
        return number
    return convert(number, currency, day or None, rates)
