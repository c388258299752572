"""distribution.*_value_repetition (§3.4)."""

from __future__ import annotations

import pytest

from tests.checks.dataset.conftest import run


def tender_values(values):
    items = [{"ocid": f"o{i}", "tender": {"value": v}} for i, v in enumerate(values)]
    rows, _ = run(ctx_holder["ctx"], [{"ocid": "none"}, *items])
    return rows["distribution.tender_value_repetition"]


ctx_holder: dict = {}


@pytest.fixture(autouse=True)
def _ctx(ctx):
    ctx_holder["ctx"] = ctx


def usd(amount, currency="USD"):
    return {"amount": amount, "currency": currency}


def test_not_applicable():
    row = tender_values([{"amount": 1}, usd(None), usd("x"), {"amount": 1, "currency": None}])
    assert row["result"] is None and row["meta"]["reason"] == "no compiled releases set necessary fields"


def test_text_and_number_amounts_share_a_key_and_negatives_count():
    row = tender_values([usd("100"), usd(100), usd(100.0), usd(-5), usd(0), usd(100, "EUR")])
    top = row["meta"]["most_frequent"]
    assert [(e["amount"], e["currency"], e["count"]) for e in top] == [
        (100.0, "USD", 3),
        (-5.0, "USD", 1),
        (0.0, "USD", 1),
        (100.0, "EUR", 1),
    ]
    assert top[0]["value_str"] == "100.0 USD"
    assert top[0]["share"] == 0.5
    assert row["meta"]["total_processed"] == 6
    assert row["value"] == round(100 * 5 / 6)
    assert row["result"] is False


def test_ties_go_to_the_first_seen_and_top_five_only():
    values = [usd(a) for a in (7, 6, 5, 4, 3, 2, 1)] + [usd(1)]
    top = tender_values(values)["meta"]["most_frequent"]
    assert [e["amount"] for e in top] == [1.0, 7.0, 6.0, 5.0, 4.0]


@pytest.mark.parametrize(("distinct", "passed", "value"), [(30, False, 10), (31, True, 10), (40, True, 8)])
def test_share_threshold_is_strict(distinct, passed, value):
    # Every pair once: the top three hold 3 of `distinct`; 3 / 30 = 0.1 is not < 0.1.
    row = tender_values([usd(i) for i in range(distinct)])
    assert row["result"] is passed
    assert row["value"] == value


def test_value_is_rounded_half_to_even():
    # 3 of 24 = 12.5 % → 12
    row = tender_values([usd(i) for i in range(24)])
    assert row["value"] == 12
    # 5 of 200 → top three 3 of 200 = 1.5 % → 2
    row = tender_values([usd(i) for i in range(200)])
    assert row["value"] == 2 and row["result"] is True


def test_nan_amounts_never_repeat_and_odd_currencies():
    row = tender_values([usd("nan"), usd("nan"), usd(1, 5), usd(1, 5), usd(1, True)])
    top = row["meta"]["most_frequent"]
    assert top[0]["count"] == 2 and top[0]["value_str"] == "1.0 5"
    assert [e["count"] for e in top] == [2, 1, 1, 1]
    assert top[1]["value_str"] == "nan USD" and top[3]["value_str"] == "1.0 True"


def test_examples_capped_at_10():
    row = tender_values([usd(1)] * 30)
    assert len(row["meta"]["most_frequent"][0]["examples"]) == 10


def test_awards_and_contracts(ctx):
    items = [
        {"ocid": "a", "awards": [{"value": usd(1)}, {"value": usd(1)}], "contracts": [{"value": usd(2)}]}
    ]
    rows, _ = run(ctx, items)
    assert rows["distribution.awards_value_repetition"]["meta"]["most_frequent"][0]["count"] == 2
    assert rows["distribution.contracts_value_repetition"]["meta"]["total_processed"] == 1
