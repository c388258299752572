"""Conformance with Pelican's reference results (tests/conformance/): every item, every folder.

Per item, ``to_pelican`` must equal the stored ``field_level`` result; per folder, the field-level
report accumulated over 3 chunks and merged must equal the stored report, and every example list must
hold as many examples as Pelican's (the examples themselves are random). The merged samples are
pointers: each example built from one (re-reading its item) must be Pelican's entry result.
"""

from __future__ import annotations

import json

import pytest

from pelican_dagster.checks.field.evaluate import check_item_fields, code_of_entry
from pelican_dagster.checks.field.examples import (
    EXISTS,
    EXISTS_PASSED,
    NON_EMPTY,
    NON_EMPTY_PASSED,
    QUALITY,
)
from pelican_dagster.checks.field.paths import PATHS
from pelican_dagster.checks.field.report import FieldReport
from tests.conformance.compare import FOLDERS, differences, input_file, iter_items, reference

CHUNKS = 3


def _items(folder):
    return [(line, item) for line, item in iter_items(input_file(folder)) if "ocid" in item]


@pytest.mark.parametrize("folder", FOLDERS)
def test_item_results(folder, ctx):
    expected = {row["line"]: row for row in reference(folder, "items")}
    checked = 0
    problems = []
    for line, item in _items(folder):
        row = expected.pop(line)
        assert row["ocid"] == item["ocid"]
        result = check_item_fields(item, ctx)
        ours = result.to_pelican(item["ocid"], row["item_id"])
        problems += differences(row["field_level"], ours, f"line {line}: ")
        # The compact codes say the same as the full result.
        index = {p.path: p.index for p in PATHS}
        assert result.codes == {index[p]: [code_of_entry(e) for e in es] for p, es in ours["checks"].items()}
        checked += 1
    assert not expected, f"reference items not checked: {sorted(expected)[:5]}"
    assert checked
    assert problems == []


def _merged(folder, ctx):
    parts = [FieldReport(("test", folder, i), ctx) for i in range(CHUNKS)]
    for line, item in _items(folder):
        parts[line % CHUNKS].add(line, item["ocid"], check_item_fields(item, ctx))
    states = [json.loads(json.dumps(p.to_state())) for p in parts]  # states travel as JSON
    return FieldReport.merge(states, 1, ctx)


def _lookup(folder):
    items = dict(_items(folder))
    return lambda ids: {i: items[i] for i in ids}


@pytest.mark.parametrize("folder", FOLDERS)
def test_report_merged_from_chunks(folder, ctx):
    merged = _merged(folder, ctx)

    reports = {r["type"]: r["data"] for r in reference(folder, "reports")}
    assert differences(reports["field_level_check"], merged.report()) == []

    expected = {
        r["key"]: r["data"] for r in reference(folder, "examples") if r["type"] == "field_level_check"
    }
    ours = merged.examples(_lookup(folder))
    assert set(ours) == set(expected)
    assert _lengths(ours) == _lengths(expected)


def _lengths(node):
    """The same structure with every examples list replaced by its length."""
    if isinstance(node, dict):
        return {k: len(v) if k.endswith("examples") else _lengths(v) for k, v in node.items()}
    return node


#: Where each sample's examples are in a path's examples data (docs/report-shapes.md §6.2).
_PLACES = {
    "coverage.passed": ("coverage", "passed_examples"),
    "coverage.failed": ("coverage", "failed_examples"),
    "exists.passed": ("coverage", "checks", "exists", "passed_examples"),
    "exists.failed": ("coverage", "checks", "exists", "failed_examples"),
    "non_empty.passed": ("coverage", "checks", "non_empty", "passed_examples"),
    "non_empty.failed": ("coverage", "checks", "non_empty", "failed_examples"),
    "quality.passed": ("quality", "passed_examples"),
    "quality.failed": ("quality", "failed_examples"),
    "check.passed": ("quality", "checks", None, "passed_examples"),
    "check.failed": ("quality", "checks", None, "failed_examples"),
}


@pytest.mark.parametrize("folder", FOLDERS)
def test_examples_from_pointers_are_pelican_entries(folder, ctx):
    # Each merged sample is a list of pointers (item, occurrence, which result); the example built from
    # one must be what Pelican's field_level_check entry of that item says for that check result.
    merged = _merged(folder, ctx)
    examples = merged.examples(_lookup(folder))
    items = dict(_items(folder))
    pelican = {
        line: check_item_fields(item, ctx).to_pelican(item["ocid"], line)["checks"]
        for line, item in items.items()
    }
    checked = 0
    for (index, name), sampler in merged.samplers.items():
        field = PATHS[index]
        node = examples[field.path]
        for key in _PLACES[name]:
            node = node[key if key is not None else field.quality]
        assert len(node) == len(sampler.samples)
        passed = name.endswith(".passed")
        for (line, position, which), example in zip(sampler.samples, node, strict=True):
            entry = pelican[line][field.path][position]
            if which in (EXISTS, EXISTS_PASSED):
                result = entry["coverage"]["check_results"][0]
            elif which in (NON_EMPTY, NON_EMPTY_PASSED):
                result = entry["coverage"]["check_results"][1]
            else:
                assert which == QUALITY
                result = entry["quality"]["check_results"][0]
            assert result["result"] is passed
            assert example == {
                "meta": {"ocid": items[line]["ocid"], "item_id": line},
                "path": entry["path"],
                "result": result,
            }
            checked += 1
    assert checked > 1000
