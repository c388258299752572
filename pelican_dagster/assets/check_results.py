"""Dagster asset-check plumbing shared by the dataset-level and time-based assets.

Pelican's stored check names contain dots (``distribution.tender_status``); Dagster check names may
not, so the dot becomes a double underscore (``distribution__tender_status``) and the description
carries the stored name. A not-applicable check has nothing that failed: it is reported as passed with
``outcome: not applicable`` and its reason, so the badge does not cry wolf and the reason is one click
away. A failed check is a data-quality finding, not a broken pipeline: severity WARN.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from typing import Any

import dagster as dg

from pelican_dagster.partitions import datasets


def check_name(stored_name: str) -> str:
    """The Dagster asset-check name of a stored check name."""
    return stored_name.replace(".", "__")


def check_specs(asset: str, stored_names: Iterable[str], what: str) -> list[dg.AssetCheckSpec]:
    """One asset-check spec per stored check name, partitioned like the datasets (so that the UI shows
    each dataset's result, not only the latest run's)."""
    # Partitioned checks are a preview feature of Dagster; the version is pinned (pyproject.toml).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.PreviewWarning)
        return [
            dg.AssetCheckSpec(
                check_name(name), asset=asset, description=f"{what} `{name}`", partitions_def=datasets
            )
            for name in stored_names
        ]


def _clip(value: Any, limit: int = 200_000) -> dg.MetadataValue:
    # Metadata lives in the Dagster event log: keep big example lists out of it (they are in the
    # results database and the export).
    text = dg.MetadataValue.json(value)
    return text if len(str(value)) <= limit else dg.MetadataValue.text(f"{len(str(value))} characters")


def check_result(
    stored_name: str, result: bool | None, metadata: Mapping[str, Any], reason: str | None = None
) -> dg.AssetCheckResult:
    """The asset-check result of one stored row (``result`` None = not applicable)."""
    if result is None:
        return dg.AssetCheckResult(
            check_name=check_name(stored_name),
            passed=True,
            severity=dg.AssetCheckSeverity.WARN,
            description=f"not applicable: {reason or 'no reason given'}",
            metadata={"outcome": "not applicable", "reason": reason or "", **metadata},
        )
    return dg.AssetCheckResult(
        check_name=check_name(stored_name),
        passed=bool(result),
        severity=dg.AssetCheckSeverity.WARN,
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
