"""``coherent.milestone_status``: an unmet milestone has no dateMet (checks.md §2.1)."""

from __future__ import annotations

from typing import Any

from pelican_dagster.checks.compiled_release.result import multiple
from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.primitives import values_at_path

NAME = "coherent.milestone_status"

# Awards milestones are not included, as in Pelican.
PATHS = (
    "planning.milestones",
    "tender.milestones",
    "contracts.milestones",
    "contracts.implementation.milestones",
)
UNMET = frozenset({"scheduled", "notMet"})


def check(item: dict[str, Any], ctx: CheckContext) -> dict[str, Any]:
    """A scheduled or notMet milestone has a falsy ``dateMet``."""
    application_count = 0
    failed = []
    for milestones_path in PATHS:
        for path, milestone in values_at_path(item, milestones_path):
            if type(milestone) is not dict:
                continue
            status = milestone.get("status")
            if type(status) is not str or status not in UNMET:
                continue
            application_count += 1
            if milestone.get("dateMet"):
                failed.append({"path": path, "status": status})
    return multiple(application_count, application_count - len(failed), failed, "no milestone is unmet")
