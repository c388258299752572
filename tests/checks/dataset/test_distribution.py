"""Code distributions (§3.1) and distribution.main_procurement_category (§3.2)."""

from __future__ import annotations

import pytest

from tests.checks.dataset.conftest import run


def items_with(path_value: list[tuple[str, object]]) -> list[dict]:
    """One item per (top-level key, value) pair."""
    return [{"ocid": f"o{i}", key: value} for i, (key, value) in enumerate(path_value)]


def test_not_applicable_without_codes(ctx):
    rows, _ = run(ctx, [{"ocid": "a", "tender": {"status": 5}}, {"ocid": "b"}])
    row = rows["distribution.tender_status"]
    assert (row["result"], row["value"]) == (None, None)
    assert row["meta"] == {"reason": "no compiled releases set necessary fields", "version": 1.0}


@pytest.mark.parametrize(
    ("statuses", "passed"),
    [
        (["active", "complete"], True),
        (["active", "active"], False),  # a test code never seen fails
        (["active"] * 99 + ["complete"], True),  # shares 0.99 and 0.01: both bounds inclusive
        (["active"] * 199 + ["complete"], False),  # 0.995 > 0.99
        (["active"] * 500 + ["complete"] + ["x"] * 499, True),  # 1/1000 = 0.001, the lower bound
        (["active"] * 500 + ["complete"] + ["x"] * 500, False),  # 1/1001 < 0.001
        (["complete", 5, None], False),  # non-strings are not codes: "active" is missing
    ],
)
def test_tender_status_thresholds(ctx, statuses, passed):
    rows, _ = run(ctx, [{"ocid": str(i), "tender": {"status": s}} for i, s in enumerate(statuses)])
    row = rows["distribution.tender_status"]
    assert row["result"] is passed
    assert row["value"] == (100 if passed else 0)
    assert sum(entry["count"] for entry in row["meta"]["shares"].values()) == sum(
        isinstance(s, str) for s in statuses
    )


def test_share_just_below_the_lower_bound_fails(ctx):
    statuses = ["active"] * 1000 + ["complete"] + ["other"] * 1000
    rows, _ = run(ctx, [{"ocid": str(i), "tender": {"status": s}} for i, s in enumerate(statuses)])
    assert rows["distribution.tender_status"]["meta"]["shares"]["complete"]["share"] < 0.001
    assert rows["distribution.tender_status"]["result"] is False


def test_without_test_codes_always_passes(ctx):
    rows, _ = run(ctx, [{"ocid": "a", "tender": {"awardCriteria": "x"}}])
    assert rows["distribution.tender_award_criteria"]["result"] is True


def test_counts_every_occurrence_and_only_strings(ctx):
    items = [
        {
            "ocid": "a",
            "awards": [{"status": "active"}, {"status": "active"}, {"status": None}, {"status": 1}],
        },
        {"ocid": "b", "awards": {"status": "pending"}},  # a single object is one occurrence
        {"ocid": "c", "awards": [None, "x", {"status": ""}]},
    ]
    rows, _ = run(ctx, items)
    shares = rows["distribution.awards_status"]["meta"]["shares"]
    assert {k: v["count"] for k, v in shares.items()} == {"active": 2, "pending": 1, "": 1}
    assert shares["active"]["share"] == 0.5
    assert shares["active"]["examples"] == [{"item_id": 1, "ocid": "a"}, {"item_id": 1, "ocid": "a"}]


def test_examples_are_capped_at_20(ctx):
    rows, _ = run(ctx, [{"ocid": str(i), "tender": {"procurementMethod": "open"}} for i in range(50)])
    entry = rows["distribution.tender_procurement_method"]["meta"]["shares"]["open"]
    assert entry["count"] == 50 and len(entry["examples"]) == 20
    assert rows["distribution.tender_procurement_method"]["result"] is False  # share 1.0 > 0.99


def test_milestones_use_contracts_not_awards(ctx):
    items = [
        {
            "ocid": "a",
            "awards": [{"milestones": [{"status": "met"}]}],
            "contracts": [
                {"milestones": [{"status": "notMet"}], "implementation": {"milestones": [{"status": "met"}]}}
            ],
            "planning": {"milestones": [{"type": "approval"}]},
        }
    ]
    rows, _ = run(ctx, items)
    counts = {k: v["count"] for k, v in rows["distribution.milestone_status"]["meta"]["shares"].items()}
    assert counts == {"notMet": 1, "met": 1}
    assert rows["distribution.milestone_type"]["meta"]["shares"].keys() == {"approval"}


@pytest.mark.parametrize(
    ("categories", "result", "shares"),
    [
        ([], None, None),
        (["goods"] * 19 + ["works"], True, {"goods": 0.95, "works": 0.05}),  # 0.95 ≤ 0.95 passes
        (["goods"] * 20 + ["works"], False, None),  # 20/21 > 0.95
        (["goods"], False, {"goods": 1.0}),
        ([None, 5, "5"], True, {"None": 1 / 3, "5": 2 / 3}),  # text coercion
        (["", "", "goods"], False, {"goods": 1.0}),  # "" is skipped
    ],
)
def test_main_procurement_category(ctx, categories, result, shares):
    items = [{"ocid": str(i), "tender": {"mainProcurementCategory": c}} for i, c in enumerate(categories)]
    items.append({"ocid": "none"})  # no category at all: not counted
    rows, _ = run(ctx, items)
    row = rows["distribution.main_procurement_category"]
    assert row["result"] is result
    if result is None:
        assert row["meta"]["reason"] == "no compiled releases set necessary fields"
    else:
        assert row["value"] == (100 if result else 0)
        if shares is not None:
            assert {k: v["share"] for k, v in row["meta"]["shares"].items()} == pytest.approx(shares)
        counts = [v["count"] for v in row["meta"]["shares"].values()]
        assert counts == sorted(counts, reverse=True)


def test_main_procurement_category_examples_capped_at_100(ctx):
    rows, _ = run(ctx, [{"ocid": str(i), "tender": {"mainProcurementCategory": "goods"}} for i in range(150)])
    assert len(rows["distribution.main_procurement_category"]["meta"]["shares"]["goods"]["examples"]) == 100
