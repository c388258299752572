"""ReportData read from export folders (the reference folders are export folders)."""

from __future__ import annotations

import gzip
import json

import pytest

from pelican_dagster.reporting.model import ReportData
from tests.conformance.compare import HERE, reference
from tests.reporting.samples import FOLDERS, load


@pytest.mark.parametrize("folder", FOLDERS)
def test_reads_every_part_of_a_reference_folder(folder):
    data = load(folder)
    assert data.name == folder
    assert len(data.field_report) == 559
    assert len(data.resource_report) == 37
    assert len(data.field_examples) == 559
    assert len(data.resource_examples) == 37
    assert data.dataset_level == reference(folder, "dataset_level")
    assert data.time_based == reference(folder, "time_based")
    meta = reference(folder, "dataset_meta")
    assert (data.meta, data.phase, data.state, data.size) == (meta["meta"], "CHECKED", "OK", meta["size"])
    assert (data.ancestor is not None) == folder.endswith(".time-based")
    assert data.has_time_based == folder.endswith(".time-based")


def test_missing_files_give_empty_parts(tmp_path):
    data = ReportData.from_export_dir(tmp_path, name="empty")
    assert data.name == "empty"
    assert (data.field_report, data.resource_report, data.dataset_level, data.time_based) == ({}, {}, [], [])
    assert (data.meta, data.size, data.ancestor) == ({}, None, None)


def test_odd_rows_are_skipped(tmp_path):
    with gzip.open(tmp_path / "reports.jsonl.gz", "wt") as f:
        f.write(json.dumps([1, 2]) + "\n\n" + json.dumps({"type": "other", "data": {}}) + "\n")
        f.write(json.dumps({"type": "field_level_check", "data": None}) + "\n")
    with gzip.open(tmp_path / "examples.jsonl.gz", "wt") as f:
        f.write(json.dumps({"type": "field_level_check", "key": 5, "data": {}}) + "\n")
    (tmp_path / "dataset_meta.json").write_text(json.dumps({"meta": None, "size": 3}))
    data = ReportData.from_export_dir(tmp_path)
    assert (data.field_report, data.field_examples, data.meta, data.size) == ({}, {}, {}, 3)


def test_reads_the_manifest_ancestor():
    data = ReportData.from_export_dir(HERE / "paraguay.time-based")
    assert data.ancestor.endswith("paraguay.snapshot-a.jsonl.gz")
