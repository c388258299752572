"""Asset ``codelists``: the two registers the checks read (registered OCID prefixes, org-id.guide
scheme codes), downloaded into the results database with their provenance, daily and on demand."""

import datetime as dt
import os

import dagster as dg
from pydantic import Field

from pelican_dagster import settings
from pelican_dagster.pipeline.codelist_refresh import refresh
from pelican_dagster.resources import ResultsDatabaseResource

#: Seconds to connect to a register's source and between bytes of its answer.
TIMEOUT_VARIABLE = settings.CODELIST_TIMEOUT


class CodelistsConfig(dg.Config):
    """How the ``codelists`` asset downloads."""

    max_age_hours: float = Field(
        default=0.0,
        description="do not download a register again if it was downloaded less than this many hours ago",
    )
    timeout_seconds: float | None = Field(
        default=None, description=f"per-request timeout (default {TIMEOUT_VARIABLE} or 10)"
    )


@dg.asset(
    group_name="codelists",
    kinds={"postgres"},
    check_specs=[dg.AssetCheckSpec("downloaded", asset="codelists")],
)
def codelists(
    context: dg.AssetExecutionContext, config: CodelistsConfig, results: ResultsDatabaseResource
) -> dg.MaterializeResult:
    """The registered OCID prefixes (OCP's register, CSV export) and the org-id.guide scheme codes,
    each stored in the results database with its source URL, fetch time and SHA-256. Item checks read
    the stored copy; a dataset records the version it was checked with. A failed download keeps the
    previous copy (or the shipped snapshot) in use: the asset check ``downloaded`` then warns.
    """
    timeout = config.timeout_seconds or float(os.environ.get(TIMEOUT_VARIABLE) or 10)
    outcomes = refresh(
        results.get_engine(), timeout=timeout, max_age=dt.timedelta(hours=config.max_age_hours)
    )
    metadata: dict[str, dg.RawMetadataValue] = {}
    failures = []
    for outcome in outcomes:
        version = outcome.version
        metadata[f"{outcome.name}_status"] = outcome.status
        metadata[f"{outcome.name}_source"] = dg.MetadataValue.url(outcome.url)
        metadata[f"{outcome.name}_changed"] = outcome.changed
        metadata[f"{outcome.name}_entries"] = version.entries if version else None
        metadata[f"{outcome.name}_sha256"] = version.sha256 if version else None
        metadata[f"{outcome.name}_fetched_at"] = (
            version.fetched_at.isoformat() if version and version.fetched_at else None
        )
        if outcome.error:
            failures.append(f"{outcome.name}: {outcome.error}")
            in_use = f"the copy stored at {version.fetched_at}" if version else "the shipped snapshot"
            context.log.warning(f"could not download {outcome.name} from {outcome.url}: {outcome.error}")
            context.log.warning(f"{outcome.name}: {in_use} stays in use")
    check = dg.AssetCheckResult(
        check_name="downloaded",
        passed=not failures,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"failures": "; ".join(failures) or "none"},
    )
    return dg.MaterializeResult(metadata=metadata, check_results=[check])
