"""``coherent.documents_dates``: documents are published before modified, both before the release (§2.1)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pelican_dagster.checks.compiled_release.dates import SAME_OBJECT, Rule, evaluate, rules_trie
from pelican_dagster.checks.compiled_release.occurrences import ItemPaths
from pelican_dagster.checks.context import CheckContext

if TYPE_CHECKING:
    from pelican_dagster.checks.compiled_release.item import CompiledRelease

NAME = "coherent.documents_dates"

# `contracts.documents` excludes implementation documents; milestone documents are not covered.
PREFIXES = ("planning", "tender", "awards", "contracts", "contracts.implementation")

RULES: tuple[Rule, ...] = tuple(
    rule
    for prefix in PREFIXES
    for rule in (
        (f"{prefix}.documents.datePublished", f"{prefix}.documents.dateModified", SAME_OBJECT),
        (f"{prefix}.documents.datePublished", "date", None),
        (f"{prefix}.documents.dateModified", "date", None),
    )
)

#: The paths this check walks (all dated).
TRIE = rules_trie(RULES)


def check(
    item: dict[str, Any], ctx: CheckContext | None = None, view: CompiledRelease | None = None
) -> dict[str, Any]:
    """Each document's datePublished ≤ its dateModified; both ≤ the release date."""
    return evaluate(item, RULES, view.paths if view else ItemPaths(item, TRIE))
