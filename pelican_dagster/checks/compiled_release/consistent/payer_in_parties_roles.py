"""``consistent.payer_in_parties_roles`` (docs/checks.md §2.2).

Each payer referenced at ``contracts.implementation.transactions.payer`` has the role ``payer``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pelican_dagster.checks.compiled_release.consistent.in_parties_roles import evaluate
from pelican_dagster.checks.compiled_release.parties import PartyFacts
from pelican_dagster.checks.context import CheckContext

if TYPE_CHECKING:
    from pelican_dagster.checks.compiled_release.item import CompiledRelease

NAME = "consistent.payer_in_parties_roles"
PATH = "contracts.implementation.transactions.payer"
ROLE = "payer"


def check(
    item: dict[str, Any], ctx: CheckContext | None = None, view: CompiledRelease | None = None
) -> dict[str, Any]:
    """Run the check on one compiled release (``view`` shares the party traversal between checks)."""
    return evaluate(view.parties if view else PartyFacts(item), PATH, ROLE)
