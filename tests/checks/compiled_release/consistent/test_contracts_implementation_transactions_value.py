"""``consistent.contracts_implementation_transactions_value`` (docs/checks.md §2.2)."""

from __future__ import annotations

import pytest

from pelican_dagster.checks.compiled_release.consistent.contracts_implementation_transactions_value import (
    NA_REASON,
    check,
)


def value(amount, currency="USD"):
    return {"amount": amount, "currency": currency}


def contract(amount, *transactions, currency="USD"):
    return {
        "value": value(amount, currency),
        "implementation": {"transactions": [{"value": t} for t in transactions]},
    }


def run(ctx, *contracts, date="2020-06-15T00:00:00Z"):
    return check({"date": date, "contracts": list(contracts)}, ctx)


@pytest.mark.parametrize(
    ("contracts", "counts"),
    [
        ([contract(100, value(40), value(60))], (1, 1)),
        ([contract(100, value(40), value(61))], (1, 0)),
        ([contract(0, value(0))], (1, 1)),  # zero allowed
        ([contract(-10, value(-20))], (1, 1)),  # negative allowed
        ([contract(-10, value(5))], (1, 0)),
        ([contract("100", value("1e2"))], (1, 1)),
        ([contract(100, value(50)), contract(10, value(20))], (2, 1)),
        ([contract(100, value(100, "EUR"))], (1, 0)),  # 100 EUR is more than 100 USD
        ([contract(100, value(10, "EUR"))], (1, 1)),
        ([contract(100, value(10, "ABC"))], None),
        ([contract(100, value(10, "XXX"), currency="XXX")], (1, 1)),
        ([contract(100, value(10, None))], None),
        ([contract(100, value(10), currency=None)], None),
        ([contract(100, value(10, {"c": "USD"}))], None),
        ([contract(None, value(10))], None),
        ([contract(100, value("ten"))], None),
        ([contract(100, value(10), value(None))], None),
        ([contract("nan", value(10))], (1, 0)),
        ([contract(100)], None),  # no transactions
        ([{"value": value(100), "implementation": {"transactions": {"value": value(200)}}}], (1, 0)),
        ([{"value": value(100), "implementation": {"transactions": [None, "x"]}}], None),
        ([{"value": value(100), "implementation": [{"transactions": [{"value": value(200)}]}]}], (1, 0)),
        ([None, "contract", 5, [], {}], None),
    ],
)
def test_outcomes(ctx, contracts, counts):
    result = run(ctx, *contracts)
    if counts is None:
        assert result["meta"] == {"reason": NA_REASON}
        assert result["result"] is None
    else:
        assert (result["application_count"], result["pass_count"]) == counts
        assert result["result"] is (counts[0] == counts[1])


@pytest.mark.parametrize("item", [{}, {"contracts": []}])
def test_no_contract(ctx, item):
    assert check(item, ctx)["meta"] == {"reason": "no contract is set"}


def test_null_contracts_is_one_untestable_occurrence(ctx):
    # values at path (docs/checks.md §0.2): a null value is still one occurrence.
    assert check({"contracts": None}, ctx)["meta"] == {"reason": NA_REASON}


def test_single_contract_object_is_one_occurrence(ctx):
    item = {"contracts": contract(10, value(20))}
    result = check(item, ctx)
    assert result["meta"]["failed_paths"] == [
        {"path": "contracts", "contract_amount": 10.0, "transactions_amount_sum": 20.0, "currency": "USD"}
    ]


def test_failure_entries(ctx):
    result = run(ctx, contract(100, value(60)), contract(100, value(200, "EUR"), value(1)))
    assert result["meta"]["failed_paths"][0]["path"] == "contracts[1]"
    assert result["meta"]["failed_paths"][0]["currency"] == "USD"


@pytest.mark.parametrize("date", [None, "", "garbage", "2020-01-01T25:00:00Z"])
def test_conversion_needs_a_release_date_parse_datetime_accepts(ctx, date):
    assert run(ctx, contract(100, value(10, "EUR")), date=date)["meta"] == {"reason": NA_REASON}


def test_without_rates(no_rates):
    assert run(no_rates, contract(100, value(10, "EUR")))["result"] is None
    assert run(no_rates, contract(100, value(10)))["result"] is True
