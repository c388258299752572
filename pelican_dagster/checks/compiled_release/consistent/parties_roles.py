"""``consistent.parties_roles``: every applicable role of a party is backed by a reference (docs/checks.md
§2.2).

One test per (party, role) for each party occurrence that is an object with an ``id`` and each entry of
its ``roles`` that is an applicable role (duplicates tested twice). ``buyer`` is deliberately not tested.
An object or array in ``roles`` is not an applicable role (Pelican raises on it, docs/checks.md §0.9).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pelican_dagster.checks.compiled_release.parties import PartyFacts
from pelican_dagster.checks.compiled_release.result import multiple
from pelican_dagster.checks.context import CheckContext

if TYPE_CHECKING:
    from pelican_dagster.checks.compiled_release.item import CompiledRelease

NAME = "consistent.parties_roles"
NA_REASON = "no party has an id and an applicable role"

#: Applicable role → the path whose objects' ``id`` values back it.
ROLE_PATHS: dict[str, str] = {
    "procuringEntity": "tender.procuringEntity",
    "tenderer": "tender.tenderers",
    "supplier": "awards.suppliers",
    "payer": "contracts.implementation.transactions.payer",
    "payee": "contracts.implementation.transactions.payee",
}


def check(
    item: dict[str, Any], ctx: CheckContext | None = None, view: CompiledRelease | None = None
) -> dict[str, Any]:
    """Run the check on one compiled release (``view`` shares the party traversal between checks)."""
    facts = view.parties if view else PartyFacts(item)
    tested = passed = 0
    failed: list[dict[str, Any]] = []
    texts: dict[str, set[str]] = {}  # role → the referencing ids as text, fetched once per role
    for party_path, party, id_text in facts.with_id:
        roles = party.get("roles")
        if type(roles) is not list:
            continue
        for role in roles:
            if type(role) is not str or role not in ROLE_PATHS:
                continue
            tested += 1
            backing = texts.get(role)
            if backing is None:
                backing = texts[role] = facts.ref_id_texts(ROLE_PATHS[role])
            if id_text in backing:
                passed += 1
            else:
                failed.append({"path": party_path, "role": role, "id": id_text})
    return multiple(tested, passed, failed, NA_REASON)
