"""``coherent.release_date``: no date in the release is after the release date (docs/checks.md §2.1)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pelican_dagster.checks.compiled_release.coherent.milestones_dates import MILESTONE_DATE_PATHS
from pelican_dagster.checks.compiled_release.dates import Rule, evaluate, rules_trie
from pelican_dagster.checks.compiled_release.occurrences import ItemPaths
from pelican_dagster.checks.context import CheckContext

if TYPE_CHECKING:
    from pelican_dagster.checks.compiled_release.item import CompiledRelease

NAME = "coherent.release_date"

_PATHS = (
    "tender.amendments.date",
    "awards.amendments.date",
    "contracts.amendments.date",
    "awards.date",
    "contracts.dateSigned",
    "contracts.implementation.transactions.date",
    *MILESTONE_DATE_PATHS,
    *(
        f"{prefix}.documents.{field}"
        for prefix in ("planning", "tender", "awards", "contracts", "contracts.implementation")
        for field in ("datePublished", "dateModified")
    ),
)

RULES: tuple[Rule, ...] = tuple((path, "date", None) for path in _PATHS)

#: The paths this check walks (all dated).
TRIE = rules_trie(RULES)


def check(
    item: dict[str, Any], ctx: CheckContext | None = None, view: CompiledRelease | None = None
) -> dict[str, Any]:
    """Amendment, award, signature, transaction, milestone and document dates ≤ the release date."""
    return evaluate(item, RULES, view.paths if view else ItemPaths(item, TRIE))
