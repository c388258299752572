"""Materialization metadata shared by the assets."""

import dagster as dg

from pelican_dagster.reporting.summary import pass_rate


def pass_rates(totals: dict[str, int]) -> dict[str, dg.MetadataValue]:
    """Materialization metadata: the coverage, quality and compiled-release pass rates in percent."""
    out = {}
    for group in ("coverage", "quality", "compiled_release"):
        rate = pass_rate(totals[f"{group}_passed"], totals[f"{group}_total"])
        out[f"{group}_pass_rate_percent"] = dg.MetadataValue.float(
            round(rate, 2) if rate is not None else float("nan")
        )
    return out
