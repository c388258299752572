"""``consistent.buyer_in_parties_roles``: each buyer referenced at ``buyer`` has the role ``buyer``."""

from __future__ import annotations

from typing import Any

from pelican_dagster.checks.compiled_release.consistent.in_parties_roles import evaluate
from pelican_dagster.checks.compiled_release.parties import PartyFacts
from pelican_dagster.checks.context import CheckContext

NAME = "consistent.buyer_in_parties_roles"
PATH = "buyer"
ROLE = "buyer"


def check(
    item: dict[str, Any], ctx: CheckContext | None = None, facts: PartyFacts | None = None
) -> dict[str, Any]:
    """Run the check on one compiled release (``facts`` shares the party traversal between checks)."""
    return evaluate(facts or PartyFacts(item), PATH, ROLE)
