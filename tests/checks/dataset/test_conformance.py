"""The 24 dataset-level rows and the dataset metadata agree with Pelican's reference results."""

from __future__ import annotations

import pytest

from pelican_dagster.checks.dataset import CHECK_NAMES, DatasetChecker, extract_facts
from tests.conformance.compare import FOLDERS, differences, input_file, iter_items, reference


@pytest.mark.parametrize("folder", FOLDERS)
def test_dataset_level_rows_and_metadata(folder, ctx):
    facts = {line: extract_facts(item) for line, item in iter_items(input_file(folder))}
    checker = DatasetChecker(ctx, lookup=lambda ids: {i: facts[i] for i in ids})
    for item_id, f in facts.items():
        checker.add(item_id, f)
    ours = checker.results()
    expected = reference(folder, "dataset_level")

    assert [r["check_name"] for r in ours] == list(CHECK_NAMES)
    assert [r["check_name"] for r in expected] == list(CHECK_NAMES)
    problems = [
        d for e, o in zip(expected, ours, strict=True) for d in differences(e, o, f"{e['check_name']}")
    ]
    assert problems == []

    meta = reference(folder, "dataset_meta")["meta"]
    ours_meta = checker.metadata()
    assert ours_meta["tender_lifecycle"] == meta["tender_lifecycle"]
    assert (
        ours_meta["compiled_releases"]["total_unique_ocids"]
        == meta["compiled_releases"]["total_unique_ocids"]
    )
