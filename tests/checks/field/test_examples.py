"""Examples built on demand (pelican_dagster/checks/field/examples.py) agree with Pelican's entries."""

from __future__ import annotations

import pytest

from pelican_dagster.checks.field.evaluate import build_entry, path_parents
from pelican_dagster.checks.field.examples import (
    EXISTS,
    EXISTS_PASSED,
    NON_EMPTY,
    NON_EMPTY_PASSED,
    QUALITY,
    ItemExamples,
    nth,
    parents,
)
from pelican_dagster.checks.field.paths import PATHS
from tests.conformance.compare import FOLDERS, input_file, iter_items

ODD_ITEMS = [
    {"ocid": "x", "awards": [[{"id": 1}, [{"id": 2}]], None, {"id": ""}, [], 3]},
    {"ocid": "x", "awards": {"id": "a", "items": [{"id": 1}, None, [{"id": 2}, {"id": None}]]}},
    {"ocid": "x", "tender": {"items": [[], [[]], {"classification": [{"id": 1}, None]}]}},
    {"ocid": "x", "parties": None, "buyer": [None, {"identifier": [1, {"scheme": "x"}]}], "tender": "x"},
]


def _items():
    for folder in FOLDERS:
        for _, item in iter_items(input_file(folder)):
            if "ocid" in item:
                yield item
    yield from ODD_ITEMS


def test_parents_match_path_parents():
    checked = 0
    for item in _items():
        cache = {}
        for field in PATHS:
            expected = path_parents(item, field, cache)
            groups = parents(item, tuple(field.path.split(".")[:-1]))
            assert [nth(groups, p) for p in range(len(expected))] == expected, field.path
            with pytest.raises(IndexError):
                nth(groups, len(expected))
            checked += len(expected)
    assert checked > 10_000


def test_examples_match_entries(ctx):
    for item in [*ODD_ITEMS, next(_items())]:
        examples = ItemExamples(item, 7, item["ocid"], ctx)
        for field in PATHS:
            for position, (parent_path, parent) in enumerate(path_parents(item, field)):
                entry = build_entry(field, parent_path, parent, ctx)
                results = entry["coverage"]["check_results"]
                wanted = {EXISTS: results[0]}
                if results[0]["result"]:
                    wanted[EXISTS_PASSED] = results[0]
                if len(results) > 1:
                    wanted[NON_EMPTY] = results[1]
                    if results[1]["result"]:
                        wanted[NON_EMPTY_PASSED] = results[1]
                if entry["quality"]["check_results"]:
                    wanted[QUALITY] = entry["quality"]["check_results"][0]
                for which, result in wanted.items():
                    example = examples.example(field.index, position, which)
                    assert example == {
                        "meta": {"ocid": item["ocid"], "item_id": 7},
                        "path": entry["path"],
                        "result": result,
                    }
