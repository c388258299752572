"""``consistent.procuring_entity_name_in_parties`` (docs/checks.md §2.2).

Each procuring entity referenced at ``tender.procuringEntity`` has its party's ``name``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pelican_dagster.checks.compiled_release.consistent.name_in_parties import evaluate
from pelican_dagster.checks.compiled_release.parties import PartyFacts
from pelican_dagster.checks.context import CheckContext

if TYPE_CHECKING:
    from pelican_dagster.checks.compiled_release.item import CompiledRelease

NAME = "consistent.procuring_entity_name_in_parties"
PATH = "tender.procuringEntity"


def check(
    item: dict[str, Any], ctx: CheckContext | None = None, view: CompiledRelease | None = None
) -> dict[str, Any]:
    """Run the check on one compiled release (``view`` shares the party traversal between checks)."""
    return evaluate(view.parties if view else PartyFacts(item), PATH)
