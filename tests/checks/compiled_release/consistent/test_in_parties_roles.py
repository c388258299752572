"""The six ``consistent.<x>_in_parties_roles`` checks (docs/checks.md §2.2)."""

from __future__ import annotations

import copy

import pytest

from pelican_dagster.checks.compiled_release import TRIE
from pelican_dagster.checks.compiled_release.consistent import (
    buyer_in_parties_roles,
    payee_in_parties_roles,
    payer_in_parties_roles,
    procuring_entity_in_parties_roles,
    supplier_in_parties_roles,
    tenderer_in_parties_roles,
)
from pelican_dagster.checks.compiled_release.item import CompiledRelease

NO_PARTY = "no party has an id"
NO_REFERENCE = "no reference has an id and matches exactly one party"


def place(path, refs):
    """An item with ``refs`` (a list of reference objects) at ``path``, as arrays where OCDS has arrays."""
    if path == "buyer":
        return {"buyer": refs[0]}
    if path == "tender.procuringEntity":
        return {"tender": {"procuringEntity": refs[0]}}
    if path == "tender.tenderers":
        return {"tender": {"tenderers": refs}}
    if path == "awards.suppliers":
        return {"awards": [{"suppliers": refs}]}
    key = path.rsplit(".", 1)[1]
    return {"contracts": [{"implementation": {"transactions": [{key: r} for r in refs]}}]}


def ref_path(path, i=0):
    if path in ("buyer", "tender.procuringEntity"):
        return path
    if path == "tender.tenderers":
        return f"tender.tenderers[{i}]"
    if path == "awards.suppliers":
        return f"awards[0].suppliers[{i}]"
    return f"contracts[0].implementation.transactions[{i}].{path.rsplit('.', 1)[1]}"


MODULES = [
    supplier_in_parties_roles,
    tenderer_in_parties_roles,
    buyer_in_parties_roles,
    procuring_entity_in_parties_roles,
    payer_in_parties_roles,
    payee_in_parties_roles,
]


@pytest.fixture(params=MODULES, ids=lambda m: m.NAME)
def module(request):
    return request.param


@pytest.mark.parametrize(
    ("parties", "ref", "expected"),
    [
        ([{"id": "A", "roles": ["ROLE"]}], {"id": "A"}, True),
        ([{"id": "1", "roles": ["x", "ROLE"]}], {"id": 1}, True),  # ids as text
        ([{"id": True, "roles": ["ROLE"]}], {"id": "True"}, True),
        ([{"id": "A", "roles": ["other"]}], {"id": "A"}, False),
        ([{"id": "A", "roles": "ROLE"}], {"id": "A"}, False),  # roles not an array: none
        ([{"id": "A"}], {"id": "A"}, False),
        ([{"id": None, "roles": ["ROLE"]}], {"id": None}, True),
        ([{"id": "A", "roles": ["ROLE"]}], {"id": "B"}, NO_REFERENCE),
        ([{"id": "A", "roles": ["ROLE"]}], {"name": "A"}, NO_REFERENCE),
        ([{"id": "A", "roles": ["ROLE"]}, {"id": "A", "roles": []}], {"id": "A"}, NO_REFERENCE),
        ([{"id": 1, "roles": ["ROLE"]}, {"id": "1", "roles": []}], {"id": "1"}, NO_REFERENCE),
        ([{"id": "A", "roles": ["ROLE"]}], "A", NO_REFERENCE),
        ([{"id": "A", "roles": ["ROLE"]}], None, NO_REFERENCE),
        ([{"id": {"x": 1}, "roles": ["ROLE"]}], {"id": {"x": 1}}, True),  # unhashable ids, as text
        ([{"id": [1], "roles": ["ROLE"]}], {"id": "[1]"}, True),
        ([{"name": "A", "roles": ["ROLE"]}], {"id": "A"}, NO_PARTY),
        ([None, "A", 1], {"id": "A"}, NO_PARTY),
        ([], {"id": "A"}, NO_PARTY),
    ],
)
def test_outcomes(module, parties, ref, expected):
    parties = copy.deepcopy(parties)  # the table is shared by the six modules
    for party in parties:
        if isinstance(party, dict) and isinstance(party.get("roles"), list):
            party["roles"] = [module.ROLE if r == "ROLE" else r for r in party["roles"]]
        elif isinstance(party, dict) and party.get("roles") == "ROLE":
            party["roles"] = module.ROLE
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
    parties = [{"id": "A", "roles": ["other"]}, {"id": "B", "roles": [module.ROLE]}]
    multiple = module.PATH not in ("buyer", "tender.procuringEntity")
    refs = [{"id": "B"}, {"id": "A"}] if multiple else [{"id": "A"}]
    result = module.check({**place(module.PATH, refs), "parties": parties})
    failed = {
        "party": {"path": "parties[0]", "id": "A", "roles": ["other"]},
        "reference": {"path": ref_path(module.PATH, 1 if multiple else 0), "id": "A", "role": module.ROLE},
    }
    assert result["meta"] == {"failed_paths": [failed]}
    assert (result["application_count"], result["pass_count"]) == ((2, 1) if multiple else (1, 0))


def test_single_parties_object(module):
    item = {**place(module.PATH, [{"id": "A"}]), "parties": {"id": "A", "roles": []}}
    assert module.check(item)["meta"]["failed_paths"][0]["party"]["path"] == "parties"


def test_names_and_roles():
    assert [m.ROLE for m in MODULES] == ["supplier", "tenderer", "buyer", "procuringEntity", "payer", "payee"]
