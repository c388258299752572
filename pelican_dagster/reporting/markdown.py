"""Markdown for Dagster materialization metadata (``MetadataValue.md``).

Every function takes the stored report shapes (docs/report-shapes.md) and returns a Markdown string. Data is
untrusted: every value goes through :func:`md_text`, which escapes HTML and Markdown syntax, so a
publisher's ``<script>`` or ``|`` cannot break out of a table cell.
"""

from __future__ import annotations

from typing import Any

from pelican_dagster.checks.catalogue import entry
from pelican_dagster.reporting.model import ReportData
from pelican_dagster.reporting.summary import (
    BADGES,
    as_dict,
    dataset_note,
    field_rows,
    fmt_int,
    fmt_rate,
    md_text,
    pass_rate,
    resource_rows,
    result_of,
)

__all__ = [
    "compiled_release_table",
    "dataset_level_table",
    "field_level_table",
    "markdown_sections",
    "md_text",
    "overview",
    "pass_rate",
    "report_markdown",
    "time_based_table",
]


def _table(header: list[str], rows: list[list[str]], align: str) -> str:
    """A pipe table; ``align`` holds one of ``l``/``r`` per column."""
    marks = {"l": ":---", "r": "---:"}
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(marks[a] for a in align) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _title(name: Any) -> str:
    known = entry(str(name))
    return known.title if known else ""


def _more(shown: int, total: int, what: str) -> str:
    return f"\n\n_… and {total - shown:,} more {what}._" if total > shown else ""


def field_level_table(report: dict[str, Any], top: int | None = 25) -> str:
    """The field paths with the worst coverage or quality pass rates, with counts.

    Paths that never occur in the dataset are left out and counted in a closing note.
    """
    rows = [r for r in field_rows(report) if r.coverage_total or r.quality_total]
    absent = len(as_dict(report)) - len(rows)
    if not rows:
        return "_No field occurs in this dataset._"
    body = [
        [
            md_text(r.path),
            fmt_rate(r.coverage_rate),
            f"{r.coverage_passed:,} / {r.coverage_total:,}",
            fmt_rate(r.quality_rate),
            f"{r.quality_passed:,} / {r.quality_total:,}" if r.quality_total else "–",
        ]
        for r in rows[:top]
    ]
    text = _table(["Path", "Coverage", "Passed / total", "Quality", "Passed / total"], body, "lrrrr")
    text += _more(len(body), len(rows), "paths that occur")
    if absent:
        text += f"\n\n_{absent:,} of {len(as_dict(report)):,} paths never occur._"
    return text


def compiled_release_table(report: dict[str, Any], top: int | None = None) -> str:
    """The compiled-release-level checks, worst pass rate first (items passed / failed / N/A)."""
    rows = resource_rows(report)
    if not rows:
        return "_No compiled-release-level results._"
    shown = rows if top is None else rows[:top]
    body = [
        [
            md_text(r.name),
            md_text(_title(r.name)),
            fmt_rate(r.rate),
            fmt_int(r.passed),
            fmt_int(r.failed),
            fmt_int(r.undefined),
            f"{r.individual_passed:,} / {r.individual_application:,}" if r.individual_application else "–",
        ]
        for r in shown
    ]
    text = _table(
        ["Check", "What it tests", "Pass rate", "Passed", "Failed", "N/A", "Individual passed / applied"],
        body,
        "llrrrrr",
    )
    return text + _more(len(shown), len(rows), "checks")


def dataset_level_table(rows: list[dict[str, Any]]) -> str:
    """The dataset-level checks: result badge, stored value and a note (the reason when N/A)."""
    if not rows:
        return "_No dataset-level results (the dataset has no items)._"
    body = []
    for row in rows:
        value = row.get("value")
        body.append(
            [
                md_text(row.get("check_name")),
                md_text(_title(row.get("check_name"))),
                BADGES[result_of(row)],
                "–" if value is None or isinstance(value, bool) else md_text(value),
                md_text(dataset_note(row)),
            ]
        )
    return _table(["Check", "What it tests", "Result", "Value", "Note"], body, "lllrl")


def time_based_table(rows: list[dict[str, Any]], ancestor: str | None = None) -> str:
    """The time-based checks (coverage of the ancestor's items, and the check itself)."""
    if not rows:
        if ancestor:
            return f"_No time-based results: the ancestor {md_text(ancestor)} has no items._"
        return "_No time-based results: the dataset has no ancestor._"
    body = []
    for row in rows:
        meta = as_dict(row.get("meta"))
        body.append(
            [
                md_text(row.get("check_name")),
                BADGES[result_of(row, "coverage_result")],
                md_text(row.get("coverage_value")) if row.get("coverage_value") is not None else "–",
                BADGES[result_of(row, "check_result")],
                md_text(row.get("check_value")) if row.get("check_value") is not None else "–",
                f"{fmt_int(meta.get('coverage_count'))} / {fmt_int(meta.get('total_count'))}",
                f"{fmt_int(meta.get('ok_count'))} ok, {fmt_int(meta.get('failed_count'))} failed",
            ]
        )
    header = ["Check", "Coverage", "Coverage %", "Result", "Result %", "Paired / applicable", "Pairs"]
    return _table(header, body, "llrlrrr")


_LIFECYCLE = ("planning", "tender", "award", "contract", "implementation")


def overview(data: ReportData) -> str:
    """Size, phase, lifecycle counts and the dates of the dataset, as a short bullet list."""
    meta = data.meta
    kingfisher = as_dict(meta.get("kingfisher_metadata"))
    collection = as_dict(meta.get("collection_metadata"))
    tool = as_dict(meta.get("data_quality_tool_metadata"))
    unique = as_dict(meta.get("compiled_releases")).get("total_unique_ocids")
    lines = [f"**{md_text(data.name)}**", ""]
    lines.append(
        f"- Items: {fmt_int(data.size)}"
        + (f" ({fmt_int(unique)} unique OCIDs)" if unique is not None else "")
    )
    lines.append(f"- Phase: {md_text(data.phase or '?')} / {md_text(data.state or '?')}")
    lifecycle = as_dict(meta.get("tender_lifecycle"))
    if lifecycle:
        lines.append("- Lifecycle: " + ", ".join(f"{k} {fmt_int(lifecycle.get(k))}" for k in _LIFECYCLE))
    for label, value in (
        ("Publisher", collection.get("publisher")),
        ("OCID prefix", collection.get("ocid_prefix")),
        ("Published", _span(collection.get("published_from"), collection.get("published_to"))),
        ("Kingfisher collection", kingfisher.get("collection_id")),
        (
            "Kingfisher processing",
            _span(kingfisher.get("processing_start"), kingfisher.get("processing_end")),
        ),
        ("Checked", _span(tool.get("processing_start"), tool.get("processing_end"))),
        ("Ancestor", data.ancestor),
    ):
        if value not in (None, ""):
            lines.append(f"- {label}: {md_text(value)}")
    return "\n".join(lines)


def _span(start: Any, end: Any) -> str | None:
    if start in (None, "") and end in (None, ""):
        return None
    return f"{start or '?'} – {end or '?'}"


def markdown_sections(data: ReportData, top: int | None = 25) -> dict[str, str]:
    """Each part of the report as its own Markdown string, keyed for Dagster metadata entries.

    Keys: ``overview``, ``field_level_chart``, ``field_level``, ``compiled_release``, ``dataset_level``,
    ``dataset_level_charts``, ``time_based``. Empty parts (e.g. no charts) are left out.
    """
    from pelican_dagster.reporting.charts import coverage_histogram_md, dataset_charts_md

    sections = {
        "overview": overview(data),
        "field_level_chart": coverage_histogram_md(data.field_report),
        "field_level": field_level_table(data.field_report, top=top),
        "compiled_release": compiled_release_table(data.resource_report),
        "dataset_level": dataset_level_table(data.dataset_level),
        "dataset_level_charts": dataset_charts_md(data.dataset_level),
        "time_based": time_based_table(data.time_based, data.ancestor),
    }
    return {key: text for key, text in sections.items() if text}


def report_markdown(data: ReportData, top: int = 25) -> str:
    """All sections in one Markdown document (overview, charts, the four tables)."""
    from pelican_dagster.reporting.charts import coverage_histogram_md, dataset_charts_md

    parts = [
        "## Overview",
        overview(data),
        "## Field-level checks",
        coverage_histogram_md(data.field_report),
        field_level_table(data.field_report, top=top),
        "## Compiled-release-level checks",
        compiled_release_table(data.resource_report),
        "## Dataset-level checks",
        dataset_level_table(data.dataset_level),
        dataset_charts_md(data.dataset_level),
        "## Time-based checks",
        time_based_table(data.time_based, data.ancestor),
    ]
    return "\n\n".join(p for p in parts if p)
