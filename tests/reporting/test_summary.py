"""Pass rates, counts and worst-first orderings shared by every presentation."""

from __future__ import annotations

import math

import pytest

from pelican_dagster.reporting.markdown import pass_rate
from pelican_dagster.reporting.summary import (
    count,
    dataset_note,
    field_rows,
    fmt_rate,
    fmt_share,
    resource_rows,
)
from tests.reporting.samples import FOLDERS, RICH_ROWS, load


@pytest.mark.parametrize(
    ("passed", "total", "expected"),
    [
        (1, 2, 50.0),
        (0, 5, 0.0),
        (5, 5, 100.0),
        (1, 3, 100 / 3),
        (0, 0, None),
        (3, None, None),
        (None, 4, 0.0),
        ("3", 4, 0.0),  # a count that is not a number reads as 0
        (True, 4, 0.0),
        (2, -1, None),
        (float("nan"), 4, 0.0),
        (2.0, 4.0, 50.0),
    ],
)
def test_pass_rate(passed, total, expected):
    rate = pass_rate(passed, total)
    assert rate == expected or (rate is not None and expected is not None and math.isclose(rate, expected))


@pytest.mark.parametrize(
    ("rate", "text"),
    [(None, "–"), (0.0, "0 %"), (100.0, "100 %"), (0.05, "<0.1 %"), (99.95, ">99.9 %"), (33.333, "33.3 %")],
)
def test_fmt_rate(rate, text):
    assert fmt_rate(rate) == text


@pytest.mark.parametrize(
    ("value", "expected"), [(3, 3), (2.9, 2), (None, 0), ("7", 0), (False, 0), (math.inf, 0)]
)
def test_count(value, expected):
    assert count(value) == expected


def test_fmt_share():
    assert (fmt_share(0.5), fmt_share(None), fmt_share("x")) == ("50.0 %", "–", "–")


@pytest.mark.parametrize("folder", FOLDERS)
def test_field_rows_worst_first(folder):
    rows = field_rows(load(folder).field_report)
    assert len(rows) == 559
    present = [r for r in rows if r.worst_rate is not None]
    assert [r.worst_rate for r in present] == sorted(r.worst_rate for r in present)
    # paths that never occur come last
    assert all(r.worst_rate is None for r in rows[len(present) :])


@pytest.mark.parametrize("folder", FOLDERS)
def test_resource_rows_worst_first(folder):
    rows = resource_rows(load(folder).resource_report)
    assert len(rows) == 37
    rated = [r.rate for r in rows if r.rate is not None]
    assert rated == sorted(rated)
    assert all(r.rate is None for r in rows[len(rated) :])
    for r in rows:
        assert r.total == r.passed + r.failed + r.undefined
        assert r.individual_failed == r.individual_application - r.individual_passed


def test_rows_of_damaged_reports():
    report = {"a.b": None, "c": {"coverage": {"passed_count": "x", "total_count": 2}, "quality": []}}
    rows = field_rows(report)
    assert [(r.path, r.coverage_rate, r.quality_rate) for r in rows] == [
        ("c", 0.0, None),
        ("a.b", None, None),
    ]
    assert resource_rows({"x": None, "y": {"passed_count": 1}})[0].name == "y"


@pytest.mark.parametrize(
    ("row", "text"),
    [
        (RICH_ROWS[0], "top 1 % of values hold 62.0 % of the total (100 values)"),
        (RICH_ROWS[1], "366 buyers in 1,000 items; 300 buyers appear once"),
        (RICH_ROWS[2], "largest buyer MX-SHCP: 120 of 1,000 items (12.0 %)"),
        (RICH_ROWS[3], "1 of 2 passed"),
        (RICH_ROWS[5], "n/a: fewer than 1000 occurrences of necessary fields"),
        ({"check_name": "x", "result": True, "value": 1, "meta": None}, ""),
        (
            {"result": True, "meta": {"shares": {"a": {"share": 0.25}, "b": {"share": 0.75}}}},
            "2 codes: b 75.0 %, a 25.0 %",
        ),
        (
            {
                "result": False,
                "meta": {
                    "most_frequent": [{"value_str": "0.0 USD", "share": 0.5, "count": 2}],
                    "total_processed": 4,
                },
            },
            "most frequent: 0.0 USD × 2 (50.0 %) of 4",
        ),
    ],
)
def test_dataset_note(row, text):
    assert dataset_note(row) == text
