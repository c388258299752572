"""The 37 compiled-release-level checks (docs/checks.md §2): registry and per-item runner.

``CHECK_NAMES`` lists them in the order of docs/checks.md (12 coherent, 18 consistent, 7 reference);
``CHECKS`` maps each name to its ``check(item, ctx) -> result`` function; :func:`check_item` runs them
all on one item, walking it once along every path the checks read (:data:`TRIE`, an
:class:`~.occurrences.ItemPaths` passed to the checks of :data:`PATH_CHECKS`) and sharing its parties
and party references between the 19 checks that read them (a :class:`~.parties.PartyFacts`);
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
from pelican_dagster.checks.compiled_release.occurrences import ItemPaths, PathTrie
from pelican_dagster.checks.compiled_release.parties import REFERENCE_PATHS, PartyFacts
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

_PARTY_CHECKS = consistent.PARTY_CHECKS | reference.PARTY_CHECKS
# Precomputed once: the runner walks plain tuples instead of testing membership per item.
_PLAN: tuple[tuple[str, CheckFunction, bool], ...] = tuple(
    (name, function, name in _PARTY_CHECKS) for name, function in CHECKS.items()
)


# Outside coherent/, the checks that can read the shared occurrences too.
_PATH_MODULES = (
    contracts_implementation_transactions_value,
    period_duration_in_days,
    contract_in_awards,
)

#: The checks that accept an :class:`ItemPaths` built on :data:`TRIE` as third argument.
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

_NONE, _PARTIES, _PATHS = 0, 1, 2
# What check_item passes each check as third argument: nothing, the PartyFacts or the ItemPaths.
_RUN: tuple[tuple[str, CheckFunction, int], ...] = tuple(
    (name, function, _PARTIES if shares else _PATHS if name in PATH_CHECKS else _NONE)
    for name, function, shares in _PLAN
)


def check_item(item: dict[str, Any], ctx: CheckContext) -> dict[str, dict[str, Any]]:
    """All compiled-release-level results of one item, keyed by check name in ``CHECK_NAMES`` order."""
    paths = ItemPaths(item, TRIE)
    shared = (None, PartyFacts(item, paths), paths)  # indexed by _PARTIES / _PATHS
    return {
        name: function(item, ctx, shared[kind]) if kind else function(item, ctx)
        for name, function, kind in _RUN
    }


def to_pelican(results: dict[str, dict[str, Any]], ocid: Any, item_id: Any) -> dict[str, Any]:
    """Pelican's stored per-item shape: ``{"meta": {"ocid", "item_id"}, "checks": {...}}``."""
    return {"meta": {"ocid": ocid, "item_id": item_id}, "checks": results}
