"""``consistent.tenderer_in_parties_roles`` (docs/checks.md §2.2).

Each tenderer referenced at ``tender.tenderers`` has the role ``tenderer``.
"""

from __future__ import annotations

from typing import Any

from pelican_dagster.checks.compiled_release.consistent.in_parties_roles import evaluate
from pelican_dagster.checks.compiled_release.parties import PartyFacts
from pelican_dagster.checks.context import CheckContext

NAME = "consistent.tenderer_in_parties_roles"
PATH = "tender.tenderers"
ROLE = "tenderer"


def check(
    item: dict[str, Any], ctx: CheckContext | None = None, facts: PartyFacts | None = None
) -> dict[str, Any]:
    """Run the check on one compiled release (``facts`` shares the party traversal between checks)."""
    return evaluate(facts or PartyFacts(item), PATH, ROLE)
