"""The coverage checks (docs/checks.md §1.3) on their own."""

from __future__ import annotations

import pytest

from pelican_dagster.checks.field import coverage


@pytest.mark.parametrize(
    ("parent", "outcome"),
    [
        ({"k": "v"}, (True, None, None)),
        ({"k": None}, (True, None, None)),  # a null value exists
        ({"k": ""}, (True, None, None)),
        ({}, (False, None, "not set")),
        ({"K": 1}, (False, None, "not set")),
        (None, (False, None, "parent is a NoneType, not an object")),
        ("string", (False, "string", "parent is a str, not an object")),
        (1, (False, 1, "parent is a int, not an object")),
        (1.5, (False, 1.5, "parent is a float, not an object")),
        (True, (False, True, "parent is a bool, not an object")),
        ([{"k": 1}], (False, [{"k": 1}], "parent is a list, not an object")),
    ],
)
def test_exists(parent, outcome):
    assert coverage.exists(parent, "k") == outcome


@pytest.mark.parametrize(
    ("value", "outcome"),
    [
        ("v", (True, None, None)),
        (" ", (True, None, None)),
        ("0", (True, None, None)),
        (0, (True, None, None)),
        (0.0, (True, None, None)),
        (False, (True, None, None)),
        ([None], (True, None, None)),
        ({"a": None}, (True, None, None)),
        ("x" * 100_000, (True, None, None)),
        (None, (False, None, "null value")),
        ("", (False, "", "empty string")),
        ({}, (False, {}, "empty object")),
        ([], (False, [], "empty array")),
    ],
)
def test_non_empty(value, outcome):
    assert coverage.non_empty({"k": value}, "k") == outcome


def test_non_empty_parent_and_missing_key():
    assert coverage.non_empty({}, "k") == (False, None, "not set")
    assert coverage.non_empty("s", "k") == (False, "s", "parent is a str, not an object")
