"""``coherent.period``: no period starts after it ends (docs/checks.md §2.1)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pelican_dagster.checks.compiled_release.dates import SAME_ELEMENT, Rule, evaluate, rules_trie
from pelican_dagster.checks.compiled_release.occurrences import ItemPaths
from pelican_dagster.checks.context import CheckContext

if TYPE_CHECKING:
    from pelican_dagster.checks.compiled_release.item import CompiledRelease

NAME = "coherent.period"

RULES: tuple[Rule, ...] = (
    ("tender.tenderPeriod.startDate", "tender.tenderPeriod.endDate", None),
    ("tender.enquiryPeriod.startDate", "tender.enquiryPeriod.endDate", None),
    ("tender.awardPeriod.startDate", "tender.awardPeriod.endDate", None),
    ("tender.contractPeriod.startDate", "tender.contractPeriod.endDate", None),
    ("awards.contractPeriod.startDate", "awards.contractPeriod.endDate", SAME_ELEMENT),
    ("contracts.period.startDate", "contracts.period.endDate", SAME_ELEMENT),
)

#: The paths this check walks (all dated).
TRIE = rules_trie(RULES)


def check(
    item: dict[str, Any], ctx: CheckContext | None = None, view: CompiledRelease | None = None
) -> dict[str, Any]:
    """Each period's start date is not after its end date."""
    return evaluate(item, RULES, view.paths if view else ItemPaths(item, TRIE))
