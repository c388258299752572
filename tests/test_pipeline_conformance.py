"""End to end against Pelican's reference results: ``pelican-dagster check`` loads a real file into
Kingfisher Process tables, runs every asset through Dagster and exports; every level of the export must
equal the reference under the comparison rules of docs/export-format.md.

The check-level conformance tests (``tests/checks/**/test_conformance.py``) cover every item of every
reference folder through the plain functions; this one proves that the pipeline (extraction, chunked
item pass, facts, merged report aggregates, export) adds or loses nothing.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from pelican_dagster.cli import main
from tests.conformance import compare

FOLDERS = ["paraguay.time-based", "mexico-cdmx.time-based", "taiwan", "moldova", "colombia"]


def _read(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


@pytest.mark.slow
@pytest.mark.parametrize("folder", FOLDERS)
def test_pipeline_export_equals_reference(folder, db_env, reference_configuration, tmp_path):
    out = tmp_path / "out"
    args = ["check", str(compare.input_file(folder)), "--out", str(out), "--in-process"]
    if ancestor := compare.ancestor_file(folder):
        args[2:2] = ["--ancestor", str(ancestor)]
    assert main(args) == 0

    problems: list[str] = []
    ours = {row["ocid"]: row for row in _read(out / "items.jsonl.gz")}
    reference_items = compare.reference(folder, "items")
    assert len(ours) == len(reference_items)
    for row in reference_items:
        mine = ours[row["ocid"]]
        assert mine["line"] == row["line"]
        for part in ("field_level", "resource_level"):
            problems += compare.differences(row[part], mine[part], f"{row['ocid']} {part}: ")
    for name, key in (("dataset_level", "check_name"), ("time_based", "check_name")):
        expected = {r[key]: r for r in compare.reference(folder, name)}
        actual = {r[key]: r for r in _read(out / f"{name}.jsonl.gz")}
        assert expected.keys() == actual.keys(), name
        for k in expected:
            problems += compare.differences(expected[k], actual[k], f"{name} {k}: ")
    expected_reports = {r["type"]: r["data"] for r in compare.reference(folder, "reports")}
    actual_reports = {r["type"]: r["data"] for r in _read(out / "reports.jsonl.gz")}
    for kind, data in expected_reports.items():
        problems += compare.differences(data, actual_reports[kind], f"report {kind}: ")
    meta = json.loads((out / "dataset_meta.json").read_text())
    reference_meta = compare.reference(folder, "dataset_meta")
    assert (meta["phase"], meta["state"], meta["size"]) == ("CHECKED", "OK", reference_meta["size"])
    for key in ("tender_lifecycle", "compiled_releases"):
        problems += compare.differences(reference_meta["meta"][key], meta["meta"][key], f"meta {key}: ")
    assert problems == []
