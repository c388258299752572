"""The plain work the pipeline's steps do, without Dagster: loading files into Kingfisher Process's
tables, the run context fixed once per dataset run, the per-item pass, filtering, and the export.

The Dagster layer (:mod:`pelican_dagster.assets`, :mod:`pelican_dagster.jobs`,
:mod:`pelican_dagster.automation`) calls into here; nothing here imports Dagster."""
