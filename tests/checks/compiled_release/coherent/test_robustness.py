"""No coherent check raises on any JSON: seeded type/shape mutations of real items (docs/checks.md §0.9)."""

from __future__ import annotations

import copy
import random
from typing import Any

from pelican_dagster.checks.compiled_release.coherent import CHECKS
from tests.conformance.compare import input_file, iter_items

ODD_VALUES: list[Any] = [
    None,
    "",
    "nan",
    "-inf",
    "1e400",
    "2020-1-1T00:00:00Z",
    "2020-W01",
    "x" * 10_000,
    0,
    1,
    -1.5,
    True,
    10**30,
    [],
    {},
    [None],
    [1, "a"],
    {"amount": "nan", "currency": ["USD"]},
    {"status": {"a": 1}, "id": [1]},
]


def _nodes(node: Any, out: list[tuple[Any, Any]]) -> None:
    """Every (container, key) pair in the tree."""
    if type(node) is dict:
        for key, value in node.items():
            out.append((node, key))
            _nodes(value, out)
    elif type(node) is list:
        for index, value in enumerate(node):
            out.append((node, index))
            _nodes(value, out)


def _mutate(item: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    item = copy.deepcopy(item)
    for _ in range(rng.randint(1, 8)):
        places: list[tuple[Any, Any]] = []
        _nodes(item, places)
        if not places:
            break
        container, key = rng.choice(places)
        choice = rng.random()
        if choice < 0.6:
            container[key] = copy.deepcopy(rng.choice(ODD_VALUES))
        elif choice < 0.8:
            container[key] = [container[key]]  # wrap in an array
        elif type(container[key]) is list and container[key]:
            container[key] = container[key][0]  # unwrap an array
        elif type(container) is dict:
            del container[key]
    return item


def test_no_check_raises_on_mutated_items(ctx):
    rng = random.Random(20261129)
    items = [item for _, item in iter_items(input_file("moldova"))][:20]
    items += [item for _, item in iter_items(input_file("taiwan"))][:10]
    for item in items:
        for _ in range(10):
            mutated = _mutate(item, rng)
            for name, check in CHECKS.items():
                result = check(mutated, ctx)
                assert set(result) == {"result", "meta", "application_count", "pass_count", "version"}, name
                if result["result"] is None:
                    assert set(result["meta"]) == {"reason"}, name
