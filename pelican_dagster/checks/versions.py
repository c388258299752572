"""The version of every check, per stage, and the code version of each stage built from them.

Every check module carries a ``VERSION`` (stored with each result, as Pelican does). An asset's Dagster
``code_version`` is derived from the versions of the checks it runs and the package's version, so that
changing a check (and bumping its ``VERSION``) or upgrading pelican-dagster makes the UI mark every
partition materialized with the older code as stale ("Materialize stale" re-checks them).
"""

from __future__ import annotations

import hashlib
import importlib.metadata

from pelican_dagster.checks import compiled_release, dataset, time_based
from pelican_dagster.checks.compiled_release import result
from pelican_dagster.checks.field import coverage
from pelican_dagster.checks.field.evaluate import _QUALITY_MODULES

__all__ = ["STAGE_VERSIONS", "code_version", "package_version"]


def package_version() -> str:
    """The installed pelican-dagster version ("0+unknown" when run from a tree that is not installed)."""
    try:
        return importlib.metadata.version("pelican-dagster")
    except importlib.metadata.PackageNotFoundError:
        return "0+unknown"


#: Stage → check name → version.
STAGE_VERSIONS: dict[str, dict[str, float]] = {
    "field": {
        "exists": coverage.VERSION,
        "non_empty": coverage.VERSION,
        **{name: module.VERSION for name, module in _QUALITY_MODULES.items()},
    },
    # The 37 compiled-release checks share the version of their result shapes.
    "compiled_release": dict.fromkeys(compiled_release.CHECK_NAMES, result.VERSION),
    "dataset": dict(dataset.CHECK_VERSIONS),
    "time_based": {check.NAME: check.VERSION for check in time_based.CHECKS},
}


def code_version(*stages: str) -> str:
    """``<package version>-<12 hex digits>``: a digest of the versions of every check of ``stages``."""
    items = sorted(
        (stage, name, repr(version)) for stage in stages for name, version in STAGE_VERSIONS[stage].items()
    )
    digest = hashlib.sha256(repr(items).encode()).hexdigest()[:12]
    return f"{package_version()}-{digest}"
