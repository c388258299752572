"""DatasetChecker: row order and shape, skipped items, stored bytes, no items."""

from __future__ import annotations

import orjson

from pelican_dagster.checks.dataset import CHECK_NAMES, DatasetChecker, extract_facts
from tests.checks.dataset.conftest import run


def test_no_items_no_rows(ctx):
    checker = DatasetChecker(ctx)
    assert checker.results() == []
    checker.add(1, extract_facts({"tender": {"id": "x"}}))  # no ocid: skipped
    assert checker.results() == []
    assert checker.skipped == 1


def test_rows_in_definition_order_with_versions(ctx):
    rows, _ = run(ctx, [{"ocid": "a"}])
    assert list(rows) == list(CHECK_NAMES)
    for row in rows.values():
        assert set(row) == {"check_name", "result", "value", "meta"}
        assert "version" in row["meta"]
        assert row["value"] is None or isinstance(row["value"], int)


def test_items_without_ocid_are_skipped_by_every_check(ctx):
    with_ocid = {"ocid": "a", "tender": {"id": "t", "status": "active"}}
    without = {"tender": {"id": "t", "status": "complete"}}
    rows, checker = run(ctx, [with_ocid, without])
    assert rows["unique.tender_id"]["result"] is True
    assert rows["distribution.tender_status"]["meta"]["shares"].keys() == {"active"}
    assert checker.metadata()["compiled_releases"]["total_unique_ocids"] == 1
    assert (checker.items, checker.skipped) == (1, 1)


def test_accepts_stored_bytes(ctx):
    item = {"ocid": "a", "tender": {"id": "t", "status": "active", "value": {"amount": 1, "currency": "USD"}}}
    by_dict, _ = run(ctx, [item])
    checker = DatasetChecker(ctx, lookup=lambda ids: {i: orjson.dumps(extract_facts(item)) for i in ids})
    checker.add(1, orjson.dumps(extract_facts(item)))
    assert checker.results() == list(by_dict.values())


def test_same_seed_same_examples(ctx):
    items = [{"ocid": f"o{i}", "tender": {"status": "active", "id": str(i % 7)}} for i in range(500)]
    first, _ = run(ctx, items)
    second, _ = run(ctx, items)
    assert first == second
