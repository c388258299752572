"""The 37 compiled-release-level checks (docs/checks.md §2): registry and per-item runner.

``CHECK_NAMES`` lists them in the order of docs/checks.md (12 coherent, 18 consistent, 7 reference);
``CHECKS`` maps each name to its function. Every check has one signature,
``check(item, ctx=None, view=None) -> result`` (:mod:`.item`): :func:`check_item` builds one
:class:`~.item.CompiledRelease` view per item, which walks the item once along every path the checks
read (:data:`TRIE`) and shares its parties and party references between the 19 checks that read them,
and calls every check with it in a plain loop;
:func:`to_pelican` wraps the results in Pelican's stored shape (docs/report-shapes.md §2).
The hot-path machinery (traversals, memos, samplers) is mapped in docs/hot-path.md.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pelican_dagster.checks.compiled_release import coherent, consistent, reference
from pelican_dagster.checks.compiled_release.consistent import (
    contracts_implementation_transactions_value,
    period_duration_in_days,
)
from pelican_dagster.checks.compiled_release.item import CompiledRelease
from pelican_dagster.checks.compiled_release.occurrences import PathTrie
from pelican_dagster.checks.compiled_release.parties import REFERENCE_PATHS
from pelican_dagster.checks.compiled_release.reference import contract_in_awards
from pelican_dagster.checks.context import CheckContext

__all__ = ["CHECKS", "CHECK_NAMES", "PATH_CHECKS", "TRIE", "check_item", "to_pelican"]

CheckFunction = Callable[..., dict[str, Any]]

#: Every compiled-release-level check name, in the order of docs/checks.md §2.1–§2.3.
CHECK_NAMES: tuple[str, ...] = (
    "coherent.period",
    "coherent.dates",
    "coherent.amendments_dates",
    "coherent.documents_dates",
    "coherent.milestones_dates",
    "coherent.release_date",
    "coherent.procurement_method_vs_number_of_tenderers",
    "coherent.tender_status",
    "coherent.awards_status",
    "coherent.contracts_status",
    "coherent.milestone_status",
    "coherent.value_realistic",
    "consistent.number_of_tenderers",
    "consistent.tender_value",
    "consistent.contracts_value",
    "consistent.contracts_implementation_transactions_value",
    "consistent.parties_roles",
    "consistent.supplier_in_parties_roles",
    "consistent.tenderer_in_parties_roles",
    "consistent.buyer_in_parties_roles",
    "consistent.procuring_entity_in_parties_roles",
    "consistent.payer_in_parties_roles",
    "consistent.payee_in_parties_roles",
    "consistent.supplier_name_in_parties",
    "consistent.tenderer_name_in_parties",
    "consistent.buyer_name_in_parties",
    "consistent.procuring_entity_name_in_parties",
    "consistent.payer_name_in_parties",
    "consistent.payee_name_in_parties",
    "consistent.period_duration_in_days",
    "reference.supplier_in_parties",
    "reference.tenderer_in_parties",
    "reference.buyer_in_parties",
    "reference.procuring_entity_in_parties",
    "reference.payer_in_parties",
    "reference.payee_in_parties",
    "reference.contract_in_awards",
)

_ALL: dict[str, CheckFunction] = {
    **getattr(coherent, "CHECKS", {}),
    **consistent.CHECKS,
    **reference.CHECKS,
}

#: Check name → ``check(item, ctx) -> result``, in ``CHECK_NAMES`` order.
CHECKS: dict[str, CheckFunction] = {name: _ALL[name] for name in CHECK_NAMES if name in _ALL}

# Outside coherent/, the checks that read the shared occurrences too.
_PATH_MODULES = (
    contracts_implementation_transactions_value,
    period_duration_in_days,
    contract_in_awards,
)

#: The checks that read :attr:`CompiledRelease.paths` (the others read its parties, or neither).
PATH_CHECKS: frozenset[str] = coherent.PATH_CHECKS | frozenset(m.NAME for m in _PATH_MODULES)

#: Every path check_item collects in its one traversal of an item: those of :data:`PATH_CHECKS`, and
#: the parties and party references that :class:`PartyFacts` reads.
TRIE = PathTrie(
    [
        *coherent.TRIE.paths,
        *(path for module in _PATH_MODULES for path in module.TRIE.paths),
        "parties",
        *REFERENCE_PATHS.values(),
    ],
    coherent.TRIE.dated,
)

# Precomputed once: the runner loops over a plain tuple.
_RUN: tuple[tuple[str, CheckFunction], ...] = tuple(CHECKS.items())


def check_item(item: dict[str, Any], ctx: CheckContext) -> dict[str, dict[str, Any]]:
    """All compiled-release-level results of one item, keyed by check name in ``CHECK_NAMES`` order:
    every check called as ``check(item, ctx, view)`` with one shared :class:`CompiledRelease`."""
    view = CompiledRelease(item, TRIE)
    return {name: check(item, ctx, view) for name, check in _RUN}


def to_pelican(results: dict[str, dict[str, Any]], ocid: Any, item_id: Any) -> dict[str, Any]:
    """Pelican's stored per-item shape: ``{"meta": {"ocid", "item_id"}, "checks": {...}}``."""
    return {"meta": {"ocid": ocid, "item_id": item_id}, "checks": results}
