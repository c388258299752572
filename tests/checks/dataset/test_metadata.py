"""Dataset metadata (docs/pipeline.md §6.2)."""

from __future__ import annotations

from pelican_dagster.checks.dataset import DatasetChecker, DatasetMetadata, extract_facts
from pelican_dagster.checks.dataset.facts import OCID
from pelican_dagster.checks.dataset.related_process_identifier import RelatedProcessIdentifier


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


def test_the_distinct_ocids_are_kept_once(ctx):
    # The count shares the identifier check's set of truthy ocids (one entry per ocid, not two), and
    # counts as a fold of its own would.
    items = [{"ocid": o} for o in ("a", "b", "a", 1, 1.0, True, 0, False, "", None)]
    checker = DatasetChecker(ctx)
    checker.extend((i, extract_facts(item)) for i, item in enumerate(items, 1))
    identifier = next(c for c in checker._checks if isinstance(c, RelatedProcessIdentifier))
    assert checker._metadata.truthy is identifier.targets
    alone = DatasetMetadata()
    for i, item in enumerate(items, 1):
        facts = extract_facts(item)
        alone.add_item(i, facts[OCID], facts)
    assert checker.metadata() == alone.result()
    assert alone.result()["compiled_releases"]["total_unique_ocids"] == 6  # a b 1 0 "" null
