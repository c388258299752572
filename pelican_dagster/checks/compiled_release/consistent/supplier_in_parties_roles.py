"""``consistent.supplier_in_parties_roles`` (docs/checks.md §2.2).

Each supplier referenced at ``awards.suppliers`` has the role ``supplier``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pelican_dagster.checks.compiled_release.consistent.in_parties_roles import evaluate
from pelican_dagster.checks.compiled_release.parties import PartyFacts
from pelican_dagster.checks.context import CheckContext

if TYPE_CHECKING:
    from pelican_dagster.checks.compiled_release.item import CompiledRelease

NAME = "consistent.supplier_in_parties_roles"
PATH = "awards.suppliers"
ROLE = "supplier"


def check(
    item: dict[str, Any], ctx: CheckContext | None = None, view: CompiledRelease | None = None
) -> dict[str, Any]:
    """Run the check on one compiled release (``view`` shares the party traversal between checks)."""
    return evaluate(view.parties if view else PartyFacts(item), PATH, ROLE)
