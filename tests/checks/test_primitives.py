"""The shared primitives of every check (docs/checks.md §0): traversal, coercion, date parsing."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from pelican_dagster.checks.primitives import (
    as_number,
    as_text,
    get,
    has,
    is_truthy,
    parse_date,
    parse_datetime,
    split_path,
    type_name,
    values_at_path,
)

UTC = dt.UTC


@pytest.mark.parametrize(
    ("value", "name"),
    [(None, "NoneType"), ("", "str"), (1, "int"), (1.5, "float"), (True, "bool"), ([], "list"), ({}, "dict")],
)
def test_type_name(value, name):
    assert type_name(value) == name


@pytest.mark.parametrize(
    ("value", "truthy"),
    [
        (None, False),
        ("", False),
        (0, False),
        (0.0, False),
        (False, False),
        ([], False),
        ({}, False),
        (" ", True),
        ("0", True),
        ([None], True),
        ({"a": None}, True),
        (-1, True),
    ],
)
def test_is_truthy(value, truthy):
    assert is_truthy(value) is truthy


@pytest.mark.parametrize(
    ("value", "number"),
    [
        (1, 1.0),
        (2.5, 2.5),
        (True, 1.0),
        (False, 0.0),
        ("5", 5.0),
        (" 5 ", 5.0),
        ("1_000", 1000.0),
        ("1e3", 1000.0),
        ("-Infinity", -math.inf),
        ("abc", None),
        ("", None),
        (None, None),
        ({}, None),
        ([1], None),
        (10**400, None),
    ],
)
def test_as_number(value, number):
    assert as_number(value) == number


def test_as_number_nan():
    assert math.isnan(as_number("nan"))
    assert math.isnan(as_number("NaN"))


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("a", "a"),
        (1, "1"),
        (1.0, "1.0"),
        (True, "True"),
        (None, "None"),
        ([1], "[1]"),
        ({"k": "v"}, "{'k': 'v'}"),
    ],
)
def test_as_text(value, text):
    assert as_text(value) == text


def test_split_path():
    assert split_path("") == ()
    assert split_path("a.b") == ("a", "b")


ITEM = {
    "tender": {"id": "t", "items": [{"id": "i0"}, {"id": "i1"}, None, "s"]},
    "awards": [{"id": "a0", "suppliers": [{"id": "s0"}]}, {"id": None}],
    "single": {"date": "2020"},
    "nested": [[{"id": "x"}]],
    "nul": None,
}


@pytest.mark.parametrize(
    ("path", "occurrences"),
    [
        ("", [("", ITEM)]),
        ("tender.id", [("tender.id", "t")]),
        (
            "tender.items",
            [
                ("tender.items[0]", {"id": "i0"}),
                ("tender.items[1]", {"id": "i1"}),
                ("tender.items[2]", None),
                ("tender.items[3]", "s"),
            ],
        ),
        ("tender.items.id", [("tender.items[0].id", "i0"), ("tender.items[1].id", "i1")]),
        ("awards.id", [("awards[0].id", "a0"), ("awards[1].id", None)]),  # a null value is an occurrence
        ("awards.suppliers.id", [("awards[0].suppliers[0].id", "s0")]),
        ("single", [("single", {"date": "2020"})]),
        ("single.date", [("single.date", "2020")]),
        ("nested.id", []),  # an array inside an array is not entered
        ("nul", [("nul", None)]),
        ("nul.id", []),
        ("missing", []),
        ("tender.id.more", []),
    ],
)
def test_values_at_path(path, occurrences):
    assert values_at_path(ITEM, path) == occurrences


def test_values_at_path_of_null_node():
    assert values_at_path(None, "a") == []


@pytest.mark.parametrize(
    ("path", "coerce", "value"),
    [
        ("tender.id", None, "t"),
        ("tender.missing", None, None),
        ("tender.missing", "object", {}),
        ("tender.missing", "array", []),
        ("tender.missing", "text", ""),
        ("tender.missing", "number", None),
        ("awards.id", None, None),  # no array expansion: unset
        ("tender", "array", []),  # an object where an array is expected counts as empty
        ("tender.items", "array", ITEM["tender"]["items"]),
        ("tender.items", "object", {}),
        ("single.date", "date", dt.date(2020, 1, 1)),
        ("single.date", "datetime", dt.datetime(2020, 1, 1)),
        ("nul", "text", "None"),
        ("nul", "number", None),
        ("tender.id", "number", None),
    ],
)
def test_get(path, coerce, value):
    assert get(ITEM, path, coerce) == value


def test_has():
    assert has(ITEM, "nul")
    assert has(ITEM, "tender.items")
    assert not has(ITEM, "awards.id")
    assert not has(ITEM, "tender.nope")


@pytest.mark.parametrize(
    ("value", "date"),
    [
        ("2001-02-03T04:05:06Z", dt.date(2001, 2, 3)),
        ("2001-02-03T23:00:00-10:00", dt.date(2001, 2, 3)),  # the local date as written
        ("2001-02-03xxx", dt.date(2001, 2, 3)),
        ("2001", dt.date(2001, 1, 1)),
        ("2001-02", dt.date(2001, 2, 1)),
        ("2020-W01", dt.date(2019, 12, 30)),
        ("2020-W01-2", dt.date(2019, 12, 31)),
        ("2020-032", dt.date(2020, 2, 1)),
        ("20200101", dt.date(2020, 1, 1)),
        ("2020-1-1", dt.date(2020, 1, 1)),
        ("2020-1-15", dt.date(2020, 1, 15)),
        ("2020-12-1", dt.date(2020, 12, 1)),
        ("2020-01-01T25:00:00Z", dt.date(2020, 1, 1)),
        ("2020-1-1T00:00:00Z", None),
        ("2020-1-15x", None),
        ("2020-13-01", None),
        ("2000-02-30", None),
        ("10000-01-01", None),
        ("", None),
        ("garbage", None),
        (20200101, None),
        (None, None),
        (["2020-01-01"], None),
    ],
)
def test_parse_date(value, date):
    assert parse_date(value) == date


@pytest.mark.parametrize(
    ("value", "moment"),
    [
        ("2020-01-01", dt.datetime(2020, 1, 1)),
        ("2020-01-01T04", dt.datetime(2020, 1, 1, 4)),
        ("2020-01-01T04:05", dt.datetime(2020, 1, 1, 4, 5)),
        ("2020-01-01T04:05:06.5Z", dt.datetime(2020, 1, 1, 4, 5, 6, 500000, tzinfo=UTC)),
        ("2020-01-01T24:00", dt.datetime(2020, 1, 2)),
        ("2020-01-01T00:00:00+0530", dt.datetime(2020, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=5.5)))),
        ("2020-1-1T00:00:00Z", dt.datetime(2020, 1, 1, tzinfo=UTC)),
        ("2020-01-01T25:00:00Z", None),
        ("2020-1-1", None),
        ("", None),
        (5, None),
    ],
)
def test_parse_datetime(value, moment):
    assert parse_datetime(value) == moment
