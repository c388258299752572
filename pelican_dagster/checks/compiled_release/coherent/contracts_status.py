"""``coherent.contracts_status``: an unsigned contract has no transactions (docs/checks.md §2.1)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pelican_dagster.checks.compiled_release.occurrences import ItemPaths, trie_of
from pelican_dagster.checks.compiled_release.result import multiple
from pelican_dagster.checks.context import CheckContext

if TYPE_CHECKING:
    from pelican_dagster.checks.compiled_release.item import CompiledRelease

NAME = "coherent.contracts_status"

UNSIGNED = frozenset({"pending", "cancelled"})

#: The paths this check walks.
TRIE = trie_of(("contracts",))


def check(
    item: dict[str, Any], ctx: CheckContext | None = None, view: CompiledRelease | None = None
) -> dict[str, Any]:
    """A pending or cancelled contract has no ``implementation.transactions`` entries."""
    paths = view.paths if view else ItemPaths(item, TRIE)
    application_count = 0
    failed = []
    for path, contract in paths.get("contracts"):
        if type(contract) is not dict:
            continue
        status = contract.get("status")
        if type(status) is not str or status not in UNSIGNED:
            continue
        application_count += 1
        implementation = contract.get("implementation")
        transactions = implementation.get("transactions") if type(implementation) is dict else None
        count = len(transactions) if type(transactions) is list else 0
        if count:
            failed.append({"path": path, "transactions_count": count})
    return multiple(application_count, application_count - len(failed), failed, "no contract is unsigned")
