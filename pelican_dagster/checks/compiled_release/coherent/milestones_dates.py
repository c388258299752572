"""``coherent.milestones_dates``: milestone dates are not after the release date (docs/checks.md §2.1)."""

from __future__ import annotations

from typing import Any

from pelican_dagster.checks.compiled_release.dates import Rule, evaluate, rules_trie
from pelican_dagster.checks.compiled_release.occurrences import ItemPaths
from pelican_dagster.checks.context import CheckContext

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
    item: dict[str, Any], ctx: CheckContext | None = None, paths: ItemPaths | None = None
) -> dict[str, Any]:
    """Every milestone dateModified and dateMet ≤ the release date."""
    return evaluate(item, RULES, ItemPaths(item, TRIE) if paths is None else paths)
