"""distribution.tender_value / awards_value / contracts_value (§3.3)."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from pelican_dagster.checks.currency import convert
from pelican_dagster.checks.dataset import DatasetChecker, extract_facts
from tests.checks.dataset.conftest import run, with_ctx


def tenders(amounts, currency="USD", date="2020-01-02T00:00:00Z"):
    return [
        {"ocid": f"o{i}", "date": date, "tender": {"value": {"amount": a, "currency": currency}}}
        for i, a in enumerate(amounts)
    ]


def tender_row(ctx, items, **kwargs):
    rows, _ = run(ctx, [{"ocid": "no value"}, *items], **kwargs)
    return rows["distribution.tender_value"]


@pytest.mark.parametrize(
    ("amounts", "reason"),
    [
        ([], "no compiled releases set necessary fields"),
        ([-1, None, "x"], "no compiled releases set necessary fields"),
        ([10] * 99, "fewer than 100 occurrences of necessary fields"),
        ([10] * 99 + [-5], "fewer than 100 occurrences of necessary fields"),  # negatives are not kept
        ([0] * 100, "sum is 0, causing division by zero error"),
        ([0.9] * 150, "sum is 0, causing division by zero error"),  # truncated to 0
    ],
)
def test_not_applicable(ctx, amounts, reason):
    row = tender_row(ctx, tenders(amounts))
    assert (row["result"], row["value"]) == (None, None)
    assert row["meta"] == {"reason": reason, "version": 1.0}


@pytest.mark.parametrize(
    ("top", "passed"),
    [(149, True), (150, False)],  # 149 ≤ 298 / 2 passes; 150 > 299 / 2 fails
)
def test_100_to_199_values_the_top_band_is_the_single_largest(ctx, top, passed):
    row = tender_row(ctx, tenders([1] * 149 + [top]))
    assert row["result"] is passed and row["value"] == (100 if passed else 0)
    meta = row["meta"]
    assert meta["counts"] == {"0_1": 1, "1_5": 4, "5_20": 15, "20_50": 30, "50_100": 100}
    assert meta["sums"]["0_1"] == top and meta["sum"] == 149 + top
    assert meta["examples"]["0_1"][0]["abs_amount"] == top
    assert math.isclose(sum(meta["shares"].values()), 1.0)


def test_bands_follow_floor_of_count_over_100(ctx):
    row = tender_row(ctx, tenders(list(range(1, 251))))
    meta = row["meta"]
    assert meta["counts"] == {"0_1": 2, "1_5": 8, "5_20": 30, "20_50": 60, "50_100": 150}
    assert meta["sums"]["0_1"] == 250 + 249
    assert meta["sum"] == sum(range(1, 251))
    assert [e["abs_amount"] for e in meta["examples"]["1_5"]] == list(range(248, 240, -1))
    assert len(meta["examples"]["50_100"]) == 10
    record = meta["examples"]["0_1"][0]
    assert record == {
        "path": "tender.value",
        "value": {"amount": 250, "currency": "USD"},
        "item_id": 251,  # the first item has no value
        "ocid": "o249",
        "abs_amount": 250,
    }
    assert row["result"] is True


def test_amounts_are_numbers_truncated_toward_zero_and_zero_is_kept(ctx):
    row = tender_row(ctx, tenders(["1.9"] * 50 + [0] * 50 + [True]))
    assert row["meta"]["sum"] == 50 + 1
    assert sum(row["meta"]["counts"].values()) == 101


def test_nan_and_infinite_amounts_are_skipped(ctx):
    row = tender_row(ctx, tenders(["nan", "inf", float("inf")] + [1] * 99))
    assert row["meta"]["reason"] == "fewer than 100 occurrences of necessary fields"


def test_conversion_uses_the_release_date(ctx, rates):
    row = tender_row(ctx, tenders([1000] * 100, currency="EUR", date="2020-01-02T23:59:59-05:00"))
    usd = convert(1000.0, "EUR", dt.date(2020, 1, 2), rates)
    assert row["meta"]["sum"] == 100 * int(usd)
    assert row["meta"]["examples"]["0_1"][0]["value"] == {"amount": 1000, "currency": "EUR"}


@pytest.mark.parametrize(
    ("currency", "date"),
    [
        ("EUR", None),  # no release date
        ("EUR", "garbage"),
        ("XXX", "2020-01-02"),  # unknown currency
        ("EUR", "1990-01-01"),  # before the rates (and more than 180 days)
        (5, "2020-01-02"),
    ],
)
def test_unconvertible_values_are_skipped(ctx, currency, date):
    items = tenders([10] * 100, currency=currency, date=date)
    assert tender_row(ctx, items)["meta"]["reason"] == "no compiled releases set necessary fields"


def test_without_rates_only_usd_counts(ctx):
    items = tenders([10] * 100) + tenders([10] * 100, currency="EUR")
    row = tender_row(with_ctx(ctx, rates=None), items)
    assert row["meta"]["sum"] == 1000


def test_awards_and_contracts_read_every_occurrence(ctx):
    items = [
        {
            "ocid": f"o{i}",
            "awards": [{"value": {"amount": 1, "currency": "USD"}}] * 2,
            "contracts": {"value": {}},
        }
        for i in range(50)
    ]
    rows, _ = run(ctx, items)
    assert sum(rows["distribution.awards_value"]["meta"]["counts"].values()) == 100
    assert (
        rows["distribution.contracts_value"]["meta"]["reason"] == "no compiled releases set necessary fields"
    )


def test_without_lookup_examples_hold_ids(ctx):
    checker = DatasetChecker(ctx)
    for i, item in enumerate(tenders([5] * 120), 1):
        checker.add(i, extract_facts(item))
    row = next(r for r in checker.results() if r["check_name"] == "distribution.tender_value")
    # Equal amounts keep the order they were read in.
    assert row["meta"]["examples"]["0_1"] == [{"item_id": 1, "abs_amount": 5}]
    assert row["meta"]["examples"]["1_5"][0] == {"item_id": 2, "abs_amount": 5}


def test_huge_amounts_sum_exactly(ctx):
    row = tender_row(ctx, tenders([1e300] + [2**70] * 99))
    assert row["meta"]["sum"] == int(1e300) + 99 * 2**70
    assert row["result"] is False


def test_factor_reproduces_convert_exactly(ctx, rates):
    import datetime as dt

    from pelican_dagster.checks.currency import convert
    from pelican_dagster.checks.dataset.value import ValueDistributions

    values = ValueDistributions(ctx)
    amounts = [0.0, 1.0, 0.1, 123456.789, 1e17, 3.3333333333, 987654321.123456]
    for currency in ["EUR", "MXN", "GBP", "JPY", "USD", "XXX", 5, None]:
        for date in ["2021-03-04", "2021-03-06", "1999-01-04", "2030-01-01", "garbage", None]:
            factor = values.factor(currency, date)
            day = dt.date.fromisoformat(date) if date and date[0].isdigit() else None
            for amount in amounts:
                expected = convert(amount, currency, day, rates)
                assert (None if factor is None else round(amount * factor, 6)) == expected, (currency, date)


def test_usd_amounts_near_an_integer_are_truncated_after_rounding(ctx, rates):
    """The checker skips convert's round() unless the product is within 1e-6 of the next integer."""
    import datetime as dt
    import random

    from pelican_dagster.checks.currency import convert

    day = dt.date(2021, 3, 4)
    rate = convert(1.0e6, "EUR", day, rates) / 1.0e6
    rng = random.Random(4)
    amounts = [rng.uniform(0, 1e6) for _ in range(300)]
    # Amounts whose product lands just below an integer (within and beyond the 1e-6 rounding reach).
    amounts += [(n - delta) / rate for n in range(1, 200) for delta in (1e-9, 4e-7, 6e-7, 1e-3)]
    items = [
        {"ocid": f"o{i}", "date": "2021-03-04", "tender": {"value": {"amount": a, "currency": "EUR"}}}
        for i, a in enumerate(amounts)
    ]
    _, checker = run(ctx, items)
    from pelican_dagster.checks.dataset.value import ValueDistributions

    values = next(check for check in checker._checks if isinstance(check, ValueDistributions))
    kept = list(values.kept["t"].amounts)
    assert kept == [float(math.trunc(convert(a, "EUR", day, rates))) for a in amounts]
