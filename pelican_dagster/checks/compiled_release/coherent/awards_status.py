"""``coherent.awards_status``: an inactive award has no contract (docs/checks.md §2.1)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pelican_dagster.checks.compiled_release.occurrences import ItemPaths, trie_of
from pelican_dagster.checks.compiled_release.result import multiple
from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.primitives import as_text

if TYPE_CHECKING:
    from pelican_dagster.checks.compiled_release.item import CompiledRelease

NAME = "coherent.awards_status"

INACTIVE = frozenset({"pending", "cancelled", "unsuccessful"})

#: The paths this check walks.
TRIE = trie_of(("awards", "contracts.awardID"))


def check(
    item: dict[str, Any], ctx: CheckContext | None = None, view: CompiledRelease | None = None
) -> dict[str, Any]:
    """No ``contracts.awardID`` refers (as text) to a pending, cancelled or unsuccessful award."""
    paths = view.paths if view else ItemPaths(item, TRIE)
    candidates = [
        (path, award["id"])
        for path, award in paths.get("awards")
        if type(award) is dict
        and "id" in award
        and type(status := award.get("status")) is str
        and status in INACTIVE
    ]
    if not candidates:
        return multiple(0, 0, [], "no award with an id is inactive")
    # Nulls included: an award id null matches a contract awardID null (both "None").
    award_ids = {as_text(value) for _, value in paths.get("contracts.awardID")}
    failed = [
        {"path": path, "id": award_id} for path, award_id in candidates if as_text(award_id) in award_ids
    ]
    return multiple(len(candidates), len(candidates) - len(failed), failed, "no award with an id is inactive")
