"""``reference.contract_in_awards`` (docs/checks.md §2.3)."""

from __future__ import annotations

import pytest

from pelican_dagster.checks.compiled_release.reference.contract_in_awards import check


@pytest.mark.parametrize(
    ("awards", "contract", "reason"),
    [
        ([{"id": "A"}], {"awardID": "A"}, None),
        ([{"id": 1}], {"awardID": 1.0}, None),
        ([{"id": "A"}, {"id": "B"}], {"awardID": "B"}, None),
        ({"id": "A"}, {"awardID": "A"}, None),  # a single awards object counts
        ([{"id": "A"}], {"id": "A"}, "contract has no awardID"),
        ([{"id": "A"}], "A", "contract has no awardID"),
        ([{"id": "A"}], None, "contract has no awardID"),
        (None, {"awardID": "A"}, "no award has an id"),
        ([{"title": "x"}], {"awardID": "A"}, "no award has an id"),
        ([{"id": "1"}], {"awardID": 1}, "id is not the same type as awardID"),
        ([{"id": "A"}], {"awardID": "B"}, "no award matches the awardID"),
        ([{"id": "A"}, {"id": "A"}], {"awardID": "A"}, "multiple awards match the awardID"),
        ([{"id": [1]}], {"awardID": [1]}, "no award matches the awardID"),  # an array id is expanded
        ([{"id": {"k": 1}}], {"awardID": {"k": 1}}, None),  # unhashable, compared as text
    ],
)
def test_outcomes(awards, contract, reason):
    item = {"contracts": [contract]} if awards is None else {"awards": awards, "contracts": [contract]}
    result = check(item)
    assert result["application_count"] == 1
    if reason is None:
        assert result["result"] is True
    else:
        assert result["result"] is False
        awarded = contract.get("awardID") if isinstance(contract, dict) else None
        assert result["meta"]["failed_paths"] == [
            {"path": "contracts[0]", "awardID": awarded, "reason": reason}
        ]


@pytest.mark.parametrize("item", [{}, {"contracts": []}, {"awards": [{"id": "A"}]}])
def test_no_contract(item):
    assert check(item)["meta"] == {"reason": "no contract is set"}


def test_single_contract_object_and_counts():
    result = check({"awards": [{"id": "A"}], "contracts": {"awardID": "B"}})
    assert result["meta"]["failed_paths"][0]["path"] == "contracts"
    result = check({"awards": [{"id": "A"}], "contracts": [{"awardID": "A"}, {"awardID": "A"}, {}]})
    assert (result["application_count"], result["pass_count"], result["result"]) == (3, 2, False)
