"""Evaluation of one item (docs/checks.md §1.2): traversal edge cases, the compact codes, the encoding."""

from __future__ import annotations

import copy
import random
import zlib

import pytest

from pelican_dagster.checks.field.evaluate import (
    FieldResult,
    check_item_fields,
    code_of_entry,
    decode_field_result,
    encode_flat,
    pelican_checks,
)
from pelican_dagster.checks.field.paths import PATHS, path_index

INDEX = path_index()
N_MUTATIONS = 300


def entries(item, ctx):
    return check_item_fields(item, ctx).to_pelican(item.get("ocid"), 1)["checks"]


def consistent(item, ctx):
    """The hot loop's codes equal the codes of the rebuilt Pelican entries, path by path."""
    result = check_item_fields(item, ctx)
    full = pelican_checks(item, ctx)
    assert {PATHS[i].path for i in result.codes} == set(full)
    for path, path_entries in full.items():
        assert result.codes[INDEX[path].index] == [code_of_entry(e) for e in path_entries], path
    assert decode_field_result(result.encode()) == result
    return full


def coverage_of(entry):
    return [(r["name"], r["result"], r["value"], r["reason"]) for r in entry["coverage"]["check_results"]]


def test_result_shape(ctx):
    item = {"ocid": "ocds-b5fd17-1", "date": "2031-05-01T00:00:00Z", "awards": [{"id": "1"}, {"date": ""}]}
    out = check_item_fields(item, ctx).to_pelican("ocds-b5fd17-1", 7)
    assert out["meta"] == {"ocid": "ocds-b5fd17-1", "item_id": 7}
    checks = out["checks"]
    assert checks["ocid"] == [
        {
            "path": "ocid",
            "coverage": {
                "overall_result": True,
                "check_results": [
                    {"name": "exists", "result": True, "value": None, "reason": None, "version": 1.0},
                    {"name": "non_empty", "result": True, "value": None, "reason": None, "version": 1.0},
                ],
            },
            "quality": {
                "overall_result": True,
                "check_results": [
                    {
                        "name": "ocid_prefix_check",
                        "result": True,
                        "value": None,
                        "reason": None,
                        "version": 1.0,
                    }
                ],
            },
        }
    ]
    assert checks["date"][0]["quality"] == {
        "overall_result": False,
        "check_results": [
            {
                "name": "date_time",
                "result": False,
                "value": "2031-05-01T00:00:00Z",
                "reason": "not in 1990-01-01/2026-11-30",
                "version": 2.0,
            }
        ],
    }
    assert [e["path"] for e in checks["awards.date"]] == ["awards[0].date", "awards[1].date"]
    assert coverage_of(checks["awards.date"][0]) == [("exists", False, None, "not set")]
    assert coverage_of(checks["awards.date"][1]) == [
        ("exists", True, None, None),
        ("non_empty", False, "", "empty string"),
    ]
    assert checks["awards.date"][1]["quality"] == {"overall_result": None, "check_results": []}
    # Paths without parents are omitted; top-level paths are always there.
    assert "tender.id" not in checks
    assert "awards.items.id" not in checks
    assert set(p.path for p in PATHS if "." not in p.path) <= set(checks)
    consistent(item, ctx)


def test_tender_null(ctx):
    checks = consistent({"ocid": "x", "tender": None}, ctx)
    assert coverage_of(checks["tender"][0]) == [
        ("exists", True, None, None),
        ("non_empty", False, None, "null value"),
    ]
    assert coverage_of(checks["tender.id"][0]) == [
        ("exists", False, None, "parent is a NoneType, not an object")
    ]
    assert checks["tender.id"][0]["path"] == "tender.id"
    assert "tender.items.id" not in checks  # grandchildren have no parents


def test_null_array_element(ctx):
    checks = consistent({"awards": [None, {"id": "a"}]}, ctx)
    assert [e["path"] for e in checks["awards.id"]] == ["awards[0].id", "awards[1].id"]
    assert coverage_of(checks["awards.id"][0]) == [
        ("exists", False, None, "parent is a NoneType, not an object")
    ]
    assert checks["awards.id"][1]["coverage"]["overall_result"] is True


def test_string_where_array_expected(ctx):
    checks = consistent({"tender": {"tenderers": "string"}}, ctx)
    entry = checks["tender.tenderers.contactPoint"][0]
    assert entry["path"] == "tender.tenderers.contactPoint"
    assert coverage_of(entry) == [("exists", False, "string", "parent is a str, not an object")]
    assert "tender.tenderers.contactPoint.email" not in checks


def test_array_in_array(ctx):
    item = {"awards": [[{"id": "a", "items": [{"id": "i"}]}, 3], {"id": "b"}]}
    checks = consistent(item, ctx)
    assert [e["path"] for e in checks["awards.id"]] == ["awards[0][0].id", "awards[0][1].id", "awards[1].id"]
    assert [e["coverage"]["overall_result"] for e in checks["awards.id"]] == [True, False, True]
    assert coverage_of(checks["awards.id"][1]) == [("exists", False, 3, "parent is a int, not an object")]
    # Pelican's traversal does not enter a nested array: nothing below awards[0][0].
    assert "awards.items.id" not in checks


def test_single_object_where_array_expected(ctx):
    checks = consistent({"awards": {"id": "a", "suppliers": [{"name": "s"}]}}, ctx)
    assert [e["path"] for e in checks["awards.id"]] == ["awards.id"]
    assert [e["path"] for e in checks["awards.suppliers.name"]] == ["awards.suppliers[0].name"]


@pytest.mark.parametrize(
    ("tender", "paths_present"),
    [
        ({}, True),
        ({"items": []}, True),
        ([], False),  # an empty array at the top: no parents for tender.*
    ],
)
def test_empty_containers(ctx, tender, paths_present):
    checks = consistent({"tender": tender}, ctx)
    assert ("tender.id" in checks) is paths_present
    assert "tender.items.id" not in checks
    if tender == {}:
        assert coverage_of(checks["tender"][0])[1] == ("non_empty", False, {}, "empty object")


def test_quality_only_after_coverage(ctx):
    item = {"ocid": "", "language": None, "tender": {"numberOfTenderers": 0, "items": [{"quantity": -1}]}}
    checks = consistent(item, ctx)
    assert checks["ocid"][0]["quality"] == {"overall_result": None, "check_results": []}
    assert checks["language"][0]["quality"]["overall_result"] is None
    assert checks["tender.numberOfTenderers"][0]["quality"]["overall_result"] is True  # 0 is not empty
    assert checks["tender.items.quantity"][0]["quality"]["check_results"][0]["reason"] == "less than 0"


def test_odd_values_everywhere(ctx):
    # Random shape mutations of a rich item: the hot loop and the rebuilt entries always agree.
    base = {
        "ocid": "ocds-b5fd17-1",
        "date": "2020-01-01",
        "parties": [{"id": "1", "identifier": {"scheme": "GB-COH"}, "contactPoint": {"email": "a@b.c"}}],
        "tender": {
            "id": "t",
            "items": [{"id": "i", "quantity": "3", "unit": {"value": {"amount": 5}}}],
            "documents": [{"documentType": "awardNotice", "format": "text/html", "language": "en"}],
            "tenderers": [{"id": "1", "name": "n"}],
        },
        "awards": [{"id": "a", "date": "2020-1-1", "suppliers": [{"id": "1"}]}],
        "contracts": [{"implementation": {"transactions": [{"value": {"amount": -1}}]}}],
    }
    rng = random.Random(5)
    odd = [None, "", {}, [], 0, -1.5, True, "nan", "x", [None], [[{"id": "z"}]], {"id": None}, "9" * 400]

    def mutate(node):
        if isinstance(node, dict):
            for key in list(node):
                if rng.random() < 0.15:
                    node[key] = copy.deepcopy(rng.choice(odd))
                else:
                    mutate(node[key])
        elif isinstance(node, list):
            for i in range(len(node)):
                if rng.random() < 0.15:
                    node[i] = copy.deepcopy(rng.choice(odd))
                else:
                    mutate(node[i])

    for _ in range(N_MUTATIONS):
        item = copy.deepcopy(base)
        mutate(item)
        consistent(item, ctx)


def test_encode_round_trip_and_size(ctx):
    item = {"ocid": "x", "tender": {"items": [{"id": str(i)} for i in range(70_000)]}}
    result = check_item_fields(item, ctx)
    data = result.encode()
    decoded = decode_field_result(data)
    assert decoded == result
    assert decoded.codes[INDEX["tender.items.id"].index] == [6] * 70_000
    assert decoded.item is None
    assert len(data) < 2_000
    assert decode_field_result(FieldResult({}).encode()) == FieldResult({})


def test_encode_flat_writes_the_bytes_of_encode(ctx):
    """A chunk's results encoded together (the item pass) are byte for byte those encoded one by one, and
    both the documented format (zlib level 6 of bitmap, LEB128 counts, codes)."""
    items = [
        {"ocid": "x", "tender": {"items": [{"id": str(i)} for i in range(300)]}},
        {"ocid": "y", "parties": [{"id": "1", "roles": ["buyer"]}, {"name": ""}], "date": "2020-01-01"},
        {},
    ]
    results = [check_item_fields(item, ctx) for item in items] + [FieldResult({}), FieldResult({558: [8]})]
    batch = encode_flat([result.flat() for result in results])
    assert batch == [result.encode() for result in results]
    for result, data in zip(results, batch, strict=True):
        indices = sorted(result.codes)
        counts = bytearray()
        for i in indices:
            n = len(result.codes[i])
            while n >= 0x80:
                counts.append((n & 0x7F) | 0x80)
                n >>= 7
            counts.append(n)
        raw = sum(1 << i for i in indices).to_bytes(70, "little") + counts
        raw += bytes(code for i in indices for code in result.codes[i])
        assert data == zlib.compress(raw, 6)
    assert encode_flat([]) == []


def test_to_pelican_of_decoded_result_needs_the_item(ctx):
    item = {"ocid": "x", "tender": {"id": 1}}
    decoded = decode_field_result(check_item_fields(item, ctx).encode())
    with pytest.raises(ValueError, match="needs the item"):
        decoded.to_pelican("x", 1)
    assert decoded.to_pelican("x", 1, item, ctx) == check_item_fields(item, ctx).to_pelican("x", 1)


def test_coverage_only(ctx):
    item = {"ocid": "bad", "date": "2099-01-01", "tender": {"items": [{"quantity": -1}]}}
    result = check_item_fields(item, ctx, quality=False)
    assert set(code for codes in result.codes.values() for code in codes) <= {0, 3, 6}
    checks = result.to_pelican("bad", 1)["checks"]
    assert checks["ocid"][0]["quality"] == {"overall_result": None, "check_results": []}
    assert checks["date"][0]["coverage"]["overall_result"] is True
    full = check_item_fields(item, ctx)
    assert {i: [c // 3 for c in codes] for i, codes in full.codes.items()} == {
        i: [c // 3 for c in codes] for i, codes in result.codes.items()
    }
