"""The status and method coherent checks (docs/checks.md §2.1): procurement_method_vs_number_of_tenderers,
tender_status, awards_status, contracts_status, milestone_status."""

from __future__ import annotations

import pytest

from pelican_dagster.checks.compiled_release.coherent import (
    awards_status,
    contracts_status,
    milestone_status,
    procurement_method_vs_number_of_tenderers,
    tender_status,
)


def na(reason):
    return {
        "result": None,
        "meta": {"reason": reason},
        "application_count": None,
        "pass_count": None,
        "version": 1.0,
    }


def single(passed, meta=None):
    return {
        "result": passed,
        "meta": None if passed else meta,
        "application_count": 1,
        "pass_count": int(passed),
        "version": 1.0,
    }


def multiple(applications, passes, failed):
    return {
        "result": applications == passes,
        "meta": {"failed_paths": failed} if failed else None,
        "application_count": applications,
        "pass_count": passes,
        "version": 1.0,
    }


NON_NUMERIC = "numberOfTenderers is non-numeric"
NOT_DIRECT = "procurementMethod is not direct"


@pytest.mark.parametrize(
    ("tender", "expected"),
    [
        ({"procurementMethod": "direct", "numberOfTenderers": 1}, single(True)),
        ({"procurementMethod": "direct", "numberOfTenderers": 0}, single(True)),
        ({"procurementMethod": "direct", "numberOfTenderers": "1"}, single(True)),
        ({"procurementMethod": "direct", "numberOfTenderers": 1.0}, single(True)),
        ({"procurementMethod": "direct", "numberOfTenderers": True}, single(True)),  # float(True) is 1.0
        ({"procurementMethod": "direct", "numberOfTenderers": 3}, single(False, {"numberOfTenderers": 3})),
        (
            {"procurementMethod": "direct", "numberOfTenderers": "2"},
            single(False, {"numberOfTenderers": "2"}),
        ),
        (
            {"procurementMethod": "direct", "numberOfTenderers": "nan"},
            single(False, {"numberOfTenderers": "nan"}),
        ),
        ({"procurementMethod": "direct", "numberOfTenderers": -1}, single(False, {"numberOfTenderers": -1})),
        ({"procurementMethod": "direct"}, na(NON_NUMERIC)),
        ({"procurementMethod": "direct", "numberOfTenderers": None}, na(NON_NUMERIC)),
        ({"procurementMethod": "direct", "numberOfTenderers": "one"}, na(NON_NUMERIC)),
        ({"procurementMethod": "direct", "numberOfTenderers": [1]}, na(NON_NUMERIC)),
        ({"procurementMethod": "open"}, na(NON_NUMERIC)),  # the count is checked first
        ({"procurementMethod": "open", "numberOfTenderers": 3}, na(NOT_DIRECT)),
        ({"procurementMethod": "Direct", "numberOfTenderers": 3}, na(NOT_DIRECT)),
        ({"procurementMethod": ["direct"], "numberOfTenderers": 3}, na(NOT_DIRECT)),
        ({"numberOfTenderers": 3}, na(NOT_DIRECT)),
        (None, na(NON_NUMERIC)),
        ("direct", na(NON_NUMERIC)),
        ([{"procurementMethod": "direct", "numberOfTenderers": 1}], na(NON_NUMERIC)),
    ],
)
def test_procurement_method_vs_number_of_tenderers(tender, expected, ctx):
    check = procurement_method_vs_number_of_tenderers
    assert check.NAME == "coherent.procurement_method_vs_number_of_tenderers"
    assert check.check({"tender": tender}, ctx) == expected


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ({"tender": {"status": "active"}}, single(True)),
        ({"tender": {"status": "planning"}, "awards": [], "contracts": []}, single(True)),
        (
            {"tender": {"status": "cancelled"}, "awards": [{}], "contracts": [{}, {}]},
            single(False, {"contracts_count": 2, "awards_count": 1}),
        ),
        # A non-array counts as 0 entries.
        ({"tender": {"status": "withdrawn"}, "awards": {"id": "1"}, "contracts": "x"}, single(True)),
        ({"tender": {"status": "complete"}, "awards": [{}]}, na("tender.status is 'complete'")),
        ({"tender": {"status": "Active"}}, na("tender.status is 'Active'")),
        ({"tender": {"status": 5}}, na("tender.status is 5")),
        ({"tender": {"status": True}}, na("tender.status is True")),
        ({"tender": {"status": ["active"]}}, na("tender.status is ['active']")),  # Pelican raises (§0.9)
        ({"tender": {"status": {"a": 1}}}, na("tender.status is {'a': 1}")),
        ({"tender": {"status": ""}}, na("tender.status is blank")),
        ({"tender": {"status": None}}, na("tender.status is blank")),
        ({"tender": {"status": []}}, na("tender.status is blank")),
        ({"tender": {"status": 0}}, na("tender.status is blank")),
        ({"tender": {}}, na("tender.status is blank")),
        ({"tender": None}, na("tender.status is blank")),
        ({"tender": [{"status": "active"}]}, na("tender.status is blank")),
        ({}, na("tender.status is blank")),
    ],
)
def test_tender_status(item, expected, ctx):
    assert tender_status.NAME == "coherent.tender_status"
    assert tender_status.check(item, ctx) == expected


AWARDS_NA = na("no award with an id is inactive")


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ({}, AWARDS_NA),
        ({"awards": [{"id": "1", "status": "active"}]}, AWARDS_NA),
        ({"awards": [{"status": "pending"}]}, AWARDS_NA),  # no id
        ({"awards": [{"id": "1", "status": "Pending"}]}, AWARDS_NA),
        ({"awards": [{"id": "1", "status": ["pending"]}]}, AWARDS_NA),  # unhashable: not a candidate
        ({"awards": [{"id": "1", "status": {"s": 1}}]}, AWARDS_NA),
        ({"awards": ["pending", None, 1]}, AWARDS_NA),
        ({"awards": [{"id": "1", "status": "pending"}]}, multiple(1, 1, [])),
        (
            {
                "awards": [
                    {"id": "1", "status": "pending"},
                    {"id": 2, "status": "cancelled"},
                    {"id": "3", "status": "unsuccessful"},
                    {"id": "4", "status": "active"},
                ],
                "contracts": [{"awardID": "2"}, {"awardID": "4"}, {"awardID": 1.0}],
            },
            # 2 matches "2" as text; 1.0 is "1.0", not "1".
            multiple(3, 2, [{"path": "awards[1]", "id": 2}]),
        ),
        # Null ids match null awardIDs ("None").
        (
            {"awards": [{"id": None, "status": "pending"}], "contracts": [{"awardID": None}]},
            multiple(1, 0, [{"path": "awards[0]", "id": None}]),
        ),
        # A single awards object is one award with path "awards".
        (
            {"awards": {"id": "1", "status": "cancelled"}, "contracts": [{"awardID": "1"}]},
            multiple(1, 0, [{"path": "awards", "id": "1"}]),
        ),
        # Unhashable ids compare as text (an awardID array is expanded by values-at-path).
        (
            {"awards": [{"id": {"a": 1}, "status": "pending"}], "contracts": {"awardID": {"a": 1}}},
            multiple(1, 0, [{"path": "awards[0]", "id": {"a": 1}}]),
        ),
        (
            {"awards": [{"id": ["1"], "status": "pending"}], "contracts": [{"awardID": ["1"]}]},
            multiple(1, 1, []),
        ),
    ],
)
def test_awards_status(item, expected, ctx):
    assert awards_status.NAME == "coherent.awards_status"
    assert awards_status.check(item, ctx) == expected


CONTRACTS_NA = na("no contract is unsigned")


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ({}, CONTRACTS_NA),
        ({"contracts": [{"status": "active", "implementation": {"transactions": [{}]}}]}, CONTRACTS_NA),
        ({"contracts": [{"status": ["pending"]}]}, CONTRACTS_NA),
        ({"contracts": [None, "pending", 3]}, CONTRACTS_NA),
        ({"contracts": [{"status": "pending"}]}, multiple(1, 1, [])),
        (
            {"contracts": [{"status": "cancelled", "implementation": {"transactions": []}}]},
            multiple(1, 1, []),
        ),
        # Array coercion: a non-array transactions counts as 0.
        (
            {"contracts": [{"status": "pending", "implementation": {"transactions": {"id": 1}}}]},
            multiple(1, 1, []),
        ),
        (
            {"contracts": [{"status": "pending", "implementation": [{"transactions": [{}]}]}]},
            multiple(1, 1, []),
        ),
        (
            {
                "contracts": [
                    {"status": "pending", "implementation": {"transactions": [{}, {}]}},
                    {"status": "cancelled", "implementation": {"transactions": [None]}},
                    {"status": "terminated", "implementation": {"transactions": [{}]}},
                ]
            },
            multiple(
                2,
                0,
                [
                    {"path": "contracts[0]", "transactions_count": 2},
                    {"path": "contracts[1]", "transactions_count": 1},
                ],
            ),
        ),
        (
            {"contracts": {"status": "pending", "implementation": {"transactions": [{}]}}},
            multiple(1, 0, [{"path": "contracts", "transactions_count": 1}]),
        ),
    ],
)
def test_contracts_status(item, expected, ctx):
    assert contracts_status.NAME == "coherent.contracts_status"
    assert contracts_status.check(item, ctx) == expected


MILESTONES_NA = na("no milestone is unmet")


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ({}, MILESTONES_NA),
        ({"tender": {"milestones": [{"status": "met", "dateMet": "2020"}]}}, MILESTONES_NA),
        ({"awards": [{"milestones": [{"status": "scheduled", "dateMet": "2020"}]}]}, MILESTONES_NA),
        ({"tender": {"milestones": [{"status": ["notMet"]}]}}, MILESTONES_NA),
        ({"tender": {"milestones": ["scheduled", None]}}, MILESTONES_NA),
        ({"tender": {"milestones": [{"status": "scheduled"}]}}, multiple(1, 1, [])),
        # Falsy dateMet values pass: null, "", 0, false, [], {}.
        (
            {
                "planning": {
                    "milestones": [
                        {"status": "notMet", "dateMet": value} for value in (None, "", 0, False, [], {})
                    ]
                }
            },
            multiple(6, 6, []),
        ),
        (
            {
                "planning": {"milestones": [{"status": "notMet", "dateMet": "x"}]},
                "tender": {"milestones": {"status": "scheduled", "dateMet": "2020-01-01"}},
                "contracts": [
                    {
                        "milestones": [{"status": "scheduled", "dateMet": 0}],
                        "implementation": {"milestones": [{"status": "scheduled", "dateMet": " "}]},
                    }
                ],
            },
            multiple(
                4,
                1,
                [
                    {"path": "planning.milestones[0]", "status": "notMet"},
                    {"path": "tender.milestones", "status": "scheduled"},
                    {"path": "contracts[0].implementation.milestones[0]", "status": "scheduled"},
                ],
            ),
        ),
    ],
)
def test_milestone_status(item, expected, ctx):
    assert milestone_status.NAME == "coherent.milestone_status"
    assert milestone_status.check(item, ctx) == expected
