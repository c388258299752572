"""distribution.buyer and distribution.buyer_repetition (§3.5)."""

from __future__ import annotations

import pytest

from tests.checks.dataset.conftest import run


def buyer_rows(ctx, buyer_ids):
    items = [{"ocid": f"o{i}", "buyer": {"id": b}} for i, b in enumerate(buyer_ids)]
    rows, _ = run(ctx, [{"ocid": "none", "buyer": {"id": None}}, *items])
    return rows["distribution.buyer"], rows["distribution.buyer_repetition"]


@pytest.mark.parametrize(
    ("count", "reason"),
    [
        (0, "no compiled releases set necessary fields"),
        (999, "fewer than 1000 occurrences of necessary fields"),
    ],
)
def test_not_applicable(ctx, count, reason):
    for row in buyer_rows(ctx, [str(i % 10) for i in range(count)]):
        assert (row["result"], row["value"]) == (None, None)
        assert row["meta"] == {"reason": reason, "version": 2.0}


def test_1000_buyers_is_enough_and_histogram(ctx):
    # 400 buyers once, 100 buyers 2 times, 5 buyers 40 times, 1 buyer 100 times, 1 buyer 101 times → 1,001
    ids = [f"single{i}" for i in range(400)]
    ids += [f"pair{i}" for i in range(100)] * 2
    ids += [f"forty{i}" for i in range(5)] * 40
    ids += ["hundred"] * 100 + ["big"] * 101
    buyer, repetition = buyer_rows(ctx, ids[:-2])  # 999 … too few
    assert buyer["result"] is None
    buyer, repetition = buyer_rows(ctx, ids)
    meta = buyer["meta"]
    assert meta["total_ocid_count"] == len(ids) == 1001
    assert meta["total_unique_count"] == 507
    assert meta["counts"] == {
        "1": {"total_ocid_count": 400, "total_unique_count": 400},
        "2_20": {"total_ocid_count": 200, "total_unique_count": 100},
        "21_50": {"total_ocid_count": 200, "total_unique_count": 5},
        "51_100": {"total_ocid_count": 100, "total_unique_count": 1},
        "100+": {"total_ocid_count": 101, "total_unique_count": 1},
    }
    assert buyer["result"] is False  # 400 ≥ 0.5 × 507
    assert len(meta["examples"]) == 20
    assert all(e["ocid"].startswith("o") for e in meta["examples"])

    assert repetition["meta"]["specifics"] == {"buyer.id": "big"}
    assert repetition["meta"]["ocid_count"] == 101
    assert repetition["meta"]["ocid_share"] == 101 / 1001
    assert repetition["result"] is True and repetition["value"] == 100
    assert len(repetition["meta"]["examples"]) == 20


def test_buyer_passes_when_fewer_than_half_are_single(ctx):
    ids = [f"b{i}" for i in range(499)] * 2 + [f"s{i}" for i in range(498)]
    buyer, _ = buyer_rows(ctx, ids)
    assert buyer["result"] is True  # 498 < 0.5 × 997
    ids = [f"b{i}" for i in range(499)] * 2 + [f"s{i}" for i in range(499)]
    buyer, _ = buyer_rows(ctx, ids)
    assert buyer["result"] is False  # 499 = 0.5 × 998 is not fewer


@pytest.mark.parametrize(
    ("biggest", "passed"),
    [
        (10, False),  # 10 / 1000 = 0.01 is not > 0.01
        (11, True),
        (499, True),
        (500, False),  # 0.5 is not < 0.5
    ],
)
def test_repetition_bounds_are_strict(ctx, biggest, passed):
    ids = ["big"] * biggest + [f"s{i}" for i in range(1000 - biggest)]
    _, repetition = buyer_rows(ctx, ids)
    assert repetition["result"] is passed
    assert repetition["meta"]["ocid_count"] == biggest


def test_repetition_ties_go_to_the_first_seen_and_ids_are_text(ctx):
    ids = [1, "1", 2.0] + ["b"] * 2 + ["a"] * 2 + [f"s{i}" for i in range(995)]
    _, repetition = buyer_rows(ctx, ids)
    assert repetition["meta"]["specifics"] == {"buyer.id": "1"}  # 1 and "1" are the same buyer
    assert repetition["meta"]["ocid_count"] == 2
