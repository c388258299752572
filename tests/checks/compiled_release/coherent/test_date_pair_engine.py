"""The date-pair engine (docs/checks.md §2.0): pairing, grouping, parsing, outcomes."""

from __future__ import annotations

import pytest

from pelican_dagster.checks.compiled_release.dates import (
    NO_PAIRS_PARSEABLE,
    NO_PAIRS_SET,
    SAME_ELEMENT,
    SAME_OBJECT,
    DatePairs,
    date_of,
    evaluate,
)


def fail(path_1, value_1, path_2, value_2):
    return {"path_1": path_1, "value_1": value_1, "path_2": path_2, "value_2": value_2}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2020-01-02T23:00:00-05:00", "2020-01-02"),  # the written date, offset ignored
        ("2020-1-2", "2020-01-02"),
        ("2020", "2020-01-01"),
        ("2020-13-01", None),
        ("", None),
        (None, None),
        (20200101, None),
        (["2020-01-01"], None),
        ("x" * 100_000, None),
    ],
)
def test_date_of(value, expected):
    parsed = date_of(value)
    assert (parsed.isoformat() if parsed else None) == expected


@pytest.mark.parametrize(
    ("item", "rules", "expected"),
    [
        # Cross product, A-major; unparsable values count as "set" but are skipped.
        (
            {"a": ["2020-01-02", "bad", "2020-01-05"], "b": ["2020-01-03", None]},
            [("a", "b", None)],
            (2, 1, [fail("a[2]", "2020-01-05", "b[0]", "2020-01-03")]),
        ),
        # Equal dates pass; times are ignored.
        ({"a": "2020-01-02T23:59:59Z", "b": "2020-01-02T00:00:00+14:00"}, [("a", "b", None)], (1, 1, [])),
        ({"a": None, "b": "2020-01-01"}, [("a", "b", None)], NO_PAIRS_PARSEABLE),
        ({"a": "2020-01-01"}, [("a", "b", None)], NO_PAIRS_SET),
        ({"a": [], "b": "2020-01-01"}, [("a", "b", None)], NO_PAIRS_SET),
        ({}, [("a", "b", None)], NO_PAIRS_SET),
        # Same element: only pairs within the same top-level array element.
        (
            {
                "contracts": [
                    {"period": {"startDate": "2020-01-02", "endDate": "2020-01-01"}},
                    {"period": {"startDate": "2020-01-01", "endDate": "2020-01-03"}},
                ]
            },
            [("contracts.period.startDate", "contracts.period.endDate", SAME_ELEMENT)],
            (
                2,
                1,
                [
                    fail(
                        "contracts[0].period.startDate",
                        "2020-01-02",
                        "contracts[0].period.endDate",
                        "2020-01-01",
                    )
                ],
            ),
        ),
        # Same element, no element has both → no pairs set.
        (
            {"contracts": [{"period": {"startDate": "2020-01-02"}}, {"period": {"endDate": "2020-01-01"}}]},
            [("contracts.period.startDate", "contracts.period.endDate", SAME_ELEMENT)],
            NO_PAIRS_SET,
        ),
        # Same element with a single object instead of an array: paths have no index.
        (
            {"contracts": {"period": {"startDate": "2020-01-02", "endDate": "2020-01-01"}}},
            [("contracts.period.startDate", "contracts.period.endDate", SAME_ELEMENT)],
            (
                1,
                0,
                [fail("contracts.period.startDate", "2020-01-02", "contracts.period.endDate", "2020-01-01")],
            ),
        ),
        # Same object: the same document only.
        (
            {
                "tender": {
                    "documents": [
                        {"datePublished": "2020-01-02", "dateModified": "2020-01-01"},
                        {"datePublished": "2020-01-01"},
                        {"dateModified": "2019-01-01"},
                    ]
                }
            },
            [("tender.documents.datePublished", "tender.documents.dateModified", SAME_OBJECT)],
            (
                1,
                0,
                [
                    fail(
                        "tender.documents[0].datePublished",
                        "2020-01-02",
                        "tender.documents[0].dateModified",
                        "2020-01-01",
                    )
                ],
            ),
        ),
        # Rules in order; failures listed in the order tested.
        (
            {"a": "2020-01-03", "b": "2020-01-02", "c": "2020-01-01"},
            [("a", "c", None), ("a", "b", None), ("b", "c", None)],
            (
                3,
                0,
                [
                    fail("a", "2020-01-03", "c", "2020-01-01"),
                    fail("a", "2020-01-03", "b", "2020-01-02"),
                    fail("b", "2020-01-02", "c", "2020-01-01"),
                ],
            ),
        ),
        # Odd input: non-string dates, arrays of scalars, objects where a string is expected.
        ({"a": 20200101, "b": {"x": 1}}, [("a", "b", None)], NO_PAIRS_PARSEABLE),
        ({"a": [1, "2020-01-01"], "b": ["2021-01-01"]}, [("a", "b", None)], (1, 1, [])),
    ],
)
def test_evaluate(item, rules, expected):
    result = evaluate(item, rules)
    assert result["version"] == 1.0
    if isinstance(expected, str):
        assert result == {
            "result": None,
            "meta": {"reason": expected},
            "application_count": None,
            "pass_count": None,
            "version": 1.0,
        }
        return
    applications, passes, failed = expected
    assert result["application_count"] == applications
    assert result["pass_count"] == passes
    assert result["result"] is (applications == passes)
    assert result["meta"] == (None if not failed else {"failed_paths": failed})


def test_add_pair_counts_as_set_even_when_unparsable():
    pairs = DatePairs({})
    pairs.add_pair("x", None, "y", "2020-01-01")
    assert pairs.result()["meta"] == {"reason": NO_PAIRS_PARSEABLE}
    pairs.add_pair("x", "2020-01-02", "y", "2020-01-01")
    assert pairs.result()["meta"] == {"failed_paths": [fail("x", "2020-01-02", "y", "2020-01-01")]}


def test_an_item_mutated_between_calls_is_read_afresh():
    item = {"a": "2020-01-02", "b": "2020-01-03"}
    assert evaluate(item, [("a", "b", None)])["result"] is True
    item["b"] = "2020-01-01"
    assert evaluate(item, [("a", "b", None)])["result"] is False
