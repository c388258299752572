"""What exists, for ``pelican-dagster list`` and ``status``: every dataset with its phase, size, source,
ancestor and pass rates, and one dataset's progress and last Dagster run. Reads only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from pelican_dagster.reporting.headline import level_rates
from pelican_dagster.reporting.summary import fmt_rate
from pelican_dagster.storage import schema as s
from pelican_dagster.storage.item_checks import coverage
from pelican_dagster.storage.reports import load_results
from pelican_dagster.storage.results import dataset_by_id, dataset_by_name, get_progress

__all__ = ["dataset_rows", "format_table", "status_lines"]

_COLUMNS = (
    "dataset",
    "phase",
    "size",
    "source",
    "ancestor",
    "coverage",
    "quality",
    "release",
    "dataset checks",
)


def dataset_rows(engine: Engine) -> list[tuple[str, ...]]:
    """One row of text per dataset, oldest first (the columns of :data:`_COLUMNS`)."""
    rows = []
    with engine.connect() as conn:
        for (dataset_id,) in conn.execute(sa.select(s.dataset.c.id).order_by(s.dataset.c.id)):
            dataset = dataset_by_id(conn, dataset_id)
            if dataset is None:  # wiped meanwhile
                continue
            progress = get_progress(conn, dataset_id) or {}
            ancestor = dataset_by_id(conn, dataset.ancestor_id) if dataset.ancestor_id else None
            rates: dict[str, Any] = {}
            if progress.get("phase") == "CHECKED":
                rates = level_rates(load_results(conn, dataset, examples=False))
            rows.append(
                (
                    dataset.name,
                    f"{progress.get('phase', 'NEW')}/{progress.get('state', '-')}",
                    f"{progress.get('size') or 0:,}",
                    dataset.source_id or "-",
                    ancestor.name if ancestor else "-",
                    *(fmt_rate(rates.get(k)) for k in ("coverage", "quality", "compiled_release", "dataset")),
                )
            )
    return rows


def format_table(rows: list[tuple[str, ...]], header: tuple[str, ...] = _COLUMNS) -> str:
    """A plain-text table with aligned columns."""
    widths = [max(len(str(v)) for v in column) for column in zip(header, *rows, strict=True)]
    lines = [
        "  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip()
        for row in (header, *rows)
    ]
    return "\n".join(lines)


def status_lines(
    engine: Engine, name: str, last_run: Callable[[str], str | None] | None = None
) -> list[str] | None:
    """Phase, progress and the last run of dataset ``name``; None when there is no such dataset.
    ``last_run`` describes the dataset's last run (the CLI asks the Dagster instance; called only for a
    known dataset)."""
    with engine.connect() as conn:
        dataset = dataset_by_name(conn, name)
        if dataset is None:
            return None
        progress = get_progress(conn, dataset.id) or {}
        ancestor = dataset_by_id(conn, dataset.ancestor_id) if dataset.ancestor_id else None
    size = progress.get("size") or 0
    totals = coverage(engine, dataset.id)
    checked = size - totals["uncovered"] if size else 0
    lines = [
        f"dataset   {dataset.name} (id {dataset.id})",
        f"phase     {progress.get('phase', 'NEW (not extracted yet)')}/{progress.get('state', '-')}",
        f"items     {size:,} extracted, {checked:,} checked in {totals['chunks']} chunks"
        + (f" ({100 * checked / size:.0f} %)" if size else ""),
        f"source    {dataset.source_id or '-'}, collection {dataset.collection_id or '-'}",
        f"ancestor  {ancestor.name if ancestor else '-'}",
    ]
    if last_run is not None:
        lines.append(f"last run  {last_run(name) or 'none in this Dagster instance'}")
    return lines
