"""extract_facts: what each check reads, compact, JSON-safe, and the item left untouched."""

from __future__ import annotations

import copy
import json
import math

import orjson
import pytest

from pelican_dagster.checks.dataset.facts import CODE_CHECKS, extract_facts

ITEM = {
    "ocid": "ocds-x-1",
    "date": "2020-01-02T03:04:05Z",
    "buyer": {"id": 7},
    "planning": {"budget": {"amount": {"amount": 1, "currency": "EUR"}}},
    "tender": {
        "id": "T-1",
        "title": "Road works",
        "status": "active",
        "procurementMethod": "open",
        "submissionMethod": ["electronicSubmission", 3, "written"],
        "mainProcurementCategory": "works",
        "value": {"amount": "100", "currency": "USD"},
        "documents": [{"url": "https://a.example/1", "documentType": "tenderNotice"}, {"url": 5}],
    },
    "awards": [{"status": "active", "value": {"amount": 5, "currency": "MXN"}}, {"status": None}],
    "contracts": [
        {"implementation": {"milestones": [{"status": "met", "type": "delivery"}]}},
        {"implementation": None, "value": {"amount": None, "currency": "USD"}},
    ],
    "relatedProcesses": [
        {"scheme": "ocid", "identifier": "ocds-x-2", "title": "Bridge", "relationship": ["parent"]},
        {"scheme": "ocid", "identifier": "ocds-x-3"},
        {"scheme": "other", "identifier": "ocds-x-4"},
        {"scheme": "ocid", "identifier": None},
    ],
}


def profile(facts):
    """The ``p`` fact decoded: ``(codes, category)``, or ``({}, None)`` when absent."""
    if "p" not in facts:
        return {}, None
    codes, category = orjson.loads(facts["p"])
    return codes, category


def test_rich_item():
    facts = extract_facts(ITEM)
    assert type(facts["p"]) is str  # text: the dataset step keys its work on it
    names = [name for name, _, _ in CODE_CHECKS]
    codes = {names[int(k)]: v for k, v in profile(facts)[0].items()}
    assert codes == {
        "distribution.tender_procurement_method": ["open"],
        "distribution.tender_status": ["active"],
        "distribution.tender_submission_method": ["electronicSubmission", "written"],
        "distribution.awards_status": ["active"],
        "distribution.milestone_status": ["met"],
        "distribution.milestone_type": ["delivery"],
        "distribution.document_document_type": ["tenderNotice"],
        "distribution.value_currency": ["USD", "MXN", "USD", "EUR"],
        "distribution.related_process_relation": ["parent"],
    }
    assert facts["o"] == "ocds-x-1"
    assert profile(facts)[1] == "works"
    assert facts["t"] == "T-1"
    assert facts["b"] == "7"
    assert facts["v"] == {"t": [["tender.value", "100", "USD"]], "a": [["awards[0].value", 5, "MXN"]]}
    assert facts["d"] == "2020-01-02"
    assert facts["u"] == ["https://a.example/1"]
    assert facts["r"] == [["relatedProcesses[0]", "ocds-x-2", "Bridge"], ["relatedProcesses[1]", "ocds-x-3"]]
    assert facts["T"] == "Road works"
    # planning key (1) + tender key (2) + non-empty tender (4) + non-empty planning (8); 2 awards,
    # 2 contracts, 2 implementation occurrences (null counts).
    assert facts["L"] == [15, 2, 2, 2]


def test_item_is_not_mutated_and_facts_serialise():
    item = copy.deepcopy(ITEM)
    facts = extract_facts(item)
    assert item == ITEM
    assert orjson.loads(orjson.dumps(facts)) == facts


def test_missing_ocid_has_no_o_and_null_ocid_is_kept():
    assert "o" not in extract_facts({"tender": {"id": "x"}})
    assert extract_facts({"ocid": None})["o"] is None
    assert extract_facts({}) == {}


@pytest.mark.parametrize(
    ("item", "key", "expected"),
    [
        ({"tender": {"mainProcurementCategory": None}}, "m", "None"),
        ({"tender": {"mainProcurementCategory": 5}}, "m", "5"),
        ({"tender": {"mainProcurementCategory": ""}}, "m", None),
        ({"tender": {"id": None}}, "t", "None"),
        ({"tender": {"id": 1.0}}, "t", "1.0"),
        ({"tender": {"id": ""}}, "t", None),
        ({"buyer": {"id": None}}, "b", None),
        ({"buyer": {"id": True}}, "b", "True"),
        ({"buyer": "x"}, "b", None),
        ({"tender": {"title": ""}}, "T", None),
        ({"tender": {"title": 0}}, "T", None),
        ({"tender": {"title": 12}}, "T", 12),
        ({"tender": {"title": ["a"]}}, "T", {"~": '["a"]'}),
    ],
)
def test_coercions(item, key, expected):
    facts = extract_facts(item)
    assert (profile(facts)[1] if key == "m" else facts.get(key)) == expected


def test_profile_is_absent_without_codes_and_category():
    assert "p" not in extract_facts({"ocid": "a", "tender": {"status": 5, "mainProcurementCategory": ""}})
    assert profile(extract_facts({"ocid": "a", "tender": {"status": "active"}})) == ({"1": ["active"]}, None)
    assert profile(extract_facts({"ocid": "a", "tender": {"mainProcurementCategory": "goods"}})) == (
        {},
        "goods",
    )


def test_profile_of_strings_orjson_refuses_is_escaped_json():
    text = extract_facts({"ocid": "a", "tender": {"status": "a\ud800b"}})["p"]
    assert text.isascii() and json.loads(text) == [{"1": ["a\ud800b"]}, None]


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ({"amount": 1, "currency": "USD"}, [["tender.value", 1, "USD"]]),
        ({"amount": "1e3", "currency": "USD"}, [["tender.value", "1e3", "USD"]]),
        ({"amount": True, "currency": 5}, [["tender.value", True, 5]]),
        (
            {"amount": -1, "currency": "USD"},
            [["tender.value", -1, "USD"]],
        ),  # negatives: repetition counts them
        ({"amount": "x", "currency": "USD"}, None),
        ({"amount": None, "currency": "USD"}, None),
        ({"amount": 1}, None),
        ({"amount": 1, "currency": None}, None),
        ({"amount": 1, "currency": {"a": 1}}, None),  # unhashable currency: skipped (§0.9)
        ({"amount": [1], "currency": "USD"}, None),
        ("1 USD", None),
        (None, None),
    ],
)
def test_value_entries(value, kept):
    facts = extract_facts({"ocid": "o", "tender": {"value": value}})
    assert facts.get("v", {}).get("t") == kept


def test_odd_values_stay_json_safe():
    item = {
        "ocid": 2**70,
        "date": 20200101,
        "tender": {"value": {"amount": 2**70, "currency": "USD"}, "title": {"en": float("nan")}},
        "awards": [{"value": {"amount": float("nan"), "currency": 2**80}}],
        "relatedProcesses": [{"scheme": "ocid", "identifier": {"id": 1}, "title": 2**65}],
    }
    facts = extract_facts(item)
    orjson.dumps(facts)  # must not raise
    assert facts["o"] == str(2**70)
    assert facts["v"]["t"] == [["tender.value", str(2**70), "USD"]]
    assert facts["v"]["a"][0][1] == "nan" and math.isnan(float(facts["v"]["a"][0][1]))
    assert "d" not in facts  # a non-string date is no date
    assert facts["r"] == [["relatedProcesses[0]", {"~": '{"id":1}'}, str(2**65)]]


def test_single_objects_and_odd_shapes():
    item = {
        "ocid": "x",
        "awards": {"status": "active", "value": {"amount": 1, "currency": "USD"}},
        "contracts": {"implementation": [1, 2, 3]},
        "tender": [],
        "planning": {},
    }
    facts = extract_facts(item)
    assert facts["v"] == {"a": [["awards.value", 1, "USD"]]}
    assert profile(facts)[0]["4"] == ["active"]
    # planning key + tender key, neither non-empty object; single awards/contracts objects are not arrays.
    assert facts["L"] == [3, 0, 0, 3]


def test_facts_are_small_for_a_bare_item():
    assert len(orjson.dumps(extract_facts({"ocid": "ocds-x-1", "tender": {"id": "1"}}))) < 40


def test_gather_equals_values_at_path_on_real_and_mutated_items():
    import random

    from pelican_dagster.checks.dataset.facts import _PAIR_PATHS, PATHS, gather
    from pelican_dagster.checks.primitives import values_at_path
    from tests.checks.dataset.test_robustness import mutate
    from tests.conformance.compare import DATA, iter_items

    rng = random.Random(7)
    items = [
        item
        for name in ("moldova", "mexico-inai", "armenia")
        for _, item in iter_items(DATA / f"{name}.jsonl.gz")
    ]
    items += [mutate(rng.choice(items), rng) for _ in range(400)]
    items.append(ITEM)
    for item in items:
        found = gather(item)
        for path, occurrences in zip(PATHS, found, strict=True):
            expected = values_at_path(item, path)
            if path not in _PAIR_PATHS:
                expected = [value for _, value in expected]
            assert occurrences == expected, path
