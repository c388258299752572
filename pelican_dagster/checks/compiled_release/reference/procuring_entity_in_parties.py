"""``reference.procuring_entity_in_parties`` (docs/checks.md §2.3).

Each procuring entity referenced at ``tender.procuringEntity`` matches exactly one party.
"""

from __future__ import annotations

from typing import Any

from pelican_dagster.checks.compiled_release.parties import PartyFacts
from pelican_dagster.checks.compiled_release.reference.in_parties import evaluate
from pelican_dagster.checks.context import CheckContext

NAME = "reference.procuring_entity_in_parties"
PATH = "tender.procuringEntity"


def check(
    item: dict[str, Any], ctx: CheckContext | None = None, facts: PartyFacts | None = None
) -> dict[str, Any]:
    """Run the check on one compiled release (``facts`` shares the party traversal between checks)."""
    return evaluate(facts or PartyFacts(item), PATH)
