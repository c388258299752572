"""The 12 coherence checks (docs/checks.md §2.1), one module per check, named as stored without the prefix.

``CHECKS`` maps each stored name (``coherent.period`` …) to its ``check(item, ctx) -> result`` function,
in the spec's order. The ten checks in ``PATH_CHECKS`` read paths through an
:class:`~..occurrences.ItemPaths` and accept one as a third argument: ``ItemPaths(item, TRIE)`` walks
the item once for all of them (without it, each check walks its own paths).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pelican_dagster.checks.compiled_release.coherent import (
    amendments_dates,
    awards_status,
    contracts_status,
    dates,
    documents_dates,
    milestone_status,
    milestones_dates,
    period,
    procurement_method_vs_number_of_tenderers,
    release_date,
    tender_status,
    value_realistic,
)
from pelican_dagster.checks.compiled_release.occurrences import PathTrie

__all__ = ["CHECKS", "PATH_CHECKS", "TRIE"]

_MODULES = (
    period,
    dates,
    amendments_dates,
    documents_dates,
    milestones_dates,
    release_date,
    procurement_method_vs_number_of_tenderers,
    tender_status,
    awards_status,
    contracts_status,
    milestone_status,
    value_realistic,
)

CHECKS: dict[str, Callable[..., dict[str, Any]]] = {module.NAME: module.check for module in _MODULES}

_PATH_MODULES = tuple(module for module in _MODULES if hasattr(module, "TRIE"))

#: The checks that take an ``ItemPaths`` built on :data:`TRIE` as third argument.
PATH_CHECKS: frozenset[str] = frozenset(module.NAME for module in _PATH_MODULES)

#: Every path the checks of :data:`PATH_CHECKS` read, each dated where one of them needs it dated.
TRIE = PathTrie(
    [path for module in _PATH_MODULES for path in module.TRIE.paths],
    [path for module in _PATH_MODULES for path in module.TRIE.dated],
)
