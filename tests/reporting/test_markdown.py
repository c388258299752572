"""Markdown for the Dagster UI, on every reference folder and on hostile data."""

from __future__ import annotations

import re

import pytest

from pelican_dagster.reporting.markdown import (
    compiled_release_table,
    dataset_level_table,
    field_level_table,
    markdown_sections,
    md_text,
    overview,
    report_markdown,
    time_based_table,
)
from pelican_dagster.reporting.model import ReportData
from tests.reporting.samples import EVIL, FOLDERS, hostile, load, rich


def _rates(table: str, column: int) -> list[float | None]:
    """The percentages in one column of a Markdown table's body ('–' as None, '<0.1 %' as 0.05)."""
    out = []
    for line in table.splitlines()[2:]:
        if not line.startswith("| "):
            break
        cell = [c.strip() for c in line.strip("|").split(" | ")][column]
        if cell == "–":
            out.append(None)
        else:
            out.append(float(cell.strip("<> %")))
    return out


@pytest.mark.parametrize("folder", FOLDERS)
def test_every_section_renders(folder):
    data = load(folder)
    text = report_markdown(data)
    for heading in (
        "## Overview",
        "## Field-level checks",
        "## Compiled-release-level checks",
        "## Dataset-level checks",
        "## Time-based checks",
    ):
        assert heading in text
    assert "<script" not in text


@pytest.mark.parametrize("folder", FOLDERS)
def test_field_table_is_worst_first_and_counts_the_rest(folder):
    data = load(folder)
    table = field_level_table(data.field_report, top=10)
    body = [line for line in table.splitlines() if line.startswith("| ")][2:]
    assert len(body) == 10
    coverage, quality = _rates(table, 1), _rates(table, 3)
    worst = [min(r for r in pair if r is not None) for pair in zip(coverage, quality, strict=True)]
    assert worst == sorted(worst)
    occurring = sum(1 for e in data.field_report.values() if e["coverage"]["total_count"])
    assert f"… and {occurring - 10:,} more paths that occur" in table
    assert f"{559 - occurring:,} of 559 paths never occur" in table


@pytest.mark.parametrize("folder", FOLDERS)
def test_compiled_release_table_is_worst_first(folder):
    table = compiled_release_table(load(folder).resource_report)
    rates = _rates(table, 2)
    assert "A direct procurement has at most one tenderer" in table  # the catalogue's title
    assert len(rates) == 37
    defined = [r for r in rates if r is not None]
    assert defined == sorted(defined)
    assert rates[len(defined) :] == [None] * (37 - len(defined))


def test_compiled_release_table_top():
    table = compiled_release_table(load("armenia").resource_report, top=5)
    assert "… and 32 more checks" in table


@pytest.mark.parametrize("folder", FOLDERS)
def test_dataset_table_shows_badges_values_and_reasons(folder):
    rows = load(folder).dataset_level
    table = dataset_level_table(rows)
    assert len(table.splitlines()) == 2 + len(rows)
    if rows:
        assert "Tender ids are unique" in table  # the catalogue's title
    for row in rows:
        if row["result"] is None:
            assert md_text(row["meta"]["reason"]) in table
    assert ("✅ pass" in table) == any(r["result"] is True for r in rows)
    assert ("❌ fail" in table) == any(r["result"] is False for r in rows)


def test_time_based_table():
    assert "no ancestor" in time_based_table([])
    assert "has no items" in time_based_table([], ancestor="old.jsonl.gz")
    table = time_based_table(load("paraguay.time-based").time_based)
    assert "| tender\\_title | ✅ pass | 100 | ❌ fail | 88 | 8 / 8 | 7 ok, 1 failed |" in table


def test_overview_lists_the_metadata():
    text = overview(rich())
    for expected in (
        "Items: 8 (8 unique OCIDs)",
        "CHECKED / OK",
        "Lifecycle: planning 8",
        "Publisher: Example",
        "Kingfisher collection: 1234",
        "Published: 2015-01-02 00.00.00 – 2026-10-31 12.00.00",
    ):
        assert expected in text


def test_empty_data():
    text = report_markdown(ReportData(name="nothing"))
    assert "No field occurs" in text and "No dataset-level results" in text and "no ancestor" in text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a|b", "a\\|b"),
        ("<script>", "&lt;script&gt;"),
        ("x\n# y", "x \\# y"),
        ("a_b*c", "a\\_b\\*c"),
        (None, ""),
        (12, "12"),
        ("x" * 300, "x" * 199 + "…"),
    ],
)
def test_md_text(value, expected):
    assert md_text(value) == expected


def test_hostile_strings_are_escaped():
    text = report_markdown(hostile(), top=600)
    assert "<script" not in text and "<img" not in text and "](javascript" not in text
    assert "\n# heading" not in text
    # every table row still has the columns of its header: no cell was split by a "|"
    for block in text.split("\n\n"):
        lines = block.splitlines()
        if lines and lines[0].startswith("| "):
            width = lines[0].count(" | ")
            assert all(re.sub(r"\\\|", "", line).count(" | ") == width for line in lines)
    # code blocks of the charts are never closed early by data
    assert "``` " not in text.replace("```\n", "")
    assert EVIL not in text


def test_markdown_sections():
    sections = markdown_sections(load("paraguay.time-based"))
    assert list(sections) == [
        "overview",
        "field_level_chart",
        "field_level",
        "compiled_release",
        "dataset_level",
        "dataset_level_charts",
        "time_based",
    ]
    assert all(text.strip() for text in sections.values())
    assert "field_level_chart" not in markdown_sections(ReportData(name="empty"))
