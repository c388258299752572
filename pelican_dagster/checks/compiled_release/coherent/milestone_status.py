"""``coherent.milestone_status``: an unmet milestone has no dateMet (docs/checks.md §2.1)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pelican_dagster.checks.compiled_release.occurrences import ItemPaths, trie_of
from pelican_dagster.checks.compiled_release.result import multiple
from pelican_dagster.checks.context import CheckContext

if TYPE_CHECKING:
    from pelican_dagster.checks.compiled_release.item import CompiledRelease

NAME = "coherent.milestone_status"

# Awards milestones are not included, as in Pelican.
PATHS = (
    "planning.milestones",
    "tender.milestones",
    "contracts.milestones",
    "contracts.implementation.milestones",
)
UNMET = frozenset({"scheduled", "notMet"})

#: The paths this check walks.
TRIE = trie_of(PATHS)


def check(
    item: dict[str, Any], ctx: CheckContext | None = None, view: CompiledRelease | None = None
) -> dict[str, Any]:
    """A scheduled or notMet milestone has a falsy ``dateMet``."""
    paths = view.paths if view else ItemPaths(item, TRIE)
    application_count = 0
    failed = []
    for milestones_path in PATHS:
        for path, milestone in paths.get(milestones_path):
            if type(milestone) is not dict:
                continue
            status = milestone.get("status")
            if type(status) is not str or status not in UNMET:
                continue
            application_count += 1
            if milestone.get("dateMet"):
                failed.append({"path": path, "status": status})
    return multiple(application_count, application_count - len(failed), failed, "no milestone is unmet")
