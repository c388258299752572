"""The compiled-release-level report and examples (``compiled_release/report.py``)."""

from __future__ import annotations

import json

import pytest

from pelican_dagster.checks.compiled_release import CHECK_NAMES
from pelican_dagster.checks.compiled_release.report import ResourceReport
from pelican_dagster.checks.compiled_release.result import multiple, not_applicable, single
from pelican_dagster.checks.sampling import rng_for

FIRST = CHECK_NAMES[0]


def results(first):
    out = {name: not_applicable("n/a") for name in CHECK_NAMES}
    out[FIRST] = first
    return out


def feed(report, start, stop):
    for i in range(start, stop):
        if i % 3 == 0:
            outcome = multiple(4, 4, [], "")
        elif i % 3 == 1:
            outcome = multiple(5, 2, ["p"], "")
        else:
            outcome = not_applicable("none")
        report.add(i, f"ocds-{i}", results(outcome))


def test_counts_and_shape():
    report = ResourceReport(rng_for(0, "t"))
    feed(report, 0, 30)
    entry = report.report()[FIRST]
    assert entry == {
        "name": FIRST,
        "examples_filled": False,
        "passed_count": 10,
        "failed_count": 10,
        "undefined_count": 10,
        "total_count": 30,
        "individual_passed_count": 60,
        "individual_failed_count": 30,
        "individual_application_count": 90,
        "passed_examples": [],
        "failed_examples": [],
        "undefined_examples": [],
    }
    assert list(report.report()) == list(CHECK_NAMES)
    assert report.report()[CHECK_NAMES[1]]["undefined_count"] == 30


def test_examples_are_bounded_and_sorted_by_result():
    report = ResourceReport(rng_for(0, "t"))
    feed(report, 0, 300)
    examples = report.examples()[FIRST]
    assert {k: len(v) for k, v in examples.items()} == {
        "passed_examples": 20,
        "failed_examples": 20,
        "undefined_examples": 20,
    }
    for example in examples["failed_examples"]:
        assert example["result"]["result"] is False
        assert example["meta"] == {
            "ocid": f"ocds-{example['meta']['item_id']}",
            "item_id": example["meta"]["item_id"],
        }
    assert len({e["meta"]["item_id"] for e in examples["passed_examples"]}) == 20


def test_merge_of_chunks_equals_one_pass_and_state_is_json():
    whole = ResourceReport(rng_for(0, "whole"))
    feed(whole, 0, 100)
    states = []
    for n, (start, stop) in enumerate([(0, 7), (7, 60), (60, 100), (100, 100)]):
        part = ResourceReport(rng_for(0, n))
        feed(part, start, stop)
        states.append(json.loads(json.dumps(part.to_state())))
    merged = ResourceReport.merge(states, rng_for(0, "merge"))
    assert merged.report() == whole.report()
    examples = merged.examples()[FIRST]
    assert [len(v) for v in examples.values()] == [20, 20, 20]
    ids = [e["meta"]["item_id"] for e in examples["passed_examples"]]
    assert len(set(ids)) == 20 and all(i % 3 == 0 for i in ids)
    # a merged report keeps counting
    feed(merged, 100, 103)
    assert merged.report()[FIRST]["total_count"] == 103


def test_merge_is_reproducible():
    states = []
    for n in range(3):
        part = ResourceReport(rng_for(0, n))
        feed(part, n * 50, n * 50 + 50)
        states.append(part.to_state())
    a = ResourceReport.merge(states, rng_for(0, "m")).examples()
    b = ResourceReport.merge(states, rng_for(0, "m")).examples()
    assert a == b


def test_merge_sample_is_uniform_over_chunks():
    # A small chunk and a big one: the share of examples from each follows their sizes.
    from_small = 0
    for seed in range(200):
        small, big = (
            ResourceReport(rng_for(seed, "s"), (FIRST,)),
            ResourceReport(rng_for(seed, "b"), (FIRST,)),
        )
        for i in range(25):
            small.add(i, "s", {FIRST: single(True)})
        for i in range(25, 100):
            big.add(i, "b", {FIRST: single(True)})
        merged = ResourceReport.merge([small.to_state(), big.to_state()], rng_for(seed, "m"))
        from_small += sum(e["meta"]["ocid"] == "s" for e in merged.examples()[FIRST]["passed_examples"])
    assert 0.2 < from_small / (200 * 20) < 0.3


def test_empty_report():
    report = ResourceReport(rng_for(0, "t"))
    assert report.report()[FIRST]["total_count"] == 0
    merged = ResourceReport.merge([report.to_state()], rng_for(0, "m"))
    assert merged.examples()[FIRST] == {
        "passed_examples": [],
        "failed_examples": [],
        "undefined_examples": [],
    }


@pytest.mark.parametrize("total", [5, 20, 21, 60, 300])
def test_each_value_is_equally_likely_to_be_kept(total):
    kept = [0] * total
    runs = 400
    for seed in range(runs):
        report = ResourceReport(rng_for(seed, "u"), (FIRST,))
        for i in range(total):
            report.add(i, "o", {FIRST: single(True)})
        for example in report.examples()[FIRST]["passed_examples"]:
            kept[example["meta"]["item_id"]] += 1
    expected = runs * min(1.0, 20 / total)
    assert sum(kept) == runs * min(20, total)
    # early, middle and late values alike (binomial spread, generous bounds)
    for part in (kept[: total // 3], kept[total // 3 : 2 * total // 3], kept[2 * total // 3 :]):
        if part:
            assert abs(sum(part) / len(part) - expected) <= 0.15 * expected + 1


def test_a_merged_report_keeps_sampling_uniformly():
    total, runs = 150, 400
    kept = [0] * total
    for seed in range(runs):
        first = ResourceReport(rng_for(seed, "a"), (FIRST,))
        for i in range(50):
            first.add(i, "o", {FIRST: single(True)})
        report = ResourceReport.merge([first.to_state()], rng_for(seed, "m"))
        for i in range(50, total):
            report.add(i, "o", {FIRST: single(True)})
        for example in report.examples()[FIRST]["passed_examples"]:
            kept[example["meta"]["item_id"]] += 1
    expected = runs * 20 / total
    for part in (kept[:50], kept[50:100], kept[100:]):
        assert abs(sum(part) / len(part) - expected) <= 0.15 * expected
