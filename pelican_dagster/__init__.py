"""pelican-dagster: data-quality checks for OCDS compiled releases, as a Dagster project."""
