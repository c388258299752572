"""``consistent.supplier_in_parties_roles`` (docs/checks.md §2.2).

Each supplier referenced at ``awards.suppliers`` has the role ``supplier``.
"""

from __future__ import annotations

from typing import Any

from pelican_dagster.checks.compiled_release.consistent.in_parties_roles import evaluate
from pelican_dagster.checks.compiled_release.parties import PartyFacts
from pelican_dagster.checks.context import CheckContext

NAME = "consistent.supplier_in_parties_roles"
PATH = "awards.suppliers"
ROLE = "supplier"


def check(
    item: dict[str, Any], ctx: CheckContext | None = None, facts: PartyFacts | None = None
) -> dict[str, Any]:
    """Run the check on one compiled release (``facts`` shares the party traversal between checks)."""
    return evaluate(facts or PartyFacts(item), PATH, ROLE)
