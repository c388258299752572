"""``consistent.payee_in_parties_roles`` (docs/checks.md §2.2).

Each payee referenced at ``contracts.implementation.transactions.payee`` has the role ``payee``.
"""

from __future__ import annotations

from typing import Any

from pelican_dagster.checks.compiled_release.consistent.in_parties_roles import evaluate
from pelican_dagster.checks.compiled_release.parties import PartyFacts
from pelican_dagster.checks.context import CheckContext

NAME = "consistent.payee_in_parties_roles"
PATH = "contracts.implementation.transactions.payee"
ROLE = "payee"


def check(
    item: dict[str, Any], ctx: CheckContext | None = None, facts: PartyFacts | None = None
) -> dict[str, Any]:
    """Run the check on one compiled release (``facts`` shares the party traversal between checks)."""
    return evaluate(facts or PartyFacts(item), PATH, ROLE)
