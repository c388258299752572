"""``coherent.value_realistic`` (docs/checks.md §2.1), with the reference ECB rates (2020-01-02: USD
1.1193)."""

from __future__ import annotations

import dataclasses

import pytest

from pelican_dagster.checks.compiled_release.coherent import value_realistic

NA = "no numeric, convertable amounts"
DAY = "2020-01-02T10:00:00-06:00"


def v(amount, currency="USD"):
    return {"amount": amount, "currency": currency}


def outcome(result):
    if result["result"] is None:
        return result["meta"]["reason"]
    failed = result["meta"]["failed_paths"] if result["meta"] else []
    return result["application_count"], result["pass_count"], failed


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ({}, NA),
        ({"tender": {"value": v(100)}}, (1, 1, [])),
        ({"tender": {"value": v(5e9)}, "planning": {"budget": {"amount": v(-5e9)}}}, (2, 2, [])),
        (
            {"tender": {"value": v(5_000_000_001)}},
            (1, 0, [{"path": "tender.value", "amount": 5000000001.0, "currency": "USD"}]),
        ),
        # Amounts are number-coerced; the failure shows the coerced number.
        (
            {"tender": {"minValue": v("-6e9")}},
            (1, 0, [{"path": "tender.minValue", "amount": -6e9, "currency": "USD"}]),
        ),
        ({"tender": {"value": v(True)}}, (1, 1, [])),
        # NaN fails; infinities fail.
        (
            {"awards": [{"value": v("nan")}, {"value": v("inf")}]},
            (
                2,
                0,
                [
                    {"path": "awards[0].value", "amount": float("nan"), "currency": "USD"},
                    {"path": "awards[1].value", "amount": float("inf"), "currency": "USD"},
                ],
            ),
        ),
        # Non-numeric amounts are skipped.
        ({"tender": {"value": v(None)}, "awards": [{"value": v("abc")}, {"value": v([1])}]}, NA),
        ({"tender": {"value": {"currency": "USD"}}}, NA),
        ({"tender": {"value": "100 USD"}, "contracts": [{"value": None}, {"value": 7}]}, NA),
        # A value array is expanded (values at path): its elements are tested.
        (
            {"contracts": [{"value": [v(1), v(6e9)]}]},
            (2, 1, [{"path": "contracts[0].value[1]", "amount": 6e9, "currency": "USD"}]),
        ),
        # Conversion with the release date (parse_date: the written date).
        ({"date": DAY, "tender": {"value": v(4_467_077_637, "EUR")}}, (1, 1, [])),  # 4,999,999,999.1 USD
        (
            {"date": DAY, "tender": {"value": v(4_467_077_639, "EUR")}},
            (1, 0, [{"path": "tender.value", "amount": 4467077639.0, "currency": "EUR"}]),
        ),
        ({"date": DAY, "contracts": [{"value": v(9e10, "MXN")}]}, (1, 1, [])),  # ≈ 4.77e9 USD
        (
            {"date": DAY, "contracts": [{"value": v(1e11, "MXN")}]},  # ≈ 5.3e9 USD
            (1, 0, [{"path": "contracts[0].value", "amount": 1e11, "currency": "MXN"}]),
        ),
        # Unconvertible: unknown currency, no currency, odd currency, no/unparsable/out-of-range date.
        ({"date": DAY, "tender": {"value": v(1e20, "DOP")}}, NA),
        ({"date": DAY, "tender": {"value": v(1e20, None)}}, NA),
        ({"date": DAY, "tender": {"value": {"amount": 1e20}}}, NA),
        ({"date": DAY, "tender": {"value": v(1e20, ["USD"])}}, NA),  # unhashable: no conversion (§0.9)
        ({"date": DAY, "tender": {"value": v(1e20, {"c": "USD"})}}, NA),
        ({"date": DAY, "tender": {"value": v(1e20, "usd")}}, NA),
        ({"tender": {"value": v(1e20, "EUR")}}, NA),
        ({"date": None, "tender": {"value": v(1e20, "EUR")}}, NA),
        ({"date": "yesterday", "tender": {"value": v(1e20, "EUR")}}, NA),
        ({"date": "1990-01-01", "tender": {"value": v(1e20, "EUR")}}, NA),
        ({"date": "2030-01-01", "tender": {"value": v(1e20, "EUR")}}, NA),
        # USD needs no date.
        (
            {"date": "yesterday", "tender": {"value": v(1e20)}},
            (1, 0, [{"path": "tender.value", "amount": 1e20, "currency": "USD"}]),
        ),
        # Every path, in order.
        (
            {
                "date": DAY,
                "planning": {"budget": {"amount": v(9e9)}},
                "tender": {"value": v(9e9), "minValue": v(1)},
                "awards": {"value": v(9e9)},
                "contracts": [
                    {
                        "value": v(9e9, "EUR"),
                        "implementation": {"transactions": [{"value": v(1)}, {"value": v(9e9)}]},
                    }
                ],
            },
            (
                7,
                2,
                [
                    {"path": "tender.value", "amount": 9e9, "currency": "USD"},
                    {"path": "awards.value", "amount": 9e9, "currency": "USD"},
                    {"path": "contracts[0].value", "amount": 9e9, "currency": "EUR"},
                    {"path": "planning.budget.amount", "amount": 9e9, "currency": "USD"},
                    {
                        "path": "contracts[0].implementation.transactions[1].value",
                        "amount": 9e9,
                        "currency": "USD",
                    },
                ],
            ),
        ),
    ],
)
def test_value_realistic(item, expected, ctx):
    assert value_realistic.NAME == "coherent.value_realistic"
    got = outcome(value_realistic.check(item, ctx))
    if isinstance(expected, tuple) and any(e["amount"] != e["amount"] for e in expected[2]):
        # NaN ≠ NaN: compare its representation.
        assert repr(got) == repr(expected)
    else:
        assert got == expected


def test_two_amounts_in_an_unknown_currency_are_not_converted(ctx):
    item = {"date": DAY, "tender": {"value": v(1e20, "XXX")}, "awards": [{"value": v(1e20, "XXX")}]}
    assert outcome(value_realistic.check(item, ctx)) == NA


def test_without_rates_only_usd_is_tested(ctx):
    no_rates = dataclasses.replace(ctx, rates=None)
    item = {"date": DAY, "tender": {"value": v(9e9, "EUR")}, "awards": [{"value": v(1)}]}
    assert outcome(value_realistic.check(item, no_rates)) == (1, 1, [])
