"""``coherent.milestones_dates``: milestone dates are not after the release date (docs/checks.md §2.1)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pelican_dagster.checks.compiled_release.dates import Rule, evaluate, rules_trie
from pelican_dagster.checks.compiled_release.occurrences import ItemPaths
from pelican_dagster.checks.context import CheckContext

if TYPE_CHECKING:
    from pelican_dagster.checks.compiled_release.item import CompiledRelease

NAME = "coherent.milestones_dates"

#: Milestone date paths, in Pelican's order (awards milestones are not covered).
MILESTONE_DATE_PATHS = tuple(
    f"{prefix}.milestones.{field}"
    for prefix in ("planning", "tender", "contracts", "contracts.implementation")
    for field in ("dateModified", "dateMet")
)

RULES: tuple[Rule, ...] = tuple((path, "date", None) for path in MILESTONE_DATE_PATHS)

#: The paths this check walks (all dated).
TRIE = rules_trie(RULES)


def check(
    item: dict[str, Any], ctx: CheckContext | None = None, view: CompiledRelease | None = None
) -> dict[str, Any]:
    """Every milestone dateModified and dateMet ≤ the release date."""
    return evaluate(item, RULES, view.paths if view else ItemPaths(item, TRIE))
