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


def _varied_items(n: int) -> list[dict]:
    """Items with repeated and interleaved codes, categories, values, buyers, URLs and references."""
    statuses = ["active", "complete", "cancelled", "planned"]
    items = []
    for i in range(n):
        docs = [{"documentType": t, "url": f"https://x.example/{i}/{t}"} for t in ("a", "b", "a")[: i % 4]]
        items.append(
            {
                "ocid": f"o{i % (n // 2)}",
                "date": f"2021-0{1 + i % 9}-1{i % 10}",
                "buyer": {"id": i % 13},
                "tender": {
                    "id": f"t{i % (n // 3)}",
                    "title": f"title {i % 5}",
                    "status": statuses[i % 4],
                    "mainProcurementCategory": ["goods", "works", "services"][i % 3],
                    "documents": docs,
                    "value": {"amount": (i * 37) % 1000, "currency": ["USD", "EUR", "MXN", "XXX"][i % 4]},
                },
                "awards": [
                    {"status": statuses[(i + j) % 4], "value": {"amount": j, "currency": "EUR"}}
                    for j in range(i % 3)
                ],
                "relatedProcesses": [
                    {"scheme": "ocid", "identifier": f"o{(i * 7) % n}", "title": f"title {i % 4}"}
                ],
            }
        )
    return items


def test_extend_add_and_every_encoding_agree(ctx):
    items = _varied_items(3000)
    facts = [extract_facts(item) for item in items]
    stored = {i: orjson.dumps(f) for i, f in enumerate(facts, 1)}
    lookup = lambda ids: {i: stored[i] for i in ids}  # noqa: E731
    outputs = []
    for encode, batched in (
        (lambda f: f, False),
        (orjson.dumps, True),
        (lambda f: orjson.dumps(f).decode(), True),
    ):
        checker = DatasetChecker(ctx, lookup=lookup)
        pairs = [(i, encode(f)) for i, f in enumerate(facts, 1)]
        if batched:
            checker.extend(pairs[:1000])
            checker.extend(iter(pairs[1000:]))
        else:
            for item_id, f in pairs:
                checker.add(item_id, f)
        outputs.append((checker.results(), checker.metadata(), checker.items))
    assert outputs[0] == outputs[1] == outputs[2]
    assert sum(r["result"] is not None for r in outputs[0][0]) >= 15  # most checks decided


def test_facts_stored_before_the_profile_give_the_same_results(ctx):
    """Rows written with ``c`` (codes) and ``m`` (category) instead of ``p`` are still read."""
    facts = [extract_facts(item) for item in _varied_items(2000)]
    legacy = []
    for f in facts:
        old = dict(f)
        text = old.pop("p", None)
        if text is not None:
            codes, category = orjson.loads(text)
            if codes:
                old["c"] = codes
            if category is not None:
                old["m"] = category
        legacy.append(old)
    assert any("c" in f and "m" in f for f in legacy)
    results = []
    for rows in (facts, legacy):
        checker = DatasetChecker(ctx)
        checker.extend(enumerate(map(orjson.dumps, rows), 1))
        results.append((checker.results(), checker.metadata()))
    assert results[0] == results[1]


def test_profile_with_a_lone_surrogate_does_not_crash(ctx):
    checker = DatasetChecker(ctx)
    checker.add(1, extract_facts({"ocid": "a", "tender": {"status": "a\ud800"}}))
    rows = {r["check_name"]: r for r in checker.results()}
    assert list(rows["distribution.tender_status"]["meta"]["shares"]) == ["a\ud800"]


def test_many_distinct_profiles_beyond_the_plan_cache(ctx, monkeypatch):
    from pelican_dagster.checks.dataset import distribution, main_procurement_category

    items = [
        {
            "ocid": f"o{i}",
            "tender": {
                "status": f"s{i % 50}",
                "procurementMethod": "open",
                "mainProcurementCategory": "works",
            },
        }
        for i in range(300)
    ]
    expected, _ = run(ctx, items)
    monkeypatch.setattr(distribution, "MAX_PLANS", 10)
    monkeypatch.setattr(main_procurement_category, "MAX_PLANS", 10)
    capped, checker = run(ctx, items)
    codes, category = (
        next(c for c in checker._checks if isinstance(c, kind))
        for kind in (distribution.CodeDistributions, main_procurement_category.MainProcurementCategory)
    )
    assert capped == expected and len(codes._plans) == 10 and len(category._entries) == 10
