"""Job ``codelists_refresh``: the registers downloaded again, by the daily schedule or on demand."""

import dagster as dg

from pelican_dagster.assets.codelists import codelists

#: Materializes ``codelists`` (the daily schedule's job; on demand from the UI or the CLI).
codelists_job = dg.define_asset_job(
    "codelists_refresh",
    selection=dg.AssetSelection.assets(codelists),
    description="Download the registers the checks read into the results database.",
)
