"""``consistent.contracts_value`` (docs/checks.md §2.2): award value vs the sum of its contracts' values."""

from __future__ import annotations

import pytest

from pelican_dagster.checks.compiled_release.consistent.contracts_value import NA_REASON, check

DATE = "2020-06-15T10:00:00Z"


def value(amount, currency="USD"):
    return {"amount": amount, "currency": currency}


def award(ident, amount, currency="USD"):
    return {"id": ident, "value": value(amount, currency)}


def contract(award_id, amount, currency="USD"):
    return {"awardID": award_id, "value": value(amount, currency)}


def run(ctx, awards, contracts, date=DATE):
    return check({"date": date, "awards": awards, "contracts": contracts}, ctx)


@pytest.mark.parametrize(
    ("awards", "contracts", "counts"),
    [
        ([award("A", 100)], [contract("A", 100)], (1, 1)),
        ([award("A", 100)], [contract("A", 60), contract("A", 80)], (1, 1)),
        ([award("A", 100)], [contract("A", 151)], (1, 0)),
        ([award("A", 100)], [contract("A", 40), contract("A", 9)], (1, 0)),
        ([award("A", -100)], [contract("A", -100)], (1, 1)),
        # ids compare as text: 1 matches "1", 1.0 does not.
        ([award(1, 100)], [contract("1", 100)], (1, 1)),
        ([award(1.0, 100)], [contract("1", 100)], None),
        ([award(True, 100)], [contract("True", 100)], (1, 1)),
        # two awards, one tested, one without contracts
        ([award("A", 100), award("B", 5)], [contract("A", 100)], (1, 1)),
        # duplicate award ids (as text) are not tested
        ([award("A", 100), award("A", 100)], [contract("A", 100)], None),
        ([award(1, 100), award("1", 100)], [contract("1", 100)], None),
        # currency mixes are converted; a euro and a dollar are within 50 % of each other
        ([award("A", 100, "EUR")], [contract("A", 100, "USD")], (1, 1)),
        ([award("A", 100, "EUR")], [contract("A", 1000, "USD")], (1, 0)),
        ([award("A", 100, "EUR")], [contract("A", 100, "ABC")], None),
        # the same unknown currency needs no conversion
        ([award("A", 100, "XXX")], [contract("A", 100, "XXX")], (1, 1)),
        # skipped awards
        ([award("A", 100, None)], [contract("A", 100)], None),
        ([award("A", 100)], [contract("A", 100, None)], None),
        ([award("A", 100, {"c": 1})], [contract("A", 100)], None),
        ([award("A", 100)], [contract("A", 100, ["USD"])], None),
        ([award("A", None)], [contract("A", 100)], None),
        ([award("A", "lots")], [contract("A", 100)], None),
        ([award("A", 0)], [contract("A", 100)], None),
        ([award("A", 100)], [contract("A", 0)], None),
        ([award("A", 100)], [contract("A", 50), contract("A", "x")], None),
        ([award("A", 100)], [contract("A", -100)], None),
        ([award("A", -100)], [contract("A", 50), contract("A", 100)], None),
        ([{"id": "A"}], [contract("A", 100)], None),
        ([{"id": "A", "value": "100 USD"}], [contract("A", 100)], None),
        # NaN is never zero or of the opposite sign: tested, and fails
        ([award("A", "nan")], [contract("A", 100)], (1, 0)),
        ([award("A", 100)], [contract("A", "nan")], (1, 0)),
    ],
)
def test_outcomes(ctx, awards, contracts, counts):
    result = run(ctx, awards, contracts)
    if counts is None:
        assert result["result"] is None
        assert result["meta"] == {"reason": NA_REASON}
    else:
        assert (result["application_count"], result["pass_count"]) == counts
        assert result["result"] is (counts[0] == counts[1])


@pytest.mark.parametrize(
    ("item", "reason"),
    [
        ({}, "no award has an id"),
        ({"awards": None, "contracts": [contract("A", 1)]}, "no award has an id"),
        ({"awards": {"id": "A"}, "contracts": [contract("A", 1)]}, "no award has an id"),  # array coercion
        ({"awards": [None, "A", [], {"value": 1}], "contracts": [contract("A", 1)]}, "no award has an id"),
        ({"awards": [award("A", 1)]}, "no contract has an awardID"),
        ({"awards": [award("A", 1)], "contracts": contract("A", 1)}, "no contract has an awardID"),
        ({"awards": [award("A", 1)], "contracts": [{"id": 1}, None, 7]}, "no contract has an awardID"),
    ],
)
def test_not_applicable(ctx, item, reason):
    assert check(item, ctx)["meta"] == {"reason": reason}


def test_failure_entries(ctx):
    result = run(
        ctx, [award("A", 100, "MXN"), award(7, 10, "EUR")], [contract("A", 40, "MXN"), contract("7", 100)]
    )
    assert result["result"] is False
    first, second = result["meta"]["failed_paths"]
    assert first == {"award_id": "A", "award_amount": 100.0, "contracts_amount_sum": 40.0, "currency": "MXN"}
    assert second["award_id"] == 7
    assert second["currency"] == "USD"
    assert second["award_amount"] != 10  # converted from EUR


def test_sum_starts_from_integer_zero(ctx):
    result = run(ctx, [award("A", 1000)], [contract("A", 1), contract("A", 2)])
    assert result["meta"]["failed_paths"][0]["contracts_amount_sum"] == 3.0


@pytest.mark.parametrize("date", [None, "2020-06-15", "2020-1-1T00:00:00Z"])
def test_release_date_uses_parse_datetime(ctx, date):
    # 2020-1-1T00:00:00Z parses with parse_datetime (not with parse_date): conversion works.
    assert run(ctx, [award("A", 100, "EUR")], [contract("A", 100)], date)["result"] is (
        True if date else None
    )


def test_release_date_only_parse_date_accepts_disables_conversion(ctx):
    # "2020-01-01T25:00:00Z": parse_date accepts it, parse_datetime does not.
    result = run(ctx, [award("A", 100, "EUR")], [contract("A", 100)], "2020-01-01T25:00:00Z")
    assert result["meta"] == {"reason": NA_REASON}


def test_without_rates_only_single_currencies_are_tested(no_rates):
    assert run(no_rates, [award("A", 100, "EUR")], [contract("A", 100)])["result"] is None
    assert run(no_rates, [award("A", 100, "EUR")], [contract("A", 100, "EUR")])["result"] is True
