"""The registry and runner of the 37 compiled-release-level checks (``compiled_release/__init__.py``)."""

from __future__ import annotations

import json

import pytest

from pelican_dagster.checks.compiled_release import (
    CHECK_NAMES,
    CHECKS,
    check_item,
    consistent,
    reference,
    to_pelican,
)

ODD_ITEMS = [
    {},
    {"parties": None, "awards": None, "contracts": None, "tender": None, "buyer": None, "planning": None},
    {"parties": "x", "awards": "x", "contracts": "x", "tender": "x", "buyer": "x", "date": "x"},
    {"parties": [1, None, [], "id"], "awards": [1, "suppliers", [{"suppliers": 1}]], "contracts": [[], 5]},
    {"parties": {"id": {"a": [1]}, "roles": [{"x": 1}, ["supplier"]], "name": ["n"]}, "buyer": {"id": [{}]}},
    {
        "tender": {
            "tenderers": [{"id": float("nan")}],
            "numberOfTenderers": float("inf"),
            "value": {"amount": "nan"},
        },
        "planning": {"budget": {"amount": {"amount": float("nan"), "currency": ["USD"]}}},
    },
]


def test_names_in_spec_order():
    assert CHECK_NAMES[:12] == tuple(n for n in CHECK_NAMES if n.startswith("coherent."))
    assert CHECK_NAMES[12:30] == tuple(consistent.CHECKS)
    assert CHECK_NAMES[30:] == tuple(reference.CHECKS)
    assert tuple(CHECKS) == CHECK_NAMES


@pytest.mark.parametrize("item", ODD_ITEMS)
def test_check_item_never_crashes_and_equals_each_check_alone(ctx, item):
    before = json.dumps(item)
    results = check_item(item, ctx)
    assert tuple(results) == CHECK_NAMES
    for name, function in CHECKS.items():
        assert results[name] == function(item, ctx), name
        assert set(results[name]) == {"result", "meta", "application_count", "pass_count", "version"}
    assert json.dumps(item) == before  # the checks do not change the item


def test_to_pelican_shape(ctx):
    results = check_item({"ocid": "ocds-x-1"}, ctx)
    shaped = to_pelican(results, "ocds-x-1", 42)
    assert shaped == {"meta": {"ocid": "ocds-x-1", "item_id": 42}, "checks": results}
