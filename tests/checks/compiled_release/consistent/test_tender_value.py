"""``consistent.tender_value`` (docs/checks.md §2.2): planning budget within 50 %–150 % of the tender
value."""

from __future__ import annotations

import pytest

from pelican_dagster.checks.compiled_release.consistent.tender_value import check

MISSING_CURRENCY = "a currency is missing"
NON_NUMERIC = "an amount is missing or non-numeric"
ZERO = "an amount is zero or unconvertable"
SIGNS = "the amounts have different signs"


def item(tender, budget, date="2020-06-15T00:00:00Z"):
    out = {"date": date, "tender": {"value": tender}, "planning": {"budget": {"amount": budget}}}
    return out


def money(amount, currency="USD"):
    return {"amount": amount, "currency": currency}


@pytest.mark.parametrize(
    ("tender", "budget", "expected"),
    [
        (money(100), money(100), True),
        (money(100), money(150), True),
        (money(100), money(50), True),
        (money(100), money(151), False),
        (money(100), money(49), False),
        (money(-100), money(-120), True),
        (money("100"), money(" 1e2 "), True),
        (money(True), money(1), True),
        (money(100, "XXX"), money(100, "XXX"), True),  # same unknown currency: no conversion needed
        (money(100, "EUR"), money(100, "USD"), True),  # converted: one euro is within 50 % of a dollar
        (money(100, "EUR"), money(1000, "USD"), False),
        (money("nan"), money(100), False),  # NaN passes the zero and sign filters and fails
        (money(100), money("nan"), False),
        (money("inf"), money(100), False),
        (money(100, None), money(100), MISSING_CURRENCY),
        ({"amount": 100}, money(100), MISSING_CURRENCY),
        (money(100), {"amount": 100}, MISSING_CURRENCY),
        (None, money(100), MISSING_CURRENCY),
        ("x", money(100), MISSING_CURRENCY),
        ({"currency": "USD"}, money(100), NON_NUMERIC),
        (money(None), money(100), NON_NUMERIC),
        (money("a lot"), money(100), NON_NUMERIC),
        (money([100]), money(100), NON_NUMERIC),
        (money({"v": 1}), money(100), NON_NUMERIC),
        (money(0), money(100), ZERO),
        (money(100), money(0.0), ZERO),
        (money(100, "EUR"), money(100, "ABC"), ZERO),  # unknown currency, conversion needed
        (money(100, "EUR"), money(100, {"code": "USD"}), ZERO),  # unhashable currency: no conversion
        (money(100, ["EUR"]), money(100, "USD"), ZERO),
        (money(100), money(-100), SIGNS),
        (money(-1), money(1), SIGNS),
    ],
)
def test_outcomes(ctx, tender, budget, expected):
    result = check(item(tender, budget), ctx)
    if isinstance(expected, str):
        assert result["result"] is None
        assert result["meta"] == {"reason": expected}
        assert result["application_count"] is None
    else:
        assert result["result"] is expected, result
        assert result["application_count"] == 1


def test_failure_meta_holds_the_raw_objects(ctx):
    tender, budget = money(100, "USD"), money(300, "USD")
    result = check(item(tender, budget), ctx)
    assert result["meta"] == {"tender.value": tender, "planning.budget.amount": budget}
    assert result["pass_count"] == 0


def test_same_unhashable_currency_needs_no_conversion(ctx):
    assert check(item(money(100, {"c": 1}), money(110, {"c": 1})), ctx)["result"] is True


@pytest.mark.parametrize("date", [None, "", "not a date", 20200615, "1990-01-01"])
def test_conversion_needs_a_release_date_within_the_rates(ctx, date):
    assert check(item(money(100, "EUR"), money(100, "USD"), date), ctx)["meta"] == {"reason": ZERO}


def test_conversion_uses_the_written_date_only(ctx):
    # parse_date reads the first 10 characters: a time and offset do not matter.
    assert check(item(money(100, "EUR"), money(100, "USD"), "2020-06-15xyz"), ctx)["result"] is True


def test_without_rates_nothing_converts(no_rates):
    assert check(item(money(100, "EUR"), money(100, "USD")), no_rates)["meta"] == {"reason": ZERO}
    assert check(item(money(100, "EUR"), money(100, "EUR")), no_rates)["result"] is True
