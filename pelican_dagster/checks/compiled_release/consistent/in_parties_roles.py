"""Engine of the six ``consistent.<x>_in_parties_roles`` checks (docs/checks.md §2.2).

Each reference (an object with an ``id``) whose id, as text, matches exactly one party must point to a
party whose ``roles`` array holds the matching role (exact string match). References that match no party
or several are left to ``reference.<x>_in_parties``.
"""

from __future__ import annotations

from typing import Any

from pelican_dagster.checks.compiled_release.parties import PartyFacts
from pelican_dagster.checks.compiled_release.result import multiple, not_applicable
from pelican_dagster.checks.primitives import as_text

__all__ = ["evaluate"]

NO_PARTY = "no party has an id"
NO_REFERENCE = "no reference has an id and matches exactly one party"


def evaluate(facts: PartyFacts, path: str, role: str) -> dict[str, Any]:
    """Check that every party referenced at ``path`` carries ``role``."""
    if not facts.with_id:
        return not_applicable(NO_PARTY)
    references = facts.refs(path)
    if not references:
        return not_applicable(NO_REFERENCE)
    lookup = facts.unique_by_id
    tested = passed = 0
    failed: list[dict[str, Any]] = []
    for ref_path, ref in references:
        if type(ref) is not dict or "id" not in ref:
            continue
        ident = ref["id"]
        # as_text, inlined (hot).
        match = lookup.get(ident if type(ident) is str else as_text(ident))
        if match is None:
            continue
        tested += 1
        party_path, party = match
        roles = party.get("roles")
        if type(roles) is not list:
            roles = []
        if role in roles:
            passed += 1
        else:
            failed.append(
                {
                    "party": {"path": party_path, "id": party["id"], "roles": roles},
                    "reference": {"path": ref_path, "id": ref["id"], "role": role},
                }
            )
    return multiple(tested, passed, failed, NO_REFERENCE)
