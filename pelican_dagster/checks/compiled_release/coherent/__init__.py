"""The 12 coherence checks (checks.md §2.1), one module per check, named as stored without the prefix.

``CHECKS`` maps each stored name (``coherent.period`` …) to its ``check(item, ctx) -> result`` function,
in the spec's order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pelican_dagster.checks.compiled_release.coherent import (
    amendments_dates,
    awards_status,
    contracts_status,
    dates,
    documents_dates,
    milestone_status,
    milestones_dates,
    period,
    procurement_method_vs_number_of_tenderers,
    release_date,
    tender_status,
    value_realistic,
)
from pelican_dagster.checks.context import CheckContext

__all__ = ["CHECKS"]

_MODULES = (
    period,
    dates,
    amendments_dates,
    documents_dates,
    milestones_dates,
    release_date,
    procurement_method_vs_number_of_tenderers,
    tender_status,
    awards_status,
    contracts_status,
    milestone_status,
    value_realistic,
)

CHECKS: dict[str, Callable[[dict[str, Any], CheckContext], dict[str, Any]]] = {
    module.NAME: module.check for module in _MODULES
}
