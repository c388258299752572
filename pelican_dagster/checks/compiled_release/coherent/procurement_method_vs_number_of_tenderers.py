"""``coherent.procurement_method_vs_number_of_tenderers``: a direct award has at most one tenderer (§2.1)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pelican_dagster.checks.compiled_release.result import not_applicable, single
from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.primitives import as_number

if TYPE_CHECKING:
    from pelican_dagster.checks.compiled_release.item import CompiledRelease

NAME = "coherent.procurement_method_vs_number_of_tenderers"


def check(
    item: dict[str, Any], ctx: CheckContext | None = None, view: CompiledRelease | None = None
) -> dict[str, Any]:
    """With ``tender.procurementMethod`` "direct", ``tender.numberOfTenderers`` is 0 or 1."""
    tender = item.get("tender")
    if type(tender) is not dict:
        tender = {}
    raw = tender.get("numberOfTenderers")
    number = as_number(raw)
    # Checked before the method, so a non-numeric count is N/A whatever the method.
    if number is None:
        return not_applicable("numberOfTenderers is non-numeric")
    method = tender.get("procurementMethod")
    if type(method) is not str or method != "direct":
        return not_applicable("procurementMethod is not direct")
    # A NaN count is neither 0 nor 1, so it fails.
    return single(number == 0 or number == 1, {"numberOfTenderers": raw})
