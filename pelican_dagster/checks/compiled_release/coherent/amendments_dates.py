"""``coherent.amendments_dates``: amendments come after what they amend and before the release (§2.1)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pelican_dagster.checks.compiled_release.dates import SAME_ELEMENT, Rule, evaluate, rules_trie
from pelican_dagster.checks.compiled_release.occurrences import ItemPaths
from pelican_dagster.checks.context import CheckContext

if TYPE_CHECKING:
    from pelican_dagster.checks.compiled_release.item import CompiledRelease

NAME = "coherent.amendments_dates"

# Only the plural `amendments` arrays; the tender rule uses the tender period's *start* date, as Pelican.
RULES: tuple[Rule, ...] = (
    ("tender.tenderPeriod.startDate", "tender.amendments.date", None),
    ("awards.date", "awards.amendments.date", SAME_ELEMENT),
    ("contracts.dateSigned", "contracts.amendments.date", SAME_ELEMENT),
    ("tender.amendments.date", "date", None),
    ("awards.amendments.date", "date", None),
    ("contracts.amendments.date", "date", None),
)

#: The paths this check walks (all dated).
TRIE = rules_trie(RULES)


def check(
    item: dict[str, Any], ctx: CheckContext | None = None, view: CompiledRelease | None = None
) -> dict[str, Any]:
    """Amendment dates are not before the tender start / award date / signature, nor after the release."""
    return evaluate(item, RULES, view.paths if view else ItemPaths(item, TRIE))
