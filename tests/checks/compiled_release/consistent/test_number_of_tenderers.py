"""``consistent.number_of_tenderers`` (docs/checks.md §2.2)."""

from __future__ import annotations

import pytest

from pelican_dagster.checks.compiled_release.consistent.number_of_tenderers import check

NON_NUMERIC = "numberOfTenderers is non-numeric"
NOT_ARRAY = "tenderers is not an array"


@pytest.mark.parametrize(
    ("tender", "expected"),
    [
        ({"numberOfTenderers": 2, "tenderers": [{}, {}]}, True),
        ({"numberOfTenderers": "2", "tenderers": [{}, {}]}, True),
        ({"numberOfTenderers": 2.0, "tenderers": [{}, {}]}, True),
        ({"numberOfTenderers": " 2 ", "tenderers": [1, 2]}, True),
        ({"numberOfTenderers": True, "tenderers": [None]}, True),
        ({"numberOfTenderers": 0, "tenderers": []}, True),
        ({"numberOfTenderers": 3, "tenderers": [{}, {}]}, False),
        ({"numberOfTenderers": 2.5, "tenderers": [{}, {}]}, False),
        ({"numberOfTenderers": "nan", "tenderers": []}, False),
        ({"numberOfTenderers": "-inf", "tenderers": []}, False),
        ({"numberOfTenderers": None, "tenderers": []}, NON_NUMERIC),
        ({"numberOfTenderers": "two", "tenderers": []}, NON_NUMERIC),
        ({"numberOfTenderers": [2], "tenderers": [{}, {}]}, NON_NUMERIC),
        ({"numberOfTenderers": {"n": 2}, "tenderers": [{}, {}]}, NON_NUMERIC),
        ({"tenderers": [{}]}, NON_NUMERIC),
        ({"numberOfTenderers": 1}, NOT_ARRAY),
        ({"numberOfTenderers": 1, "tenderers": {"id": 1}}, NOT_ARRAY),
        ({"numberOfTenderers": 1, "tenderers": None}, NOT_ARRAY),
        ({"numberOfTenderers": 1, "tenderers": "x"}, NOT_ARRAY),
    ],
)
def test_outcomes(tender, expected):
    result = check({"tender": tender})
    if isinstance(expected, str):
        assert result == {
            "result": None,
            "meta": {"reason": expected},
            "application_count": None,
            "pass_count": None,
            "version": 1.0,
        }
    else:
        assert result["result"] is expected
        assert (result["application_count"], result["pass_count"]) == (1, int(expected))


def test_failure_meta_keeps_the_raw_number():
    result = check({"tender": {"numberOfTenderers": "3", "tenderers": [{}, {}]}})
    assert result["meta"] == {"numberOfTenderers": "3", "len(tenderers)": 2}


@pytest.mark.parametrize(
    "item", [{}, {"tender": None}, {"tender": []}, {"tender": "x"}, {"tender": [{"numberOfTenderers": 0}]}]
)
def test_no_tender_object(item):
    assert check(item)["meta"] == {"reason": NON_NUMERIC}


def test_huge_number_string():
    assert check({"tender": {"numberOfTenderers": "9" * 5000, "tenderers": []}})["result"] is False
