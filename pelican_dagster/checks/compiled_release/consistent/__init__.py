"""The 18 consistency checks (docs/checks.md §2.2), one module each, named as stored without the prefix."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pelican_dagster.checks.compiled_release.consistent import (
    buyer_in_parties_roles,
    buyer_name_in_parties,
    contracts_implementation_transactions_value,
    contracts_value,
    number_of_tenderers,
    parties_roles,
    payee_in_parties_roles,
    payee_name_in_parties,
    payer_in_parties_roles,
    payer_name_in_parties,
    period_duration_in_days,
    procuring_entity_in_parties_roles,
    procuring_entity_name_in_parties,
    supplier_in_parties_roles,
    supplier_name_in_parties,
    tender_value,
    tenderer_in_parties_roles,
    tenderer_name_in_parties,
)

__all__ = ["CHECKS", "PARTY_CHECKS"]

_MODULES = (
    number_of_tenderers,
    tender_value,
    contracts_value,
    contracts_implementation_transactions_value,
    parties_roles,
    supplier_in_parties_roles,
    tenderer_in_parties_roles,
    buyer_in_parties_roles,
    procuring_entity_in_parties_roles,
    payer_in_parties_roles,
    payee_in_parties_roles,
    supplier_name_in_parties,
    tenderer_name_in_parties,
    buyer_name_in_parties,
    procuring_entity_name_in_parties,
    payer_name_in_parties,
    payee_name_in_parties,
    period_duration_in_days,
)

#: Check name → ``check(item, ctx) -> result``, in the order of docs/checks.md §2.2.
CHECKS: dict[str, Callable[..., dict[str, Any]]] = {m.NAME: m.check for m in _MODULES}

#: The checks that accept a shared ``facts`` (a :class:`~..parties.PartyFacts`) as third argument.
PARTY_CHECKS: frozenset[str] = frozenset(
    m.NAME for m in _MODULES if m.NAME == parties_roles.NAME or m.NAME.endswith("_in_parties_roles")
) | frozenset(m.NAME for m in _MODULES if m.NAME.endswith("_name_in_parties"))
