"""``coherent.tender_status``: a tender that is not complete has no awards or contracts (docs/checks.md
§2.1)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pelican_dagster.checks.compiled_release.result import not_applicable, single
from pelican_dagster.checks.context import CheckContext

if TYPE_CHECKING:
    from pelican_dagster.checks.compiled_release.item import CompiledRelease

NAME = "coherent.tender_status"

INCOMPLETE = frozenset({"planning", "planned", "active", "cancelled", "unsuccessful", "withdrawn"})


def check(
    item: dict[str, Any], ctx: CheckContext | None = None, view: CompiledRelease | None = None
) -> dict[str, Any]:
    """An incomplete ``tender.status`` has no ``contracts`` and no ``awards`` entries."""
    tender = item.get("tender")
    status = tender.get("status") if type(tender) is dict else None
    if not status:
        return not_applicable("tender.status is blank")
    # Exact strings only; an object/array status (where Pelican raises) is simply not one of them.
    if type(status) is not str or status not in INCOMPLETE:
        return not_applicable(f"tender.status is {status!r}")
    contracts = item.get("contracts")
    awards = item.get("awards")
    contracts_count = len(contracts) if type(contracts) is list else 0
    awards_count = len(awards) if type(awards) is list else 0
    return single(
        contracts_count == 0 and awards_count == 0,
        {"contracts_count": contracts_count, "awards_count": awards_count},
    )
