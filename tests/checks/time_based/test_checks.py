"""Time-based checks (§4): ocid, tender_title, phase_stable, and the result rounding."""

from __future__ import annotations

import datetime as dt

import pytest

from pelican_dagster.checks.context import CheckContext
from pelican_dagster.checks.dataset import extract_facts
from pelican_dagster.checks.time_based import TimeBasedChecker, percentage, phase_stable, tender_title

CTX = CheckContext(
    now=dt.datetime(2026, 11, 29, 11, tzinfo=dt.UTC), ocid_prefixes=(), org_id_codes=frozenset()
)


def results(pairs):
    """``pairs``: (ancestor item, new item or None); ids 1…, new ids 1001…"""
    checker = TimeBasedChecker(CTX)
    for i, (old, new) in enumerate(pairs, 1):
        checker.add(
            i,
            extract_facts(old),
            None if new is None else 1000 + i,
            None if new is None else extract_facts(new),
        )
    return {r["check_name"]: r for r in checker.results()}


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        (1, 8, 12),  # 12.5 → 12 (half to even)
        (3, 8, 38),  # 37.5 → 38
        (1, 200, 0),  # 0.5 → 0
        (3, 200, 2),  # 1.5 → 2
        (7, 7, 100),
        (0, 3, 0),
        (2, 3, 67),
        (1, 3, 33),
    ],
)
def test_percentage_half_to_even(part, whole, expected):
    assert percentage(part, whole) == expected
    assert percentage(part, whole) == round(part / (whole / 100))


def test_no_rows_no_results():
    assert TimeBasedChecker(CTX).results() == []


def test_ocid_coverage_and_rounding():
    pairs = [({"ocid": str(i)}, {"ocid": str(i)}) for i in range(19)] + [({"ocid": "gone"}, None)]
    rows = results(pairs)
    row = rows["ocid"]
    assert (row["coverage_value"], row["coverage_result"]) == (95, False)  # 95 is not > 95
    assert (row["check_value"], row["check_result"]) == (100, True)
    assert row["meta"] == {
        "total_count": 20,
        "coverage_count": 19,
        "failed_count": 0,
        "ok_count": 19,
        "version": 1.0,
        "examples": [],
    }


def test_nothing_found_gives_null_check_values():
    rows = results([({"ocid": "a", "tender": {"title": "x"}}, None)])
    for name in ("ocid", "tender_title", "phase_stable"):
        assert (rows[name]["coverage_value"], rows[name]["coverage_result"]) == (0, False)
        assert (rows[name]["check_value"], rows[name]["check_result"]) == (None, None)


def test_not_applicable_everywhere_gives_nulls():
    rows = results([({"ocid": "a"}, {"ocid": "a"})])
    row = rows["tender_title"]
    assert (row["coverage_value"], row["coverage_result"], row["check_value"], row["check_result"]) == (
        None,
        None,
        None,
        None,
    )
    assert row["meta"]["total_count"] == 0


@pytest.mark.parametrize(
    ("old", "new", "applicable", "passed"),
    [
        ("Road Works", "road   works", True, True),
        ("  Road\tWorks\n", "ROAD WORKS", True, True),
        ("Road works", "Road work", True, False),
        ("Road works", None, True, False),  # missing new title fails
        ("Road works", 5, True, False),  # non-string new title fails (Pelican raises)
        ("   ", "x", False, None),  # blank once normalised
        ("\u00a0\u2003\n", "x", False, None),  # Unicode whitespace too
        ("\u200b", "\u200b ", True, True),  # a zero-width space is not whitespace
        ("Ab", "Ab", True, True),
        ("", "x", False, None),
        (None, "x", False, None),
        (7, "7", False, None),  # non-string ancestor title: not applicable (Pelican raises)
    ],
)
def test_tender_title(old, new, applicable, passed):
    ancestor = extract_facts({"ocid": "a", "tender": {"title": old}})
    partner = extract_facts({"ocid": "a", "tender": {"title": new}})
    assert tender_title.applicable(ancestor) is applicable
    if applicable:
        assert tender_title.evaluate(ancestor, partner) is passed


@pytest.mark.parametrize(
    ("old", "new", "passed"),
    [
        ({}, {}, True),
        ({"tender": {"id": 1}}, {"tender": {"id": 2}}, True),
        ({"tender": {"id": 1}}, {}, False),
        ({"tender": {"id": 1}}, {"tender": {}}, False),
        ({"tender": {"id": 1}}, {"tender": "x"}, False),
        ({"tender": {}}, {}, True),  # an empty ancestor tender is no phase
        ({"planning": {"a": 1}}, {"planning": None}, False),
        ({"planning": {"a": 1}}, {"planning": {"b": 2}}, True),
        ({"awards": [{}, {}]}, {"awards": [{}]}, False),
        ({"awards": [{}, {}]}, {"awards": [{}, {}, {}]}, True),
        ({"awards": [{}]}, {"awards": {"id": 1}}, False),  # a non-array counts as empty
        ({"awards": {"id": 1}}, {}, True),  # a non-array ancestor has no awards
        ({"contracts": [{}]}, {}, False),
        ({"contracts": [{}]}, {"contracts": [{}]}, True),
        ({"awards": [], "contracts": []}, {}, True),
    ],
)
def test_phase_stable(old, new, passed):
    assert phase_stable.applicable(extract_facts(old)) is True
    assert (
        phase_stable.evaluate(extract_facts({"ocid": "a", **old}), extract_facts({"ocid": "a", **new}))
        is passed
    )


def test_failed_examples_and_counts():
    pairs = [
        ({"ocid": f"o{i}", "tender": {"title": "A"}}, {"ocid": f"o{i}", "tender": {"title": "B"}})
        for i in range(60)
    ]
    pairs += [({"ocid": "same", "tender": {"title": "A"}}, {"ocid": "same", "tender": {"title": "a"}})]
    rows = results(pairs)
    row = rows["tender_title"]
    assert row["meta"]["failed_count"] == 60 and row["meta"]["ok_count"] == 1
    assert (row["coverage_value"], row["check_value"], row["check_result"]) == (100, 2, False)
    assert len(row["meta"]["examples"]) == 50
    for example in row["meta"]["examples"]:
        i = example["item_id"]
        assert example == {
            "item_id": i,
            "new_item_id": 1000 + i,
            "ocid": f"o{i - 1}",
            "new_item_ocid": f"o{i - 1}",
        }
    assert rows["phase_stable"]["check_value"] == 100


def test_accepts_stored_bytes():
    import orjson

    checker = TimeBasedChecker(CTX)
    checker.add(
        1,
        orjson.dumps(extract_facts({"ocid": "a", "awards": [{}]})),
        2,
        orjson.dumps(extract_facts({"ocid": "a"})),
    )
    rows = {r["check_name"]: r for r in checker.results()}
    assert rows["phase_stable"]["meta"]["failed_count"] == 1
