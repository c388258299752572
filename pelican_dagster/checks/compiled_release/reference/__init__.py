"""The 7 reference checks (docs/checks.md §2.3), one module each, named as stored without the prefix."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pelican_dagster.checks.compiled_release.reference import (
    buyer_in_parties,
    contract_in_awards,
    payee_in_parties,
    payer_in_parties,
    procuring_entity_in_parties,
    supplier_in_parties,
    tenderer_in_parties,
)

__all__ = ["CHECKS", "PARTY_CHECKS"]

_MODULES = (
    supplier_in_parties,
    tenderer_in_parties,
    buyer_in_parties,
    procuring_entity_in_parties,
    payer_in_parties,
    payee_in_parties,
    contract_in_awards,
)

#: Check name → ``check(item, ctx) -> result``, in the order of docs/checks.md §2.3.
CHECKS: dict[str, Callable[..., dict[str, Any]]] = {m.NAME: m.check for m in _MODULES}

#: The checks that accept a shared ``facts`` (a :class:`~..parties.PartyFacts`) as third argument.
PARTY_CHECKS: frozenset[str] = frozenset(m.NAME for m in _MODULES if m is not contract_in_awards)
