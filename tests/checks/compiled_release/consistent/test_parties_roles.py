"""``consistent.parties_roles`` (docs/checks.md §2.2): every applicable party role is backed by a
reference."""

from __future__ import annotations

import pytest

from pelican_dagster.checks.compiled_release.consistent.parties_roles import NA_REASON, check

FULL = {
    "tender": {"procuringEntity": {"id": "PE"}, "tenderers": [{"id": "T1"}, {"id": 2}]},
    "awards": [{"suppliers": [{"id": "S"}]}],
    "contracts": [{"implementation": {"transactions": [{"payer": {"id": "PR"}, "payee": {"id": "PE2"}}]}}],
}


def run(parties, **extra):
    return check({**FULL, **extra, "parties": parties})


@pytest.mark.parametrize(
    ("parties", "counts"),
    [
        ([{"id": "PE", "roles": ["procuringEntity"]}], (1, 1)),
        ([{"id": "T1", "roles": ["tenderer", "buyer"]}], (1, 1)),
        ([{"id": "2", "roles": ["tenderer"]}], (1, 1)),  # as text: "2" matches 2
        ([{"id": 2.0, "roles": ["tenderer"]}], (1, 0)),  # "2.0" does not match "2"
        ([{"id": "S", "roles": ["supplier", "supplier"]}], (2, 2)),  # duplicates tested twice
        ([{"id": "PR", "roles": ["payer", "payee"]}], (2, 1)),
        ([{"id": "PE2", "roles": ["payee"]}], (1, 1)),
        ([{"id": "X", "roles": ["supplier", "tenderer"]}], (2, 0)),
        ([{"id": "S", "roles": ["tenderer"]}], (1, 0)),  # the id exists, under another role
        ([{"id": "PE", "roles": ["buyer"]}], None),  # buyer is not tested
        ([{"id": "PE", "roles": ["Supplier", "procuring entity"]}], None),  # exact names only
        ([{"id": "PE", "roles": "procuringEntity"}], None),  # array coercion
        ([{"id": "PE", "roles": [{"role": "supplier"}, ["supplier"], None, 1]}], None),  # unhashable roles
        ([{"roles": ["supplier"]}], None),
        ([None, "party", 3, []], None),
        ([], None),
    ],
)
def test_outcomes(parties, counts):
    result = run(parties)
    if counts is None:
        assert result["meta"] == {"reason": NA_REASON}
        assert result["result"] is None
    else:
        assert (result["application_count"], result["pass_count"]) == counts
        assert result["result"] is (counts[0] == counts[1])


def test_single_parties_object_is_one_party():
    result = run({"id": "X", "roles": ["supplier"]})
    assert result["meta"]["failed_paths"] == [{"path": "parties", "role": "supplier", "id": "X"}]


def test_failure_entries_hold_the_id_as_text():
    result = run([{"id": "S", "roles": ["supplier"]}, {"id": 7, "roles": ["payer"]}])
    assert result["meta"]["failed_paths"] == [{"path": "parties[1]", "role": "payer", "id": "7"}]


def test_null_ids_match_as_text():
    item = {"parties": [{"id": None, "roles": ["supplier"]}], "awards": [{"suppliers": [{"id": None}]}]}
    assert check(item)["result"] is True


def test_reference_ids_in_arrays_and_single_objects():
    item = {
        "parties": [{"id": "A", "roles": ["supplier"]}, {"id": "B", "roles": ["tenderer"]}],
        "awards": {"suppliers": {"id": ["Z", "A"]}},  # objects for arrays; an array id is expanded
        "tender": {"tenderers": [[{"id": "B"}]]},  # a nested array is not traversed
    }
    result = check(item)
    assert (result["application_count"], result["pass_count"]) == (2, 1)
    assert result["meta"]["failed_paths"] == [{"path": "parties[1]", "role": "tenderer", "id": "B"}]
