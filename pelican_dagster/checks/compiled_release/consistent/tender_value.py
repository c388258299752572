"""``consistent.tender_value``: the planning budget is within 50 %–150 % of the tender value (§2.2).

Single application. When the two currencies differ, both amounts are converted to USD on the release
date (parse_date, docs/checks.md §0.6). Zero, unconvertible and opposite-sign amounts make the check not
applicable; a NaN amount passes those filters and fails the test, as in Pelican (docs/checks.md §0.1).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pelican_dagster.checks.compiled_release.result import not_applicable, single
from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.currency import convert
from pelican_dagster.checks.primitives import as_number, parse_date

if TYPE_CHECKING:
    from pelican_dagster.checks.compiled_release.item import CompiledRelease

NAME = "consistent.tender_value"


def _object(node: Any, key: str) -> Any:
    return node.get(key) if type(node) is dict else None


def check(
    item: dict[str, Any], ctx: CheckContext | None = None, view: CompiledRelease | None = None
) -> dict[str, Any]:
    """Run the check on one compiled release."""
    tender_value = _object(item.get("tender"), "value")
    budget_amount = _object(_object(item.get("planning"), "budget"), "amount")
    tender_currency = _object(tender_value, "currency")
    budget_currency = _object(budget_amount, "currency")
    if tender_currency is None or budget_currency is None:
        return not_applicable("a currency is missing")
    tender = as_number(_object(tender_value, "amount"))
    budget = as_number(_object(budget_amount, "amount"))
    if tender is None or budget is None:
        return not_applicable("an amount is missing or non-numeric")
    if tender_currency != budget_currency:
        rates = ctx.rates
        if rates is None:
            return not_applicable("an amount is zero or unconvertable")
        day = parse_date(item.get("date"))
        tender = convert(tender, tender_currency, day, rates)
        budget = convert(budget, budget_currency, day, rates)
    if tender is None or budget is None or tender == 0 or budget == 0:
        return not_applicable("an amount is zero or unconvertable")
    if (tender > 0 and budget < 0) or (tender < 0 and budget > 0):
        return not_applicable("the amounts have different signs")
    if abs(tender - budget) / abs(tender) <= 0.5:
        return single(True)
    return single(False, {"tender.value": tender_value, "planning.budget.amount": budget_amount})
