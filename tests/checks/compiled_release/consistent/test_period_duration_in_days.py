"""``consistent.period_duration_in_days`` (docs/checks.md §2.2)."""

from __future__ import annotations

import pytest

from pelican_dagster.checks.compiled_release.consistent.period_duration_in_days import NA_REASON, check


def period(start, end=None, duration=None, max_extent=None):
    out = {}
    for key, value in (
        ("startDate", start),
        ("endDate", end),
        ("durationInDays", duration),
        ("maxExtentDate", max_extent),
    ):
        if value is not None:
            out[key] = value
    return out


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (period("2020-01-01", "2020-01-31", 30), True),
        (period("2020-01-01T00:00:00Z", "2020-01-31T12:00:00Z", 30), True),  # 30.5: floor 30
        (period("2020-01-01T00:00:00Z", "2020-01-31T12:00:00Z", 31), True),  # ceil 31
        (period("2020-01-01T00:00:00Z", "2020-01-31T12:00:00Z", 30.5), True),
        (period("2020-01-01T00:00:00Z", "2020-01-31T12:00:00Z", 32), False),
        (period("2020-01-01", "2020-01-31", "30"), True),
        (period("2020-01-01", "2020-01-31", 29), False),
        (period("2020-01-31", "2020-01-01", -30), True),  # negative durations are compared too
        (period("2020-01-01", None, 10, "2020-01-11"), True),  # maxExtentDate when there is no end
        (period("2020-01-01", "garbage", 10, "2020-01-11"), True),  # ... or the end does not parse
        (period("2020-01-01", "2020-01-05", 10, "2020-01-11"), False),  # the end wins
        (period("2020-01-01T00:00:00+02:00", "2020-01-02T00:00:00Z", 1), True),  # 1 day 2 h
        (period("2020-01-01T00:00:00.9", "2020-01-02T00:00:00", 1), True),  # fractions of a second ignored
        (period("2020-01-01", "2020-01-31", "nan"), False),
        (period("2020-01-01", "2020-01-31", True), False),
        # naive and aware: the naive one is read as UTC (a deliberate difference, see the module)
        (period("2020-01-01T00:00:00", "2020-01-02T00:00:00Z", 1), True),
        (period("2020-01-01T00:00:00-12:00", "2020-01-02T00:00:00", 0), True),
        (period("2020-01-01T00:00:00-12:00", "2020-01-02T00:00:00", 1), True),
        (period("2020-01-01T00:00:00-12:00", "2020-01-02T00:00:00", 2), False),
        # not testable
        (period("2020-01-01", "2020-01-31"), None),
        (period("2020-01-01", duration=30), None),
        (period(None, "2020-01-31", 30), None),
        (period("garbage", "2020-01-31", 30), None),
        (period("2020-01-01T25:00:00Z", "2020-01-31", 30), None),  # parse_datetime rejects hour 25
        (period("2020-01-01", "2020-01-31", "thirty"), None),
        (period("2020-01-01", "2020-01-31", [30]), None),
        (period(20200101, "2020-01-31", 30), None),
        ({"startDate": None, "endDate": None, "durationInDays": None}, None),
        ("2020-01-01/2020-01-31", None),
        (None, None),
        ([period("2020-01-01", "2020-01-31", 30)], True),  # an array of periods is expanded
    ],
)
def test_outcomes(value, expected):
    result = check({"tender": {"tenderPeriod": value}})
    if expected is None:
        assert result["meta"] == {"reason": NA_REASON}
        assert result["result"] is None
    else:
        assert result["result"] is expected
        assert (result["application_count"], result["pass_count"]) == (1, int(expected))


def test_every_period_path_and_failed_paths_as_strings():
    bad = period("2020-01-01", "2020-01-31", 1)
    good = period("2020-01-01", "2020-01-31", 30)
    item = {
        "tender": {"tenderPeriod": bad, "enquiryPeriod": good, "awardPeriod": bad, "contractPeriod": good},
        "awards": [{"contractPeriod": good}, {"contractPeriod": bad}],
        "contracts": {"period": bad},
    }
    result = check(item)
    assert (result["application_count"], result["pass_count"]) == (7, 3)
    assert result["meta"] == {
        "failed_paths": [
            "tender.tenderPeriod",
            "tender.awardPeriod",
            "awards[1].contractPeriod",
            "contracts.period",
        ]
    }


@pytest.mark.parametrize(
    "item", [{}, {"tender": None}, {"tender": "x"}, {"tender": [None, 1]}, {"awards": [None, [], "p"]}]
)
def test_odd_shapes(item):
    assert check(item)["meta"] == {"reason": NA_REASON}


def test_tender_as_array_is_traversed():
    item = {"tender": [{"tenderPeriod": period("2020-01-01", "2020-01-31", 30)}]}
    assert check(item)["application_count"] == 1
