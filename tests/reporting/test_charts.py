"""Text charts for the Dagster UI and SVG charts for the HTML report."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from pelican_dagster.reporting.charts import (
    FAIL_COLOUR,
    PASS_COLOUR,
    RATE_BUCKETS,
    bars_md,
    chart_items,
    coverage_histogram_md,
    dataset_charts_md,
    rate_buckets,
    svg_dataset_chart,
    svg_hbars,
    svg_histogram,
    svg_rate_histogram,
    text_bar,
)
from pelican_dagster.reporting.summary import field_rows, md_text
from tests.reporting.samples import EVIL, FOLDERS, RICH_ROWS, load

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize(
    ("fraction", "width", "expected"),
    [(0, 4, "    "), (1, 4, "████"), (0.5, 4, "██  "), (0.5625, 4, "██▎ "), (2, 3, "███"), (-1, 2, "  ")],
)
def test_text_bar(fraction, width, expected):
    assert text_bar(fraction, width) == expected


@pytest.mark.parametrize(
    ("rates", "expected"),
    [
        ([0, 9.99, 10, 55, 99.9, 100, 100], [2, 1, 0, 0, 0, 1, 0, 0, 0, 1, 2]),
        ([], [0] * 11),
        ([-5, 150], [1] + [0] * 9 + [1]),
    ],
)
def test_rate_buckets(rates, expected):
    assert rate_buckets(rates) == expected
    assert len(RATE_BUCKETS) == 11


def test_bars_md_is_a_safe_code_block():
    text = bars_md([("a`b\nc", 0.5, "x```y"), ("long label " * 5, 1.0, "")])
    assert text.startswith("```\n") and text.endswith("\n```")
    assert text.count("```") == 2
    assert bars_md([]) == ""


@pytest.mark.parametrize("folder", FOLDERS)
def test_histograms_count_every_occurring_path(folder):
    report = load(folder).field_report
    text = coverage_histogram_md(report)
    occurring = sum(1 for r in field_rows(report) if r.coverage_rate is not None)
    counts = [int(line.rsplit(" ", 1)[1]) for line in text.split("```")[1].strip().splitlines()]
    assert sum(counts) == occurring
    svg = svg_rate_histogram(report, "coverage")
    root = ET.fromstring(svg)
    assert len(root.findall(f"{SVG}g")) == 11


@pytest.mark.parametrize("folder", FOLDERS)
def test_dataset_charts_of_reference_rows(folder):
    rows = load(folder).dataset_level
    text = dataset_charts_md(rows)
    for row in rows:
        svg = svg_dataset_chart(row)
        if row["result"] is None:
            assert svg == "" and f"**{md_text(row['check_name'])}**" not in text
        else:
            assert f"**{md_text(row['check_name'])}**" in text
            ET.fromstring(svg)  # well-formed


@pytest.mark.parametrize(
    ("row", "title", "labels"),
    [
        (RICH_ROWS[0], "Share of the total amount", ["top 1 %", "1–5 %", "5–20 %", "20–50 %", "50–100 %"]),
        (RICH_ROWS[1], "Items per buyer", ["1 item", "2–20", "21–50", "51–100", "over 100"]),
        (RICH_ROWS[2], "largest buyer", ["MX-SHCP"]),
        (RICH_ROWS[3], "Passed and failed", ["passed", "failed"]),
        (RICH_ROWS[5], "", []),
    ],
)
def test_chart_items_of_every_meta_shape(row, title, labels):
    got_title, items = chart_items(row)
    assert title in got_title
    assert [item[0] for item in items] == labels
    assert all(0 <= item[1] <= 1 for item in items)
    if title == "Passed and failed":  # the bars' colours follow the outcome, not the check's result
        assert [item[3] for item in items] == [PASS_COLOUR, FAIL_COLOUR]
    assert (svg_dataset_chart(row) == "") == (not labels)


def test_code_shares_beyond_top_are_grouped():
    shares = {f"c{i}": {"share": 1 / 20, "count": 1} for i in range(20)}
    _, items = chart_items({"result": True, "meta": {"shares": shares}}, top=10)
    assert len(items) == 11 and items[-1][0] == "10 others" and abs(items[-1][1] - 0.5) < 1e-9


def test_svg_escapes_labels():
    svg = svg_hbars([(EVIL, 0.5, EVIL)], title=EVIL) + svg_histogram([1], [EVIL], title=EVIL)
    assert "<script" not in svg and "<img" not in svg
    for part in svg.split("</svg>")[:-1]:
        ET.fromstring(part + "</svg>")


def test_empty_charts():
    assert svg_hbars([]) == "" and svg_histogram([], []) == "" and svg_rate_histogram({}) == ""
    assert coverage_histogram_md({}) == "" and dataset_charts_md([]) == ""
