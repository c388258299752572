"""unique.tender_id (§3.6)."""

from __future__ import annotations

import pytest

from tests.checks.dataset.conftest import run


def tender_id_row(ctx, ids):
    items = [{"ocid": f"o{i}", "tender": {"id": t}} for i, t in enumerate(ids)]
    rows, _ = run(ctx, [{"ocid": "none", "tender": {"id": ""}}, *items])
    return rows["unique.tender_id"]


@pytest.mark.parametrize(
    ("ids", "result", "value", "passed"),
    [
        ([], None, None, None),
        (["a", "b", "c"], True, 100, 3),
        (["a", "a", "b"], False, 33, 1),
        ([1, "1", 1.0], False, 33, 1),  # text coercion: 1 and "1" collide, 1.0 is "1.0"
        ([None, "None"], False, 0, 0),  # a null id is the text "None"
        (
            ["a"] * 4 + list("bcdefghijklmnopqrstuvwxyz") + ["z"] * 3 + ["0", "1", "2", "3", "4"],
            False,
            78,
            29,
        ),
    ],
)
def test_tender_id(ctx, ids, result, value, passed):
    row = tender_id_row(ctx, ids)
    assert row["result"] is result
    assert row["value"] == value
    if result is None:
        assert row["meta"]["reason"] == "no compiled releases set necessary fields"
    else:
        assert row["meta"]["total_processed"] == len(ids)
        assert row["meta"]["total_passed"] == passed
        assert row["meta"]["total_failed"] == len(ids) - passed


def test_examples(ctx):
    row = tender_id_row(ctx, ["a", "b", "a"])
    assert row["meta"]["passed_examples"] == [
        {"tender_id": "b", "ocid": "o1", "item_id": 3, "all_items": [{"item_id": 3, "ocid": "o1"}]}
    ]
    (failed,) = row["meta"]["failed_examples"]
    assert failed["tender_id"] == "a"
    assert failed["all_items"] == [{"item_id": 2, "ocid": "o0"}, {"item_id": 4, "ocid": "o2"}]
    assert (failed["item_id"], failed["ocid"]) in {(2, "o0"), (4, "o2")}


def test_value_rounds_half_to_even(ctx):
    # 1 passed of 8 = 12.5 → 12
    row = tender_id_row(ctx, ["u"] + ["d"] * 7)
    assert row["value"] == 12


def test_examples_capped_at_100(ctx):
    row = tender_id_row(ctx, [str(i) for i in range(150)] + [str(i) for i in range(200, 350)] * 2)
    assert len(row["meta"]["passed_examples"]) == 100
    assert len(row["meta"]["failed_examples"]) == 100
