"""``coherent.value_realistic``: every amount is within ±5 billion USD (docs/checks.md §2.1)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pelican_dagster.checks.compiled_release.occurrences import ItemPaths, date_of, trie_of
from pelican_dagster.checks.compiled_release.result import multiple
from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.currency import convert
from pelican_dagster.checks.primitives import as_number

if TYPE_CHECKING:
    from pelican_dagster.checks.compiled_release.item import CompiledRelease

NAME = "coherent.value_realistic"

PATHS = (
    "tender.value",
    "tender.minValue",
    "awards.value",
    "contracts.value",
    "planning.budget.amount",
    "contracts.implementation.transactions.value",
)
LIMIT = 5.0e9

_UNSET = object()

#: The paths this check walks.
TRIE = trie_of(PATHS)


def check(
    item: dict[str, Any], ctx: CheckContext | None = None, view: CompiledRelease | None = None
) -> dict[str, Any]:
    """Each numeric amount, in USD or converted to USD on the release date, is within ±5e9 inclusive.

    Non-numeric amounts and unconvertible values (unknown currency, no release date, no rate) are
    skipped; a NaN amount fails.
    """
    paths = view.paths if view else ItemPaths(item, TRIE)
    application_count = 0
    failed = []
    release_date: Any = _UNSET
    for value_path in PATHS:
        for path, value in paths.get(value_path):
            if type(value) is not dict:
                continue
            amount = as_number(value.get("amount"))
            if amount is None:
                continue
            currency = value.get("currency")
            if type(currency) is str and currency == "USD":
                usd = amount
            else:
                if ctx.rates is None:
                    continue
                if release_date is _UNSET:
                    # parse_date, memoised.
                    release_date = date_of(item.get("date"))
                if release_date is None:
                    continue
                usd = convert(amount, currency, release_date, ctx.rates)
                if usd is None:
                    continue
            application_count += 1
            if not -LIMIT <= usd <= LIMIT:
                failed.append({"path": path, "amount": amount, "currency": currency})
    return multiple(
        application_count, application_count - len(failed), failed, "no numeric, convertable amounts"
    )
