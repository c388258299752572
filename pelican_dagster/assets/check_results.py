"""Dagster asset-check plumbing shared by the dataset-level and time-based assets.

Pelican's stored check names contain dots (``distribution.tender_status``); Dagster check names may
not, so the dot becomes a double underscore (``distribution__tender_status``) and the description
carries the catalogue's explanation (``pelican_dagster/checks/catalogue.py``). A not-applicable check
tested nothing, so it is neither passed nor failed: no result is yielded for it, and Dagster shows it as
*Skipped* (grey), apart from the green passed and the yellow failed checks; its reason goes into the
asset's materialization metadata (``not_applicable``) and the run log. A failed check is a data-quality
finding, not a broken pipeline: severity WARN.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from typing import Any

import dagster as dg

from pelican_dagster.checks.catalogue import entry
from pelican_dagster.partitions import datasets

NOT_APPLICABLE_NOTE = (
    "Not applicable (nothing to test) is shown as Skipped; the reason is in the asset's materialization "
    "metadata, `not_applicable`."
)


def check_name(stored_name: str) -> str:
    """The Dagster asset-check name of a stored check name."""
    return stored_name.replace(".", "__")


def check_specs(asset: str, stored_names: Iterable[str], what: str) -> list[dg.AssetCheckSpec]:
    """One asset-check spec per stored check name, partitioned like the datasets (so that the UI shows
    each dataset's result, not only the latest run's). The asset must be ``can_subset=True``: that makes
    its check outputs optional, so that a not-applicable check can go without a result."""
    # Partitioned checks are a preview feature of Dagster; the version is pinned (pyproject.toml).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.PreviewWarning)
        return [
            dg.AssetCheckSpec(
                check_name(name), asset=asset, description=describe(name, what), partitions_def=datasets
            )
            for name in stored_names
        ]


def describe(stored_name: str, what: str) -> str:
    """The asset-check description: the stored name and the catalogue's explanation."""
    known = entry(stored_name)
    head = f"{what} `{stored_name}`"
    return f"{head}: {known.description()}\n\n{NOT_APPLICABLE_NOTE}" if known else head


def _clip(value: Any, limit: int = 200_000) -> dg.MetadataValue:
    # Metadata lives in the Dagster event log: keep big example lists out of it (they are in the
    # results database and the export).
    text = dg.MetadataValue.json(value)
    return text if len(str(value)) <= limit else dg.MetadataValue.text(f"{len(str(value))} characters")


class CheckOutcomes:
    """The asset-check results of one materialization, and the reasons of those not applicable."""

    def __init__(self) -> None:
        self.results: list[dg.AssetCheckResult] = []
        self.not_applicable: dict[str, str] = {}

    def add(
        self, stored_name: str, result: bool | None, metadata: Mapping[str, Any], reason: str | None = None
    ) -> None:
        """Record one stored row's outcome (``result`` None = not applicable)."""
        if result is None:
            self.not_applicable[stored_name] = reason or "no reason given"
        else:
            self.results.append(check_result(stored_name, result, metadata))

    def metadata(self) -> dict[str, Any]:
        """Materialization metadata naming the not-applicable checks with their reasons."""
        return {
            "checks_not_applicable": len(self.not_applicable),
            "not_applicable": dg.MetadataValue.json(self.not_applicable),
        }

    def selected(self, context: dg.AssetExecutionContext) -> list[dg.AssetCheckResult]:
        """The results of the checks this run selected (a run may select some checks only)."""
        keys = {key.name for key in context.selected_asset_check_keys}
        return [result for result in self.results if result.check_name in keys]

    def log(self, log: Any) -> None:
        """One log line per not-applicable check (the UI shows them as Skipped)."""
        for name, reason in self.not_applicable.items():
            log.info(f"{name}: not applicable ({reason})")


def check_result(stored_name: str, result: bool, metadata: Mapping[str, Any]) -> dg.AssetCheckResult:
    """The asset-check result of one stored row that passed or failed."""
    return dg.AssetCheckResult(
        check_name=check_name(stored_name),
        passed=bool(result),
        severity=dg.AssetCheckSeverity.WARN,
        description=entry(stored_name).title if entry(stored_name) else None,
        metadata={"outcome": "passed" if result else "failed", **metadata},
    )


def meta_without_examples(meta: Mapping[str, Any]) -> dg.MetadataValue:
    """A row's ``meta`` for the UI, without the random example lists (which can be large)."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if not k.endswith("examples")}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return _clip(strip(dict(meta)))
