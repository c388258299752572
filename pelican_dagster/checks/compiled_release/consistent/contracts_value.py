"""``consistent.contracts_value``: each award's value is within 50 %–150 % of the sum of its contracts.

Multiple applications (docs/checks.md §2.2). An award is tested only when its id, as text, is unique among
the awards and some contract's ``awardID`` (as text) equals it. Amounts are converted to USD on the
release date (parse_datetime, then its written date) only when the award and its contracts use more
than one currency. The award is skipped when a currency is missing (or an object or array, on which
Pelican raises, docs/checks.md §0.9), or an amount is non-numeric, zero, unconvertible or of the opposite
sign to the award's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pelican_dagster.checks.compiled_release.consistent.value_sums import (
    amount_in_usd_if,
    conversion_needed,
    value_of,
)
from pelican_dagster.checks.compiled_release.result import multiple, not_applicable
from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.primitives import as_text, parse_datetime

if TYPE_CHECKING:
    from pelican_dagster.checks.compiled_release.item import CompiledRelease

NAME = "consistent.contracts_value"
NA_REASON = "no award-contracts pairs have numeric, non-zero, same-sign, convertable amounts"


def check(
    item: dict[str, Any], ctx: CheckContext | None = None, view: CompiledRelease | None = None
) -> dict[str, Any]:
    """Run the check on one compiled release."""
    awards = item.get("awards")
    awards = [a for a in awards if type(a) is dict and "id" in a] if type(awards) is list else []
    if not awards:
        return not_applicable("no award has an id")
    contracts = item.get("contracts")
    if type(contracts) is list:
        contracts = [c for c in contracts if type(c) is dict and "awardID" in c]
    else:
        contracts = []
    if not contracts:
        return not_applicable("no contract has an awardID")

    rates = ctx.rates
    date: Any = None  # parsed on first need: most awards use one currency
    id_counts: dict[str, int] = {}
    for award in awards:
        text = as_text(award["id"])
        id_counts[text] = id_counts.get(text, 0) + 1
    by_award: dict[str, list[dict[str, Any]]] = {}
    for contract in contracts:
        by_award.setdefault(as_text(contract["awardID"]), []).append(contract)

    tested = passed = 0
    failed: list[dict[str, Any]] = []
    for award in awards:
        award_id = as_text(award["id"])
        if id_counts[award_id] != 1:
            continue
        matches = by_award.get(award_id)
        if not matches:
            continue
        currency, amount = value_of(award)
        values = [value_of(c) for c in matches]
        currencies = [currency, *(c for c, _ in values)]
        convert_needed = conversion_needed(currencies)
        if convert_needed is None:
            continue
        if convert_needed:
            if rates is None:
                continue
            if date is None:
                date = parse_datetime(item.get("date")) or False
        award_amount = amount_in_usd_if(amount, currency, convert_needed, date, rates)
        if award_amount is None or award_amount == 0:
            continue
        total: float = 0
        for contract_currency, contract_amount in values:
            contract_amount = amount_in_usd_if(
                contract_amount, contract_currency, convert_needed, date, rates
            )
            if contract_amount is None or contract_amount == 0:
                break
            if (contract_amount > 0 and award_amount < 0) or (contract_amount < 0 and award_amount > 0):
                break
            total += contract_amount
        else:
            tested += 1
            if abs(award_amount - total) / abs(award_amount) <= 0.5:
                passed += 1
            else:
                failed.append(
                    {
                        "award_id": award["id"],
                        "award_amount": award_amount,
                        "contracts_amount_sum": total,
                        "currency": "USD" if convert_needed else currency,
                    }
                )
    return multiple(tested, passed, failed, NA_REASON)
