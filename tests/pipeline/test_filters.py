"""The dataset filter (docs/pipeline.md §3, with the intended semantics): parsing, validation and matching."""

from __future__ import annotations

import datetime as dt

import pytest

from pelican_dagster.pipeline.filters import (
    KNOWN_KEYS,
    FilterError,
    FilterSpec,
    ilike_to_regex,
    inherited_meta,
)
from tests.conformance.compare import DATA, iter_items


def item(date=None, buyer=None, entity=None, **extra):
    """A compiled release with the fields the filter reads (``...`` leaves a field out)."""
    out = {"ocid": "ocds-x-1", **extra}
    if date is not ...:
        out["date"] = date
    if buyer is not ...:
        out["buyer"] = {"name": buyer}
    if entity is not ...:
        out["tender"] = {"procuringEntity": {"name": entity}}
    return out


MINISTRY = item("2020-02-02T10:00:00Z", "Ministry of Health", "Hospital Central")

# (message, item, expected)
CASES = [
    # dates: inclusive calendar days, the time and offset ignored
    ({"release_date_to": "2020-02-02"}, MINISTRY, True),
    ({"release_date_to": "2020-02-01"}, MINISTRY, False),
    ({"release_date_from": "2020-02-02"}, MINISTRY, True),
    ({"release_date_from": "2020-02-03"}, MINISTRY, False),
    ({"release_date_from": "2020-02-02", "release_date_to": "2020-02-02"}, MINISTRY, True),
    ({"release_date_to": "2020-02-02T00:00:00Z"}, MINISTRY, True),  # a date-time bound counts by its date
    ({"release_date_to": "2020-02-02"}, item("2020-02-02T23:59:59-05:00"), True),  # the date as written
    ({"release_date_from": "2020-01-01"}, item("2020"), True),  # "2020" reads as 2020-01-01 (parse_date)
    ({"release_date_from": "2020-01-02"}, item("2020"), False),
    ({"release_date_from": "2019-12-31"}, item("2020"), True),
    ({"release_date_from": "2020-01-01"}, item(...), False),  # no date
    ({"release_date_from": "2020-01-01"}, item(None), False),
    ({"release_date_from": "2020-01-01"}, item("not a date"), False),
    ({"release_date_from": "2020-01-01"}, item(20200202), False),  # a number is not a date
    ({"release_date_to": "2030-01-01"}, item("2020-13-45"), False),
    ({"buyer": ["Ministry of Health"]}, item(...), False),
    (
        {"buyer": ["Ministry of Health"]},
        item(..., "Ministry of Health"),
        True,
    ),  # no date needed without bounds
    # exact names
    ({"buyer": ["Ministry of Health", "Other"]}, MINISTRY, True),
    ({"buyer": ["ministry of health"]}, MINISTRY, False),  # exact: case matters
    ({"buyer": ["Ministry"]}, MINISTRY, False),
    ({"procuring_entity": ["Hospital Central"]}, MINISTRY, True),
    ({"procuring_entity": ["Ministry of Health"]}, MINISTRY, False),
    # real regular expressions: case-insensitive search
    ({"buyer_regex": "health$"}, MINISTRY, True),
    ({"buyer_regex": "^ministry"}, MINISTRY, True),
    ({"buyer_regex": "^health"}, MINISTRY, False),
    ({"buyer_regex": "Min.stry of (Health|Education)"}, MINISTRY, True),
    ({"buyer_regex": "%Health%"}, MINISTRY, False),  # "%" is a literal character in a regex
    ({"procuring_entity_regex": "hospital"}, MINISTRY, True),
    ({"procuring_entity_regex": "clinic"}, MINISTRY, False),
    # ILIKE patterns: whole string, case-insensitive, % and _ wildcards
    ({"buyer_pattern": "%health%"}, MINISTRY, True),
    ({"buyer_pattern": "ministry%"}, MINISTRY, True),
    ({"buyer_pattern": "ministry"}, MINISTRY, False),  # whole string
    ({"buyer_pattern": "Ministry of Healt_"}, MINISTRY, True),
    ({"buyer_pattern": "Ministry of Heal_"}, MINISTRY, False),
    ({"buyer_pattern": "min.stry%"}, MINISTRY, False),  # "." is a literal character in a pattern
    ({"buyer_pattern": "50\\%"}, item(..., "50%"), True),
    ({"buyer_pattern": "50\\%"}, item(..., "500"), False),
    ({"buyer_pattern": "a\\_b"}, item(..., "a_b"), True),
    ({"buyer_pattern": "a\\_b"}, item(..., "axb"), False),
    ({"buyer_pattern": "%"}, item(..., ""), True),
    ({"buyer_pattern": "line%"}, item(..., "line one\nline two"), True),
    ({"procuring_entity_pattern": "HOSPITAL %"}, MINISTRY, True),
    # combinations are AND-ed
    ({"buyer_pattern": "%health", "procuring_entity": ["Hospital Central"]}, MINISTRY, True),
    ({"buyer_pattern": "%health", "procuring_entity": ["Elsewhere"]}, MINISTRY, False),
    ({"buyer": ["Ministry of Health"], "buyer_regex": "education"}, MINISTRY, False),
    ({"buyer": ["Ministry of Health"], "release_date_to": "2020-01-01"}, MINISTRY, False),
    (
        {
            "release_date_from": "2020-01-01",
            "release_date_to": "2020-12-31",
            "buyer_regex": "ministry",
            "procuring_entity_pattern": "%central",
            "max_items": 1,
        },
        MINISTRY,
        True,
    ),
    # odd types: a name that is not a string matches no name filter
    ({"buyer": ["None"]}, item(..., None), False),
    ({"buyer_pattern": "%"}, item(..., None), False),
    ({"buyer_regex": "."}, item(..., 5), False),
    ({"buyer": ["5"]}, item(..., 5), False),
    ({"buyer_pattern": "%"}, {"ocid": "x", "buyer": None}, False),
    ({"buyer_pattern": "%"}, {"ocid": "x", "buyer": ["Ministry"]}, False),
    ({"buyer_pattern": "%"}, {"ocid": "x", "buyer": "Ministry"}, False),
    ({"procuring_entity_regex": "."}, {"ocid": "x", "tender": {"procuringEntity": None}}, False),
    ({"procuring_entity_regex": "."}, {"ocid": "x", "tender": []}, False),
    ({"max_items": 1}, {"ocid": "x", "buyer": None, "date": 5}, True),  # no condition on fields
    ({"max_items": 1}, None, False),  # not an object
    ({"max_items": 1}, ["not", "an", "object"], False),
    ({"buyer_regex": "x"}, item(..., "x" * 1_000_000), True),  # a huge name
]


@pytest.mark.parametrize(("message", "data", "expected"), CASES)
def test_matches(message, data, expected):
    assert FilterSpec.parse(message).matches(data) is expected


INVALID = [
    (None, "JSON object"),
    ([], "JSON object"),
    ("buyer", "JSON object"),
    ({}, "empty"),
    ({"buyer_name": ["x"]}, "unknown filter key(s): buyer_name"),
    ({"max_items": 3, "foo": 1, "bar": 2}, "bar, foo"),
    ({"release_date_from": "2020-02-30"}, "not a valid ISO 8601 date"),
    ({"release_date_from": "yesterday"}, "not a valid ISO 8601 date"),
    ({"release_date_to": "2020-02-02T25:00:00Z"}, "not a valid ISO 8601 date"),
    ({"release_date_to": 20200202}, "must be a date written as text"),
    ({"release_date_to": None}, "must be a date written as text"),
    ({"release_date_to": ""}, "must be a date written as text"),
    ({"release_date_from": "2020-03-01", "release_date_to": "2020-02-01"}, "is after"),
    ({"buyer": "Ministry"}, "non-empty list"),
    ({"buyer": []}, "non-empty list"),
    ({"buyer": ["a", 5]}, "only strings"),
    ({"procuring_entity": [None]}, "only strings"),
    ({"buyer_regex": "("}, "not a valid regular expression"),
    ({"buyer_regex": "[a-"}, "not a valid regular expression"),
    ({"procuring_entity_regex": 5}, "non-empty string"),
    ({"buyer_regex": ""}, "non-empty string"),
    ({"buyer_pattern": ["%x%"]}, "non-empty string"),
    ({"buyer_pattern": "abc\\"}, "escape character"),
    ({"max_items": 0}, "positive integer"),
    ({"max_items": -5}, "positive integer"),
    ({"max_items": 2.5}, "positive integer"),
    ({"max_items": "10"}, "positive integer"),
    ({"max_items": True}, "positive integer"),
    ({"max_items": None}, "positive integer"),
]


@pytest.mark.parametrize(("message", "error"), INVALID)
def test_invalid_messages_are_rejected(message, error):
    with pytest.raises(FilterError) as raised:
        FilterSpec.parse(message)
    assert error in str(raised.value)


def test_filter_error_is_a_value_error():
    assert issubclass(FilterError, ValueError)


@pytest.mark.parametrize(
    ("message", "normalised"),
    [
        ({"release_date_to": "2020-02-02T10:00:00Z"}, {"release_date_to": "2020-02-02"}),
        ({"release_date_from": " 2020-01-01 "}, {"release_date_from": "2020-01-01"}),
        ({"buyer": ["b", "a", "b"]}, {"buyer": ["b", "a"]}),
        (
            {
                "max_items": 5,
                "procuring_entity_pattern": "%x",
                "buyer_regex": "y",
                "release_date_from": "2020-01-01",
            },
            {
                "release_date_from": "2020-01-01",
                "buyer_regex": "y",
                "procuring_entity_pattern": "%x",
                "max_items": 5,
            },
        ),
    ],
)
def test_to_message_is_normalised(message, normalised):
    out = FilterSpec.parse(message).to_message()
    assert out == normalised
    assert list(out) == [k for k in KNOWN_KEYS if k in out]
    # parsing the normalised message gives the same filter
    assert FilterSpec.parse(out).to_message() == out


def test_every_key_round_trips():
    message = {
        "release_date_from": "2020-01-01",
        "release_date_to": "2020-12-31",
        "buyer": ["A"],
        "buyer_regex": "a",
        "buyer_pattern": "a%",
        "procuring_entity": ["B"],
        "procuring_entity_regex": "b",
        "procuring_entity_pattern": "b%",
        "max_items": 3,
    }
    spec = FilterSpec.parse(message)
    assert spec.to_message() == message
    assert spec.release_date_from == dt.date(2020, 1, 1) and spec.max_items == 3


def test_select_keeps_order_and_stops_at_max_items():
    items = [item(f"2020-01-{day:02d}", f"Buyer {day % 2}") for day in range(1, 11)]
    spec = FilterSpec.parse({"buyer": ["Buyer 1"], "max_items": 3})
    assert [i["date"] for i in spec.select(items)] == ["2020-01-01", "2020-01-03", "2020-01-05"]
    assert list(FilterSpec.parse({"buyer": ["nobody"]}).select(items)) == []  # empty is a valid result
    assert len(list(FilterSpec.parse({"release_date_to": "2020-01-04"}).select(items))) == 4


def test_select_is_lazy():
    def endless():
        while True:
            yield item("2020-01-01", "x")

    assert len(list(FilterSpec.parse({"max_items": 2}).select(endless()))) == 2


def test_ilike_to_regex():
    regex = ilike_to_regex("a%b_c(d)")
    assert regex.fullmatch("A..B1C(D)") and not regex.fullmatch("ab1cd")


def test_on_real_data():
    items = [release for _, release in iter_items(DATA / "paraguay.jsonl.gz")]
    dates = sorted(release["date"][:10] for release in items)
    middle = dates[len(dates) // 2]
    before = list(FilterSpec.parse({"release_date_to": middle}).select(items))
    after = list(FilterSpec.parse({"release_date_from": middle}).select(items))
    same_day = sum(1 for d in dates if d == middle)
    assert len(before) + len(after) == len(items) + same_day
    assert all(r["date"][:10] <= middle for r in before)


def test_inherited_meta():
    meta = {
        "kingfisher_metadata": {"collection_id": 1},
        "collection_metadata": {"publisher": "P"},
        "tender_lifecycle": {"tender": 3},
        "compiled_releases": {"total_unique_ocids": 3},
        "data_quality_tool_metadata": {"processing_start": "x"},
    }
    assert inherited_meta(meta) == {
        "kingfisher_metadata": {"collection_id": 1},
        "collection_metadata": {"publisher": "P"},
    }
    assert meta["tender_lifecycle"] == {"tender": 3}  # the original is left alone
    assert inherited_meta(None) == {}


def test_from_message_is_parse():
    assert FilterSpec.from_message({"max_items": 2}) == FilterSpec.parse({"max_items": 2})
