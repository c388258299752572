"""The six date-pair coherent checks (docs/checks.md §2.1): period, dates, amendments_dates, documents_dates,
milestones_dates, release_date."""

from __future__ import annotations

import pytest

from pelican_dagster.checks.compiled_release.coherent import (
    CHECKS,
    amendments_dates,
    dates,
    documents_dates,
    milestones_dates,
    period,
    release_date,
)

SET = "no pairs of dates are set"
PARSEABLE = "no pairs of dates are parseable"
EARLY, LATE = "2020-01-01T00:00:00Z", "2021-06-30T00:00:00Z"


def f(path_1, value_1, path_2, value_2):
    return {"path_1": path_1, "value_1": value_1, "path_2": path_2, "value_2": value_2}


def outcome(result):
    """(application_count, pass_count, failed_paths) or the N/A reason."""
    if result["result"] is None:
        assert result["application_count"] is None and result["pass_count"] is None
        return result["meta"]["reason"]
    assert result["result"] is (result["application_count"] == result["pass_count"])
    failed = result["meta"]["failed_paths"] if result["meta"] else []
    assert bool(failed) is (not result["result"])
    return result["application_count"], result["pass_count"], failed


def test_registry_order():
    assert list(CHECKS) == [
        "coherent.period",
        "coherent.dates",
        "coherent.amendments_dates",
        "coherent.documents_dates",
        "coherent.milestones_dates",
        "coherent.release_date",
        "coherent.procurement_method_vs_number_of_tenderers",
        "coherent.tender_status",
        "coherent.awards_status",
        "coherent.contracts_status",
        "coherent.milestone_status",
        "coherent.value_realistic",
    ]


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ({}, SET),
        ({"tender": None}, SET),
        ({"tender": {"tenderPeriod": {"startDate": EARLY}}}, SET),
        ({"tender": {"tenderPeriod": {"startDate": EARLY, "endDate": LATE}}}, (1, 1, [])),
        ({"tender": {"tenderPeriod": {"startDate": EARLY, "endDate": None}}}, PARSEABLE),
        ({"tender": {"tenderPeriod": {"startDate": "soon", "endDate": LATE}}}, PARSEABLE),
        ({"tender": {"tenderPeriod": "2020"}}, SET),
        (
            {
                "tender": {
                    "tenderPeriod": {"startDate": LATE, "endDate": EARLY},
                    "enquiryPeriod": {"startDate": EARLY, "endDate": EARLY},
                    "awardPeriod": {"startDate": LATE, "endDate": EARLY},
                    "contractPeriod": {"startDate": EARLY, "endDate": LATE},
                }
            },
            (
                4,
                2,
                [
                    f("tender.tenderPeriod.startDate", LATE, "tender.tenderPeriod.endDate", EARLY),
                    f("tender.awardPeriod.startDate", LATE, "tender.awardPeriod.endDate", EARLY),
                ],
            ),
        ),
        # Awards and contracts: same element only.
        (
            {
                "awards": [
                    {"contractPeriod": {"startDate": LATE, "endDate": EARLY}},
                    {"contractPeriod": {"startDate": EARLY}},
                    "not an award",
                ],
                "contracts": [{"period": {"startDate": EARLY, "endDate": LATE}}, None],
            },
            (
                2,
                1,
                [f("awards[0].contractPeriod.startDate", LATE, "awards[0].contractPeriod.endDate", EARLY)],
            ),
        ),
        # A single awards object (Taiwan).
        (
            {"awards": {"contractPeriod": {"startDate": LATE, "endDate": EARLY}}},
            (1, 0, [f("awards.contractPeriod.startDate", LATE, "awards.contractPeriod.endDate", EARLY)]),
        ),
    ],
)
def test_period(item, expected, ctx):
    assert period.NAME == "coherent.period"
    assert outcome(period.check(item, ctx)) == expected


D0, D1, D2, D3 = "2020-01-01", "2020-02-01", "2020-03-01", "2020-04-01"


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ({}, SET),
        ({"date": D3}, SET),
        ({"date": D3, "awards": [{"date": D1}]}, (1, 1, [])),
        ({"date": D0, "awards": [{"date": D1}]}, (1, 0, [f("awards[0].date", D1, "date", D0)])),
        ({"date": None, "awards": [{"date": D1}]}, PARSEABLE),
        ({"date": 2020, "awards": [{"date": D1}]}, PARSEABLE),
        # Every rule, in order.
        (
            {
                "date": D0,
                "tender": {"tenderPeriod": {"endDate": D2}, "contractPeriod": {"startDate": D1}},
                "awards": [{"id": "1", "date": D3}],
                "contracts": [
                    {
                        "awardID": "1",
                        "dateSigned": D1,
                        "implementation": {"transactions": [{"date": D0}, {"date": D3}]},
                    }
                ],
            },
            (
                10,
                3,
                [
                    f("tender.tenderPeriod.endDate", D2, "tender.contractPeriod.startDate", D1),
                    f("tender.tenderPeriod.endDate", D2, "contracts[0].dateSigned", D1),
                    f("awards[0].date", D3, "date", D0),
                    f("contracts[0].dateSigned", D1, "date", D0),
                    f("contracts[0].implementation.transactions[1].date", D3, "date", D0),
                    f("contracts[0].dateSigned", D1, "contracts[0].implementation.transactions[0].date", D0),
                    f("awards[0].date", D3, "contracts[0].dateSigned", D1),
                ],
            ),
        ),
        # Rule 7 pairs a contract's signature with its own transactions only.
        (
            {
                "contracts": [
                    {"dateSigned": D2, "implementation": {"transactions": [{"date": D3}]}},
                    {"dateSigned": D1, "implementation": {"transactions": [{"date": D0}]}},
                ]
            },
            (
                2,
                1,
                [f("contracts[1].dateSigned", D1, "contracts[1].implementation.transactions[0].date", D0)],
            ),
        ),
        # Rule 8: ids matched as text (1 and "1"), award-major; other contracts ignored.
        (
            {
                "awards": [{"id": 1, "date": D2}, {"id": "2", "date": D0}, {"date": D3}],
                "contracts": [
                    {"awardID": "1", "dateSigned": D1},
                    {"awardID": "2", "dateSigned": D1},
                    {"awardID": "1.0", "dateSigned": D0},
                    {"awardID": "1"},
                ],
            },
            (2, 1, [f("awards[0].date", D2, "contracts[0].dateSigned", D1)]),
        ),
        # Rule 8 with null dates: a pair is set, but not parseable.
        (
            {"awards": [{"id": "1", "date": None}], "contracts": [{"awardID": "1", "dateSigned": D1}]},
            PARSEABLE,
        ),
        # Rule 8 with null ids: both "None", so they match.
        (
            {"awards": [{"id": None, "date": D2}], "contracts": [{"awardID": None, "dateSigned": D1}]},
            (1, 0, [f("awards[0].date", D2, "contracts[0].dateSigned", D1)]),
        ),
        # Rule 8 with unhashable ids: compared as text.
        (
            {"awards": [{"id": [1], "date": D2}], "contracts": [{"awardID": [1], "dateSigned": D1}]},
            (1, 0, [f("awards[0].date", D2, "contracts[0].dateSigned", D1)]),
        ),
        # A single awards object: rule 8 path has no index.
        (
            {"awards": {"id": "1", "date": D2}, "contracts": [{"awardID": "1", "dateSigned": D1}]},
            (1, 0, [f("awards.date", D2, "contracts[0].dateSigned", D1)]),
        ),
        # Non-object awards / contracts are ignored.
        ({"awards": ["x", 1, None], "contracts": [[], {"awardID": "x"}]}, SET),
    ],
)
def test_dates(item, expected, ctx):
    assert dates.NAME == "coherent.dates"
    assert outcome(dates.check(item, ctx)) == expected


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ({}, SET),
        ({"date": D3, "tender": {"amendment": {"date": D1}}}, SET),  # the deprecated object is not used
        ({"date": D3, "tender": {"amendments": [{"date": D1}]}}, (1, 1, [])),
        (
            {"date": D0, "tender": {"tenderPeriod": {"startDate": D2}, "amendments": [{"date": D1}]}},
            (
                2,
                0,
                [
                    f("tender.tenderPeriod.startDate", D2, "tender.amendments[0].date", D1),
                    f("tender.amendments[0].date", D1, "date", D0),
                ],
            ),
        ),
        (
            {
                "awards": [{"date": D2, "amendments": [{"date": D1}]}, {"date": D0}],
                "contracts": [
                    {"dateSigned": D0},
                    {"dateSigned": D2, "amendments": [{"date": D3}, {"date": "x"}]},
                ],
            },
            (2, 1, [f("awards[0].date", D2, "awards[0].amendments[0].date", D1)]),
        ),
        ({"date": "x", "awards": [{"amendments": [{"date": None}]}]}, PARSEABLE),
    ],
)
def test_amendments_dates(item, expected, ctx):
    assert amendments_dates.NAME == "coherent.amendments_dates"
    assert outcome(amendments_dates.check(item, ctx)) == expected


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ({}, SET),
        ({"date": D3}, SET),
        ({"tender": {"documents": [{"datePublished": D1, "dateModified": D2}]}}, (1, 1, [])),
        ({"tender": {"documents": [{"datePublished": None, "dateModified": D2}]}}, PARSEABLE),
        (
            {
                "date": D1,
                "planning": {"documents": [{"datePublished": D2, "dateModified": D0}]},
                "contracts": [
                    {
                        "documents": [{"dateModified": D0}],
                        "implementation": {"documents": [{"datePublished": D3}]},
                        "milestones": [{"documents": [{"datePublished": D3}]}],  # not covered
                    }
                ],
            },
            (
                5,
                2,
                [
                    f("planning.documents[0].datePublished", D2, "planning.documents[0].dateModified", D0),
                    f("planning.documents[0].datePublished", D2, "date", D1),
                    f("contracts[0].implementation.documents[0].datePublished", D3, "date", D1),
                ],
            ),
        ),
        # Published and modified of different documents are not paired.
        ({"awards": [{"documents": [{"datePublished": D2}, {"dateModified": D1}]}]}, SET),
    ],
)
def test_documents_dates(item, expected, ctx):
    assert documents_dates.NAME == "coherent.documents_dates"
    assert outcome(documents_dates.check(item, ctx)) == expected


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ({}, SET),
        ({"tender": {"milestones": [{"dateMet": D1}]}}, SET),
        (
            {"date": D2, "tender": {"milestones": [{"dateMet": D1, "dateModified": D3}]}},
            (
                2,
                1,
                [
                    f("tender.milestones[0].dateModified", D3, "date", D2),
                ],
            ),
        ),
        (
            {
                "date": D1,
                "awards": [{"milestones": [{"dateMet": D3}]}],  # awards milestones are not covered
                "contracts": [{"implementation": {"milestones": [{"dateMet": D2}]}}],
            },
            (1, 0, [f("contracts[0].implementation.milestones[0].dateMet", D2, "date", D1)]),
        ),
        ({"date": D1, "planning": {"milestones": [{"dateMet": False}]}}, PARSEABLE),
    ],
)
def test_milestones_dates(item, expected, ctx):
    assert milestones_dates.NAME == "coherent.milestones_dates"
    assert outcome(milestones_dates.check(item, ctx)) == expected


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ({}, SET),
        ({"date": D1}, SET),
        ({"awards": [{"date": D1}]}, SET),
        ({"date": "not a date", "awards": [{"date": D1}]}, PARSEABLE),
        (
            {
                "date": D1,
                "tender": {
                    "amendments": [{"date": D0}],
                    "documents": [{"datePublished": D2, "dateModified": D3}],
                },
                "awards": [{"date": D2, "amendments": [{"date": D1}]}],
                "contracts": [
                    {
                        "dateSigned": D0,
                        "amendments": [{"date": D3}],
                        "milestones": [{"dateModified": D2}],
                        "implementation": {"transactions": [{"date": D1}]},
                    }
                ],
            },
            (
                9,
                4,
                [
                    f("contracts[0].amendments[0].date", D3, "date", D1),
                    f("awards[0].date", D2, "date", D1),
                    f("contracts[0].milestones[0].dateModified", D2, "date", D1),
                    f("tender.documents[0].datePublished", D2, "date", D1),
                    f("tender.documents[0].dateModified", D3, "date", D1),
                ],
            ),
        ),
        # A release date array is expanded like any other path.
        ({"date": [D1, D3], "awards": [{"date": D2}]}, (2, 1, [f("awards[0].date", D2, "date[0]", D1)])),
    ],
)
def test_release_date(item, expected, ctx):
    assert release_date.NAME == "coherent.release_date"
    assert outcome(release_date.check(item, ctx)) == expected


def test_huge_strings_and_unparsable_dates(ctx):
    junk = "9" * 200_000
    item = {
        "date": junk,
        "tender": {"tenderPeriod": {"startDate": junk, "endDate": "2020-02-30"}},
        "awards": [
            {"date": "2020-W01", "contractPeriod": {"startDate": "2020-1-1", "endDate": "2019-12-31"}}
        ],
    }
    assert outcome(period.check(item, ctx)) == (
        1,
        0,
        [
            f(
                "awards[0].contractPeriod.startDate",
                "2020-1-1",
                "awards[0].contractPeriod.endDate",
                "2019-12-31",
            )
        ],
    )
    assert outcome(release_date.check(item, ctx)) == PARSEABLE
