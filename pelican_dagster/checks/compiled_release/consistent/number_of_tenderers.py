"""``consistent.number_of_tenderers``: ``tender.numberOfTenderers`` equals the length of ``tender.tenderers``.

Single application (docs/checks.md §2.2). The number is coerced like Python ``float()`` (so ``"2"`` and
``2.0`` count, NaN never equals a length).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pelican_dagster.checks.compiled_release.result import not_applicable, single
from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.primitives import as_number

if TYPE_CHECKING:
    from pelican_dagster.checks.compiled_release.item import CompiledRelease

NAME = "consistent.number_of_tenderers"


def check(
    item: dict[str, Any], ctx: CheckContext | None = None, view: CompiledRelease | None = None
) -> dict[str, Any]:
    """Run the check on one compiled release."""
    tender = item.get("tender")
    if type(tender) is not dict:
        return not_applicable("numberOfTenderers is non-numeric")
    raw = tender.get("numberOfTenderers")
    number = as_number(raw)
    if number is None:
        return not_applicable("numberOfTenderers is non-numeric")
    tenderers = tender.get("tenderers")
    if type(tenderers) is not list:
        return not_applicable("tenderers is not an array")
    length = len(tenderers)
    if number == length:
        return single(True)
    return single(False, {"numberOfTenderers": raw, "len(tenderers)": length})
