"""Presentation of one checked dataset's results: Markdown and charts for the Dagster UI, and a
self-contained HTML report. Plain Python: no Dagster and no database code here."""
