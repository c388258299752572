"""The checks, as plain Python: no Dagster and no database code enters this package."""
