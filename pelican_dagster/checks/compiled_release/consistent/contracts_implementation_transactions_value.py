"""``consistent.contracts_implementation_transactions_value``: transactions do not exceed their contract.

Multiple applications (docs/checks.md §2.2): for each contract occurrence with transactions, the sum of the
transaction amounts must not exceed the contract amount. Amounts are converted to USD on the release date
(parse_datetime, then its written date) only when more than one currency is involved; zero and negative
amounts are allowed. A contract is skipped when a currency is missing (or an object or array, on which
Pelican raises, docs/checks.md §0.9) or an amount is non-numeric or unconvertible.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pelican_dagster.checks.compiled_release.consistent.value_sums import (
    amount_in_usd_if,
    conversion_needed,
    value_of,
)
from pelican_dagster.checks.compiled_release.occurrences import trie_of
from pelican_dagster.checks.compiled_release.result import multiple, not_applicable
from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.primitives import parse_datetime, values_at_path

if TYPE_CHECKING:
    from pelican_dagster.checks.compiled_release.item import CompiledRelease

NAME = "consistent.contracts_implementation_transactions_value"
NA_REASON = "no numeric, convertable amounts"

_TRANSACTIONS = ("implementation", "transactions")


#: The paths this check reads.
TRIE = trie_of(("contracts",))


def check(
    item: dict[str, Any], ctx: CheckContext | None = None, view: CompiledRelease | None = None
) -> dict[str, Any]:
    """Run the check on one compiled release (``view``: the item's shared occurrences, if any)."""
    paths = view.paths if view else None
    if paths is not None:
        contracts = paths.get("contracts")
    elif "contracts" not in item:
        return not_applicable("no contract is set")
    else:
        contracts = values_at_path(item, ("contracts",))
    if not contracts:
        return not_applicable("no contract is set")

    rates = ctx.rates
    date: Any = None  # parsed on first need: most contracts use one currency
    tested = passed = 0
    failed: list[dict[str, Any]] = []
    for path, contract in contracts:
        if type(contract) is not dict or "implementation" not in contract:
            continue
        transactions = values_at_path(contract, _TRANSACTIONS)
        if not transactions:
            continue
        currency, amount = value_of(contract)
        values = [value_of(t) for _, t in transactions]
        currencies = [currency, *(c for c, _ in values)]
        convert_needed = conversion_needed(currencies)
        if convert_needed is None:
            continue
        if convert_needed:
            if rates is None:
                continue
            if date is None:
                date = parse_datetime(item.get("date")) or False
        contract_amount = amount_in_usd_if(amount, currency, convert_needed, date, rates)
        if contract_amount is None:
            continue
        total: float = 0
        for transaction_currency, transaction_amount in values:
            transaction_amount = amount_in_usd_if(
                transaction_amount, transaction_currency, convert_needed, date, rates
            )
            if transaction_amount is None:
                break
            total += transaction_amount
        else:
            tested += 1
            if total <= contract_amount:
                passed += 1
            else:
                failed.append(
                    {
                        "path": path,
                        "contract_amount": contract_amount,
                        "transactions_amount_sum": total,
                        "currency": "USD" if convert_needed else currency,
                    }
                )
    return multiple(tested, passed, failed, NA_REASON)
