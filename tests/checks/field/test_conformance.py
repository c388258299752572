"""Conformance with Pelican's reference results (tests/conformance/): every item, every folder.

Per item, ``to_pelican`` must equal the stored ``field_level`` result; per folder, the field-level
report accumulated over 3 chunks and merged must equal the stored report, and every example list must
hold as many examples as Pelican's (the examples themselves are random).
"""

from __future__ import annotations

import json

import pytest

from pelican_dagster.checks.field.evaluate import check_item_fields, code_of_entry
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


@pytest.mark.parametrize("folder", FOLDERS)
def test_report_merged_from_chunks(folder, ctx):
    parts = [FieldReport(("test", folder, i), ctx) for i in range(CHUNKS)]
    for line, item in _items(folder):
        parts[line % CHUNKS].add(line, item["ocid"], check_item_fields(item, ctx))
    states = [json.loads(json.dumps(p.to_state())) for p in parts]  # states travel as JSON
    merged = FieldReport.merge(states, 1, ctx)

    reports = {r["type"]: r["data"] for r in reference(folder, "reports")}
    assert differences(reports["field_level_check"], merged.report()) == []

    expected = {
        r["key"]: r["data"] for r in reference(folder, "examples") if r["type"] == "field_level_check"
    }
    ours = merged.examples()
    assert set(ours) == set(expected)
    assert _lengths(ours) == _lengths(expected)


def _lengths(node):
    """The same structure with every examples list replaced by its length."""
    if isinstance(node, dict):
        return {k: len(v) if k.endswith("examples") else _lengths(v) for k, v in node.items()}
    return node
