"""Engine of the six ``consistent.<x>_name_in_parties`` checks (docs/checks.md §2.2).

Each reference with an ``id`` and a ``name`` whose id, as text, matches exactly one party that has an
``id`` and a ``name`` must carry the same ``name`` as that party, under Python equality of the decoded
JSON: null equals null, ``"1"`` differs from ``1``, ``1`` equals ``1.0`` and true; no normalisation.
"""

from __future__ import annotations

from typing import Any

from pelican_dagster.checks.compiled_release.parties import PartyFacts
from pelican_dagster.checks.compiled_release.result import multiple, not_applicable
from pelican_dagster.checks.primitives import as_text

__all__ = ["evaluate"]

NO_PARTY = "no party has an id and a name"
NO_REFERENCE = "no reference has an id and a name and matches exactly one party"


def evaluate(facts: PartyFacts, path: str) -> dict[str, Any]:
    """Check that every reference at ``path`` names its party as the party names itself."""
    if not facts.named:
        return not_applicable(NO_PARTY)
    references = facts.refs(path)
    if not references:
        return not_applicable(NO_REFERENCE)
    lookup = facts.unique_named_by_id
    tested = passed = 0
    failed: list[dict[str, Any]] = []
    for ref_path, ref in references:
        if type(ref) is not dict or "id" not in ref or "name" not in ref:
            continue
        ident = ref["id"]
        # as_text, inlined (hot).
        match = lookup.get(ident if type(ident) is str else as_text(ident))
        if match is None:
            continue
        tested += 1
        party_path, party = match
        if ref["name"] == party["name"]:
            passed += 1
        else:
            failed.append(
                {
                    "party": {"path": party_path, "id": party["id"], "name": party["name"]},
                    "reference": {"path": ref_path, "id": ref["id"], "name": ref["name"]},
                }
            )
    return multiple(tested, passed, failed, NO_REFERENCE)
