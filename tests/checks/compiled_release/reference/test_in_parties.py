"""The six ``reference.<x>_in_parties`` checks (docs/checks.md §2.3)."""

from __future__ import annotations

import pytest

from pelican_dagster.checks.compiled_release import TRIE
from pelican_dagster.checks.compiled_release.item import CompiledRelease
from pelican_dagster.checks.compiled_release.reference import (
    buyer_in_parties,
    payee_in_parties,
    payer_in_parties,
    procuring_entity_in_parties,
    supplier_in_parties,
    tenderer_in_parties,
)
from tests.checks.compiled_release.consistent.test_in_parties_roles import place, ref_path

MODULES = [
    supplier_in_parties,
    tenderer_in_parties,
    buyer_in_parties,
    procuring_entity_in_parties,
    payer_in_parties,
    payee_in_parties,
]

NO_ID = "reference has no id"
NO_PARTY = "no party has an id"
TYPE = "id values are not the same type"
NO_MATCH = "no party matches the referencing id"
SEVERAL = "multiple parties match the referencing id"


@pytest.fixture(params=MODULES, ids=lambda m: m.NAME)
def module(request):
    return request.param


@pytest.mark.parametrize(
    ("parties", "ref", "expected"),
    [
        ([{"id": "A"}], {"id": "A"}, True),
        ([{"id": "A"}, {"id": "B"}], {"id": "B"}, True),
        ([{"id": 1}], {"id": 1.0}, True),  # raw equality: 1 == 1.0 == true
        ([{"id": True}], {"id": 1}, True),
        ([{"id": None}], {"id": None}, True),
        ([{"id": 1}, {"id": "1"}], {"id": "1"}, True),  # matches across types are not "multiple"
        ([{"id": {"a": 1}}], {"id": {"a": 1}}, True),  # unhashable: compared as text
        ([{"id": ["A", "B"]}], {"id": "B"}, True),  # an array id yields each element
        ([{"id": "1"}], {"id": 1}, TYPE),
        ([{"id": "True"}], {"id": True}, TYPE),
        ([{"id": "[1]"}], {"id": [1]}, TYPE),
        ([{"id": "A"}], {"id": "B"}, NO_MATCH),
        ([{"id": 1.0}], {"id": "1"}, NO_MATCH),  # "1.0" ≠ "1"
        ([{"id": {"a": 1}}], {"id": "a"}, NO_MATCH),
        ([{"id": "A"}, {"id": "A"}], {"id": "A"}, SEVERAL),
        ([{"id": 1}, {"id": 1.0}], {"id": True}, SEVERAL),
        ([{"name": "A"}], {"id": "A"}, NO_PARTY),
        ([], {"id": "A"}, NO_PARTY),
        (None, {"id": "A"}, NO_PARTY),
        ([{"id": "A"}], {"name": "A"}, NO_ID),
        ([{"id": "A"}], "A", NO_ID),
        ([{"id": "A"}], None, NO_ID),
    ],
)
def test_outcomes(module, parties, ref, expected):
    item = {**place(module.PATH, [ref]), "parties": parties}
    result = module.check(item)
    assert result == module.check(item, None, CompiledRelease(item, TRIE))
    assert result["application_count"] == 1
    if expected is True:
        assert result["result"] is True
        assert result["meta"] is None
    else:
        assert result["result"] is False
        (failure,) = result["meta"]["failed_paths"]
        assert failure == {
            "path": ref_path(module.PATH),
            "id": None if expected == NO_ID else ref["id"],
            "reason": expected,
        }


@pytest.mark.parametrize(
    "item",
    [{}, {"parties": [{"id": "A"}]}, {"tender": {}, "awards": [], "contracts": [{"implementation": {}}]}],
)
def test_no_reference(module, item):
    assert module.check(item)["meta"] == {"reason": "no reference is set"}


def test_null_reference_is_set(module):
    if module.PATH in ("buyer", "tender.procuringEntity"):
        result = module.check({**place(module.PATH, [None]), "parties": []})
        assert result["meta"]["failed_paths"][0]["reason"] == NO_ID


def test_counts_with_several_references():
    item = {
        "tender": {"tenderers": [{"id": "A"}, {"id": "B"}, {"id": 7}, {}]},
        "parties": [{"id": "A"}, {"id": "7"}],
    }
    result = tenderer_in_parties.check(item)
    assert (result["application_count"], result["pass_count"]) == (4, 1)
    assert [f["reason"] for f in result["meta"]["failed_paths"]] == [NO_MATCH, TYPE, NO_ID]
    assert [f["path"] for f in result["meta"]["failed_paths"]] == [
        "tender.tenderers[1]",
        "tender.tenderers[2]",
        "tender.tenderers[3]",
    ]


def test_nested_array_reference_has_no_id():
    result = tenderer_in_parties.check({"tender": {"tenderers": [[{"id": "A"}]]}, "parties": [{"id": "A"}]})
    assert result["meta"]["failed_paths"] == [{"path": "tender.tenderers[0]", "id": None, "reason": NO_ID}]
