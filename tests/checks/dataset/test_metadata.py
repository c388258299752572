"""Dataset metadata (docs/pipeline.md §6.2)."""

from __future__ import annotations

from pelican_dagster.checks.dataset import DatasetChecker, extract_facts


def metadata(ctx, items):
    checker = DatasetChecker(ctx)
    checker.extend((i, extract_facts(item)) for i, item in enumerate(items, 1))
    return checker.metadata()


def test_counts(ctx):
    items = [
        {
            "ocid": "a",
            "planning": None,
            "tender": {},
            "awards": [{}, {}],
            "contracts": [{"implementation": None}],
        },
        {
            "ocid": "a",
            "tender": {"id": 1},
            "awards": {"id": 1},
            "contracts": [{"implementation": [{}, {}]}, {}],
        },
        {"ocid": 1, "contracts": {"implementation": {}}},
        {"ocid": 1.0},  # equal to 1 in Python
        {"ocid": None},
        {"ocid": ""},
        {"ocid": {"x": 1}},
        {"ocid": {"x": 1}},  # objects never match anything (Pelican raises)
        {"planning": {}, "tender": {}},  # no ocid: skipped
    ]
    assert metadata(ctx, items) == {
        "compiled_releases": {"total_unique_ocids": 6},
        "tender_lifecycle": {"planning": 1, "tender": 2, "award": 2, "contract": 3, "implementation": 4},
    }


def test_empty(ctx):
    assert metadata(ctx, []) == {
        "compiled_releases": {"total_unique_ocids": 0},
        "tender_lifecycle": {"planning": 0, "tender": 0, "award": 0, "contract": 0, "implementation": 0},
    }
