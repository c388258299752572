"""The field-level report accumulator: counts, examples, sampling and merging."""

from __future__ import annotations

import collections
import json
import random

import pytest

from pelican_dagster.checks.field.evaluate import check_item_fields, decode_field_result
from pelican_dagster.checks.field.paths import PATHS
from pelican_dagster.checks.field.report import EXAMPLES, LOOKUP_BATCH, FieldReport


def items():
    yield {"ocid": "ocds-b5fd17-1", "awards": [{"id": "a", "date": "2020-01-01"}, {"date": "2099-01-01"}]}
    yield {"ocid": "x", "awards": [{"id": ""}, None]}
    yield {"ocid": "ocds-b5fd17-3", "tender": None}


def build(ctx, seed=0):
    report = FieldReport(seed, ctx, keep_items=True)
    for i, item in enumerate(items()):
        report.add(i, item["ocid"], check_item_fields(item, ctx))
    return report


def test_counts(ctx):
    data = build(ctx).report()
    assert set(data) == {p.path for p in PATHS}
    awards_id = data["awards.id"]
    assert awards_id["processing_order"] == next(p.index for p in PATHS if p.path == "awards.id")
    assert awards_id["examples_filled"] is False
    # awards[0].id ok, awards[1].id not set, awards[0].id "" (non_empty), awards[1] null (exists)
    assert awards_id["coverage"] == {
        "passed_count": 1,
        "failed_count": 3,
        "total_count": 4,
        "checks": {
            "exists": {"passed_count": 2, "failed_count": 2, "total_count": 4},
            "non_empty": {"passed_count": 1, "failed_count": 1, "total_count": 2},
        },
    }
    assert awards_id["quality"] == {"passed_count": 0, "failed_count": 0, "total_count": 0, "checks": {}}
    assert data["awards.date"]["quality"] == {
        "passed_count": 1,
        "failed_count": 1,
        "total_count": 2,
        "checks": {"date_time": {"passed_count": 1, "failed_count": 1, "total_count": 2}},
    }
    assert data["ocid"]["quality"]["checks"] == {
        "ocid_prefix_check": {"passed_count": 2, "failed_count": 1, "total_count": 3}
    }
    # Unseen paths are zeros, with their defined checks listed.
    assert data["planning.documents.format"]["quality"] == {
        "passed_count": 0,
        "failed_count": 0,
        "total_count": 0,
        "checks": {"document_format_codelist": {"passed_count": 0, "failed_count": 0, "total_count": 0}},
    }
    assert data["tender.id"]["coverage"]["checks"]["exists"]["failed_count"] == 1


def test_examples(ctx):
    examples = build(ctx).examples()
    assert set(examples) == {p.path for p in PATHS}
    awards_id = examples["awards.id"]
    # Group samples get one value per check result: 2 exists passes + 1 non_empty pass.
    assert len(awards_id["coverage"]["passed_examples"]) == 3
    assert len(awards_id["coverage"]["failed_examples"]) == 3
    failed = awards_id["coverage"]["checks"]["exists"]["failed_examples"]
    assert sorted((e["path"], e["result"]["reason"]) for e in failed) == [
        ("awards[1].id", "not set"),
        ("awards[1].id", "parent is a NoneType, not an object"),
    ]
    (empty,) = awards_id["coverage"]["checks"]["non_empty"]["failed_examples"]
    assert empty == {
        "meta": {"ocid": "x", "item_id": 1},
        "path": "awards[0].id",
        "result": {
            "name": "non_empty",
            "result": False,
            "value": "",
            "reason": "empty string",
            "version": 1.0,
        },
    }
    (future,) = examples["awards.date"]["quality"]["checks"]["date_time"]["failed_examples"]
    assert future["result"]["reason"] == "not in 1990-01-01/2026-11-30"
    assert future["result"]["version"] == 2.0
    assert examples["awards.date"]["quality"]["failed_examples"] == [future]
    assert examples["awards.id"]["quality"] == {"passed_examples": [], "failed_examples": [], "checks": {}}


def test_without_item_only_counts(ctx):
    report = FieldReport(0, ctx)
    for i, item in enumerate(items()):
        report.add(i, item["ocid"], decode_field_result(check_item_fields(item, ctx).encode()))
    assert report.report() == build(ctx).report()
    assert report.examples()["awards.id"]["coverage"]["passed_examples"] == []


def test_seeded_examples_are_reproducible(ctx):
    many = [{"ocid": f"ocds-b5fd17-{i}", "tender": {"id": str(i)}} for i in range(300)]

    def run(seed):
        report = FieldReport(seed, ctx, keep_items=True)
        for i, item in enumerate(many):
            report.add(i, item["ocid"], check_item_fields(item, ctx))
        return report.examples()["tender.id"]["coverage"]["checks"]["exists"]["passed_examples"]

    assert run(1) == run(1)
    assert run(1) != run(2)
    assert len(run(1)) == EXAMPLES


def test_merge_equals_whole(ctx):
    many = [
        {
            "ocid": f"ocds-b5fd17-{i}",
            "awards": [{"id": str(i)} for _ in range(i % 4)],
            "date": ["2020", None][i % 2],
        }
        for i in range(120)
    ]
    whole = FieldReport(0, ctx)
    parts = [FieldReport(p, ctx) for p in range(3)]
    for i, item in enumerate(many):
        result = check_item_fields(item, ctx)
        whole.add(i, item["ocid"], result)
        parts[i % 3].add(i, item["ocid"], result)
    merged = FieldReport.merge([json.loads(json.dumps(p.to_state())) for p in parts], random.Random(3), ctx)
    assert merged.report() == whole.report()
    ex = merged.examples(lambda ids: {i: many[i] for i in ids})["awards.id"]["coverage"]["passed_examples"]
    assert len(ex) == EXAMPLES
    assert len({json.dumps(e, sort_keys=True) for e in ex}) <= EXAMPLES
    # A merged report can go on accumulating.
    merged.add(999, "ocds-b5fd17-999", check_item_fields({"awards": [{"id": "z"}]}, ctx))
    assert (
        merged.report()["awards.id"]["coverage"]["total_count"]
        == whole.report()["awards.id"]["coverage"]["total_count"] + 1
    )


@pytest.mark.parametrize("batches", [(60,), (5, 55), (20, 3, 37), (1, 1, 58)])
def test_samples_stay_uniform_when_read_between_adds(ctx, batches):
    # Reading the samples draws those of the results added so far and merges them with the earlier
    # draws: the sample of the whole stays uniform however the adds and reads interleave.
    index = next(p.index for p in PATHS if p.path == "tender.id")
    results = [check_item_fields({"ocid": "x", "tender": {"id": "t"}}, ctx) for _ in range(60)]
    seen = collections.Counter()
    trials = 1500
    for trial in range(trials):
        report = FieldReport(trial, ctx)
        position = 0
        for m in batches:
            for i in range(position, position + m):
                report.add(i, "x", results[i])
            position += m
            sample = report.samplers[(index, "exists.passed")]
        assert sample.count == 60
        assert len(set(sample.samples)) == EXAMPLES
        seen.update(item_id for item_id, _, _ in sample.samples)
    expected = trials * EXAMPLES / 60
    chi2 = sum((seen[i] - expected) ** 2 / expected for i in range(60))
    assert chi2 < 110  # 59 degrees of freedom: p ≈ 1e-4


def _population(n):
    """Items whose ``tender.id`` (one entry) and ``awards.id`` (0-3 entries) mix passing and failing."""
    out = []
    for i in range(n):
        tender = [{"id": "t"}, {"id": ""}, {}][i % 3]
        awards = [{"id": "a"} if (i + j) % 4 else {"id": None} for j in range(i % 4)]
        out.append({"ocid": f"ocds-b5fd17-{i}", "tender": tender, "awards": awards})
    return out


#: The samples whose uniformity is tested: filling only (tender.id, 60-90 offered), and skipping ahead
#: over many occurrences per item (awards.id, 22-244 offered).
UNIFORM_SAMPLES = [
    ("tender.id", "coverage.passed"),
    ("tender.id", "exists.passed"),
    ("tender.id", "coverage.failed"),
    ("awards.id", "coverage.passed"),
    ("awards.id", "non_empty.passed"),
    ("awards.id", "coverage.failed"),
]
#: 3,000 kept results per sample: a false alarm has p < 1.2e-4, and a sampler favouring half of the offered
#: results by ±20 % fails with probability ≥ 0.96 for up to 111 offered (0.61 for 244), ±30 % always
#: (non-central χ², counting the kept results as multinomial, which overstates their variance).
UNIFORM_TRIALS = 150


@pytest.fixture(scope="module")
def uniform_trials(ctx) -> dict[tuple[str, str], tuple[collections.Counter, list[int], int]]:
    """``UNIFORM_TRIALS`` reports of one population, each seeded differently: per tested sample, how often
    each offered result was kept, the size of each trial's sample, and how many results were offered.
    Every sample is a sampler of the same report, so one set of trials serves every case."""
    indexes = {key: next(p.index for p in PATHS if p.path == key[0]) for key in UNIFORM_SAMPLES}
    items = _population(90)
    results = [check_item_fields(item, ctx) for item in items]
    seen = {key: collections.Counter() for key in UNIFORM_SAMPLES}
    sizes: dict[tuple[str, str], list[int]] = {key: [] for key in UNIFORM_SAMPLES}
    for trial in range(UNIFORM_TRIALS):
        report = FieldReport(trial, ctx)
        for i, (item, result) in enumerate(zip(items, results, strict=True)):
            report.add(i, item["ocid"], result)
        for key, index in indexes.items():
            kept = report.samplers[(index, key[1])].samples  # pointers (item_id, occurrence, which result)
            sizes[key].append(len(kept))
            seen[key].update(kept)
    state = report.to_state()["samples"]
    return {key: (seen[key], sizes[key], state[f"{index}|{key[1]}"][0]) for key, index in indexes.items()}


# One worker runs every case, so that the trials are made once.
@pytest.mark.xdist_group("field_report_uniform")
@pytest.mark.parametrize(("path", "sample"), UNIFORM_SAMPLES)
def test_report_samples_are_uniform(uniform_trials, path, sample):
    # Every offered check result is kept with the same probability, whatever its item, its position in
    # the item, and whether the sample was filling or skipping ahead when it came.
    seen, sizes, offered = uniform_trials[(path, sample)]
    assert sizes == [EXAMPLES] * UNIFORM_TRIALS
    assert len(seen) == offered > EXAMPLES  # every offered result was kept at least once
    expected = UNIFORM_TRIALS * EXAMPLES / offered
    chi2 = sum((n - expected) ** 2 / expected for n in seen.values())
    df = offered - 1
    assert chi2 < df + 5 * (2 * df) ** 0.5, chi2  # p ≈ 1e-4 or less


# -- examples built from pointers ------------------------------------------------------------------


def _chunk(ctx, items, seed=0, **kwargs):
    report = FieldReport(seed, ctx, **kwargs)
    for i, item in enumerate(items):
        report.add(i, item["ocid"], check_item_fields(item, ctx), item)
    return report


def test_samples_hold_pointers_not_items(ctx):
    many = _population(200)
    report = _chunk(ctx, many)
    assert report.items is None
    state = report.to_state()
    samples = [p for _, kept in state["samples"].values() for p in kept]
    assert samples and all(type(p) is tuple and len(p) == 3 for p in samples)
    assert all(type(x) is int for p in samples for x in p)
    # JSON-serialisable and small (a few bytes per pointer).
    assert len(json.dumps(state)) < 40 * len(samples) + 10_000


def test_examples_need_items(ctx):
    many = _population(30)
    report = _chunk(ctx, many)
    with pytest.raises(ValueError, match="lookup"):
        report.examples()
    with pytest.raises(LookupError, match="item 3"):
        report.examples(lambda ids: {i: many[i] for i in ids if i != 3})
    # Without item (or context) only counts: nothing to look up.
    counts_only = FieldReport(0)
    counts_only.add(1, "x", decode_field_result(check_item_fields(many[0], ctx).encode()))
    assert counts_only.examples()["tender.id"]["coverage"]["passed_examples"] == []


def test_examples_from_lookup_equal_examples_from_held_items(ctx):
    many = _population(1200)
    held = _chunk(ctx, many, seed=4, keep_items=True)
    pointed = _chunk(ctx, many, seed=4)
    calls = []

    def lookup(ids):
        calls.append(list(ids))
        return {i: many[i] for i in ids}

    assert pointed.examples(lookup) == held.examples()
    assert held.to_state() == pointed.to_state()  # holding items changes no sample
    # Each pointed item is read once, in bounded batches; never more than the samples hold.
    read = [i for batch in calls for i in batch]
    assert len(read) == len(set(read))
    assert all(len(batch) <= LOOKUP_BATCH for batch in calls)
    assert len(read) <= sum(len(s.samples) for s in pointed.samplers.values())
    # Held items take precedence: a lookup is only asked for the others.
    assert held.examples(lambda ids: pytest.fail("lookup called")) == held.examples()


def test_examples_share_results_and_meta(ctx):
    # As in Pelican, the samples of one check result share its result dict.
    report = _chunk(ctx, [{"ocid": "x", "tender": {"id": "t"}}], keep_items=True)
    coverage = report.examples()["tender.id"]["coverage"]
    exists = coverage["checks"]["exists"]["passed_examples"][0]
    assert exists in coverage["passed_examples"]
    assert exists["meta"] == {"ocid": "x", "item_id": 0}
