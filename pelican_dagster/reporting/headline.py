"""The few numbers that judge a dataset at a glance: pass rates per level, the checks that failed by
name, the worst field paths and the configuration the results depend on. Shown inline in the Dagster
UI (the ``report`` materialization), at the top of the HTML report and by ``pelican-dagster list``."""

from __future__ import annotations

from typing import Any

from pelican_dagster.reporting.model import ReportData
from pelican_dagster.reporting.summary import (
    as_dict,
    field_rows,
    fmt_rate,
    pass_rate,
    report_totals,
    resource_rows,
    result_of,
)

__all__ = ["check_rates", "configuration_lines", "headline", "level_rates"]


def level_rates(data: ReportData) -> dict[str, float | None]:
    """Pass rates in percent per level (not applicable left out; None when nothing was judged)."""
    totals = report_totals(data.field_report, data.resource_report)
    rates: dict[str, float | None] = {
        group: pass_rate(totals[f"{group}_passed"], totals[f"{group}_total"])
        for group in ("coverage", "quality", "compiled_release")
    }
    for level, rows, key in (
        ("dataset", data.dataset_level, "result"),
        ("time_based", data.time_based, "check_result"),
    ):
        decided = [result_of(row, key) for row in rows if result_of(row, key) is not None]
        rates[level] = pass_rate(sum(decided), len(decided))
    return rates


def check_rates(data: ReportData) -> dict[str, float | None]:
    """Every check's pass rate in percent (None = not applicable): compiled-release checks by items
    passed, dataset-level and time-based checks 100 or 0, coverage and quality by occurrences."""
    rates: dict[str, float | None] = {}
    for group in ("coverage", "quality"):
        passed: dict[str, int] = {}
        total: dict[str, int] = {}
        for row in field_rows(data.field_report):
            for name, (p, t) in getattr(row, f"{group}_checks").items():
                passed[name] = passed.get(name, 0) + p
                total[name] = total.get(name, 0) + t
        rates.update({name: pass_rate(passed[name], total[name]) for name in passed})
    rates.update({row.name: row.rate for row in resource_rows(data.resource_report)})
    for row in data.dataset_level:
        result = result_of(row)
        rates[str(row.get("check_name"))] = None if result is None else 100.0 * result
    for row in data.time_based:
        result = result_of(row, "check_result")
        coverage = result_of(row, "coverage_result")
        rates[str(row.get("check_name"))] = None if coverage is None else 100.0 * bool(coverage and result)
    return rates


def configuration_lines(meta: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, text) pairs of the configuration a dataset was checked with (from its metadata)."""
    tool = as_dict(meta.get("pelican_dagster"))
    config = as_dict(tool.get("configuration"))
    if not config:
        return []
    rates = as_dict(config.get("exchange_rates"))
    url_check = config.get("url_check")
    lines = [
        ("now", str(config.get("now", "?"))),
        ("seed", str(tool.get("seed", "?"))),
        (
            "URL checking",
            "OFFLINE: no request was made, every sampled URL counts as failed (misc.url_availability "
            "says nothing about the links)"
            if url_check == "offline"
            else "online"
            if url_check == "online"
            else "not recorded",
        ),
        (
            "exchange rates",
            f"{rates.get('name', '?')} {rates.get('version', '')} ({rates.get('first', '?')} – "
            f"{rates.get('last', '?')}, {rates.get('rows', '?')} days)".replace("  ", " "),
        ),
    ]
    files = as_dict(config.get("codelist_files"))
    for name, version in sorted(as_dict(config.get("codelists")).items()):
        if isinstance(version, dict):
            # name → provenance (origin, source, fetch time, sha256): what a run records.
            fetched = f", fetched {version['fetched_at']}" if version.get("fetched_at") else ""
            text = (
                f"{version.get('origin', '?')} {version.get('source', '')}{fetched}, "
                f"sha256 {str(version.get('sha256', ''))[:12]}…"
            )
        else:  # file name → sha256, as recorded before provenance was
            text = f"{files.get(name, 'shipped')}, sha256 {str(version)[:12]}…"
        lines.append((f"codelist {name}", text))
    return lines


def headline(data: ReportData, worst: int = 5) -> dict[str, str]:
    """Short texts keyed for Dagster metadata: ``pass_rates``, ``dataset_checks``,
    ``failed_dataset_checks``, ``failed_compiled_release_checks``, ``worst_quality_paths``,
    ``least_covered_paths``, ``time_based_summary`` and ``url_check``."""
    rates = level_rates(data)
    labels = {
        "coverage": "coverage",
        "quality": "quality",
        "compiled_release": "compiled release",
        "dataset": "dataset",
        "time_based": "time-based",
    }
    out = {"pass_rates": " · ".join(f"{labels[k]} {fmt_rate(v)}" for k, v in rates.items())}
    results = [result_of(row) for row in data.dataset_level]
    out["dataset_checks"] = (
        f"{results.count(True)} passed, {results.count(False)} failed, "
        f"{results.count(None)} not applicable (of {len(results)})"
    )
    failed = [row for row in data.dataset_level if result_of(row) is False]
    out["failed_dataset_checks"] = (
        ", ".join(f"{row.get('check_name')} (value {row.get('value')})" for row in failed) or "none"
    )
    failing = [row for row in resource_rows(data.resource_report) if row.failed]
    out["failed_compiled_release_checks"] = (
        ", ".join(f"{row.name} {fmt_rate(row.rate)} ({row.failed:,} items failed)" for row in failing[:worst])
        + (f" and {len(failing) - worst} more" if len(failing) > worst else "")
        or "none"
    )
    rows = field_rows(data.field_report)
    quality = sorted(
        (row for row in rows if row.quality_failed),
        key=lambda row: (row.quality_rate or 0.0, -row.quality_failed, row.path),
    )
    out["worst_quality_paths"] = (
        ", ".join(
            f"{row.path} {fmt_rate(row.quality_rate)} ({row.quality_failed:,} failed)"
            for row in quality[:worst]
        )
        or "none"
    )
    coverage = sorted(
        (row for row in rows if row.coverage_failed),
        key=lambda row: (row.coverage_rate or 0.0, -row.coverage_failed, row.path),
    )
    out["least_covered_paths"] = (
        ", ".join(
            f"{row.path} {fmt_rate(row.coverage_rate)} ({row.coverage_failed:,} missing or empty)"
            for row in coverage[:worst]
        )
        or "none"
    )
    if data.time_based:
        out["time_based_summary"] = ", ".join(
            f"{row.get('check_name')}: coverage {row.get('coverage_value')} %, "
            f"check {row.get('check_value')} %"
            for row in data.time_based
        )
    else:
        out["time_based_summary"] = (
            f"not applicable: the ancestor {data.ancestor} has no items"
            if data.ancestor
            else "not applicable: no ancestor"
        )
    config = dict(configuration_lines(data.meta))
    if "URL checking" in config:
        out["url_check"] = config["URL checking"]
    return out
