"""The six ``consistent.<x>_name_in_parties`` checks (docs/checks.md §2.2)."""

from __future__ import annotations

import pytest

from pelican_dagster.checks.compiled_release import TRIE
from pelican_dagster.checks.compiled_release.consistent import (
    buyer_name_in_parties,
    payee_name_in_parties,
    payer_name_in_parties,
    procuring_entity_name_in_parties,
    supplier_name_in_parties,
    tenderer_name_in_parties,
)
from pelican_dagster.checks.compiled_release.item import CompiledRelease
from tests.checks.compiled_release.consistent.test_in_parties_roles import place, ref_path

NO_PARTY = "no party has an id and a name"
NO_REFERENCE = "no reference has an id and a name and matches exactly one party"

MODULES = [
    supplier_name_in_parties,
    tenderer_name_in_parties,
    buyer_name_in_parties,
    procuring_entity_name_in_parties,
    payer_name_in_parties,
    payee_name_in_parties,
]


@pytest.fixture(params=MODULES, ids=lambda m: m.NAME)
def module(request):
    return request.param


@pytest.mark.parametrize(
    ("parties", "ref", "expected"),
    [
        ([{"id": "A", "name": "Ministry"}], {"id": "A", "name": "Ministry"}, True),
        ([{"id": "1", "name": "M"}], {"id": 1, "name": "M"}, True),  # ids as text
        ([{"id": "A", "name": None}], {"id": "A", "name": None}, True),
        ([{"id": "A", "name": 1}], {"id": "A", "name": 1.0}, True),  # Python equality
        ([{"id": "A", "name": 1}], {"id": "A", "name": True}, True),
        ([{"id": "A", "name": {"es": "M"}}], {"id": "A", "name": {"es": "M"}}, True),
        ([{"id": "A", "name": "1"}], {"id": "A", "name": 1}, False),
        ([{"id": "A", "name": "Ministry"}], {"id": "A", "name": "ministry"}, False),  # no normalisation
        ([{"id": "A", "name": "Ministry"}], {"id": "A", "name": "Ministry "}, False),
        ([{"id": "A", "name": "M"}], {"id": "A", "name": None}, False),
        ([{"id": "A", "name": "M" * 100_000}], {"id": "A", "name": "M" * 100_000}, True),
        ([{"id": "A", "name": "M"}], {"id": "A"}, NO_REFERENCE),  # a missing name is not compared
        ([{"id": "A", "name": "M"}], {"id": "B", "name": "M"}, NO_REFERENCE),
        ([{"id": "A", "name": "M"}, {"id": "A", "name": "M"}], {"id": "A", "name": "M"}, NO_REFERENCE),
        # a party without a name does not count towards the duplicates
        ([{"id": "A", "name": "M"}, {"id": "A"}], {"id": "A", "name": "M"}, True),
        ([{"id": "A", "name": "M"}], ["A"], NO_REFERENCE),
        ([{"id": "A"}], {"id": "A", "name": "M"}, NO_PARTY),
        ([{"name": "M"}], {"id": "A", "name": "M"}, NO_PARTY),
        (["A", None], {"id": "A", "name": "M"}, NO_PARTY),
    ],
)
def test_outcomes(module, parties, ref, expected):
    item = {**place(module.PATH, [ref]), "parties": parties}
    result = module.check(item)
    assert result == module.check(item, None, CompiledRelease(item, TRIE))
    if isinstance(expected, str):
        assert result["meta"] == {"reason": expected}
        assert result["result"] is None
    else:
        assert result["result"] is expected
        assert (result["application_count"], result["pass_count"]) == (1, int(expected))


def test_failure_entries(module):
    item = {
        **place(module.PATH, [{"id": 1, "name": "Ministry of X"}]),
        "parties": [{"id": "1", "name": "Ministry"}],
    }
    assert module.check(item)["meta"] == {
        "failed_paths": [
            {
                "party": {"path": "parties[0]", "id": "1", "name": "Ministry"},
                "reference": {"path": ref_path(module.PATH), "id": 1, "name": "Ministry of X"},
            }
        ]
    }
