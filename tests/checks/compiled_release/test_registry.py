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


_REPLACEMENTS = [
    None,
    "",
    "nan",
    "-Infinity",
    0,
    1,
    1.0,
    True,
    [],
    {},
    [None],
    [1, "x"],
    {"id": {"a": 1}},
    "2020-1-1",
]


def _mutate(node, rng, rate):
    """A copy of ``node`` with random type and shape changes (seeded)."""
    if rng.random() < rate:
        choice = rng.randrange(4)
        if choice == 0:
            return rng.choice(_REPLACEMENTS)
        if choice == 1:
            return [node]  # wrapped in an array
        if choice == 2 and isinstance(node, list) and node:
            return node[0]  # unwrapped
        if choice == 3 and isinstance(node, dict):
            return list(node.values())  # an object turned into an array of its values
    if isinstance(node, dict):
        return {k: _mutate(v, rng, rate) for k, v in node.items()}
    if isinstance(node, list):
        return [_mutate(v, rng, rate) for v in node]
    return node


def test_mutated_real_items_never_crash(ctx):
    import random

    from tests.conformance.compare import input_file, iter_items

    rng = random.Random(7)
    items = [
        item
        for folder in ("mexico-inai", "uk-contracts-finder", "moldova")
        for _, item in iter_items(input_file(folder))
    ]
    for item in items[:60]:
        for rate in (0.02, 0.1, 0.3):
            mutated = {k: _mutate(v, rng, rate) for k, v in item.items()}  # an item is always an object
            results = check_item(mutated, ctx)
            for name, function in CHECKS.items():
                assert results[name] == function(mutated, ctx), name
            json.dumps(results)  # JSON-serialisable
