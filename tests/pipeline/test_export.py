"""``items.jsonl.gz`` written by worker processes (issue 13): the same lines, in the same order, as one
process writes; a worker's failure fails the export and leaves no file; small datasets stay in one
process. On a real dataset (Moldova, 51 items) checked through the pipeline with the reference
configuration, so that the parallel file is also compared with Pelican's reference results."""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import zlib
from pathlib import Path

import dagster as dg
import pytest

from pelican_dagster.assets import PIPELINE_ASSETS
from pelican_dagster.partitions import datasets
from pelican_dagster.pipeline import export
from pelican_dagster.pipeline.export import ExportError, export_items, export_workers
from pelican_dagster.pipeline.loader import load_file
from pelican_dagster.storage import kingfisher
from pelican_dagster.storage.results import register_dataset
from tests.conformance import compare
from tests.conftest import make_resources, register_seed

NAME = "moldova"


def _check_moldova(kfp_url: str, results_url: str, dagster_home: Path) -> int:
    """Moldova loaded, registered and checked through the pipeline with the reference configuration
    (docs/export-format.md); returns the collection id."""
    from pelican_dagster.storage import engines

    with pytest.MonkeyPatch.context() as mp, dg.instance_for_test() as instance:
        mp.setenv("PELICAN_NOW", "2026-11-29T11:00:00Z")
        mp.setenv("PELICAN_OCID_PREFIXES_FILE", str(compare.CODELISTS / "ocid_prefixes.csv"))
        mp.setenv("PELICAN_ORG_ID_FILE", str(compare.CODELISTS / "org-id.csv"))
        mp.setenv("PELICAN_URL_CHECK_OFFLINE", "1")
        kfp_engine = engines.kingfisher_engine(kfp_url, ensure_tables=True)
        loaded = load_file(kfp_engine, compare.input_file(NAME))
        with engines.results_engine(results_url).begin() as conn:
            register_dataset(conn, NAME, collection_id=loaded.collection_id)
        instance.add_dynamic_partitions(datasets.name, [NAME])
        resources = make_resources(kfp_url, results_url)
        assert dg.materialize(
            PIPELINE_ASSETS, partition_key=NAME, instance=instance, resources=resources
        ).success
    return loaded.collection_id


register_seed(__name__, "checked", _check_moldova)


@pytest.fixture
def checked(seed_value):
    """The collection id of Moldova, checked (copies of the seeded databases)."""
    return seed_value("checked")


@pytest.fixture(autouse=True)
def close_pools():
    yield
    from pelican_dagster.storage import engines

    engines.dispose_all()


def _members(path: Path) -> int:
    """The number of gzip members of a file (concatenated members are one valid gzip file)."""
    data, members = path.read_bytes(), 0
    while data:
        decompressor = zlib.decompressobj(wbits=31)
        decompressor.decompress(data)
        assert decompressor.eof, "a truncated gzip member"
        data, members = decompressor.unused_data, members + 1
    return members


def _text(path: Path) -> bytes:
    with gzip.open(path, "rb") as f:
        return f.read()


def test_workers_write_what_one_process_writes(checked, results_engine, kfp_engine, tmp_path):
    lines = kingfisher.LoadedLines(kfp_engine, checked).lines_of
    one = tmp_path / "one.jsonl.gz"
    assert export_items(results_engine, NAME, one, lines=lines, workers=1) == 51
    progress: list[str] = []
    # 8 parts of at most 7 items on 3 workers: parts finish out of order and are joined in order.
    parallel = tmp_path / "parallel.jsonl.gz"
    count = export_items(
        results_engine, NAME, parallel, lines=lines, workers=3, part_items=7, report_progress=progress.append
    )
    assert count == 51
    assert (_members(one), _members(parallel)) == (1, 8)
    assert _text(parallel) == _text(one)
    assert progress[-1].startswith("export: 51 / 51 items")
    if zcat := shutil.which("zcat"):
        assert subprocess.run([zcat, str(parallel)], capture_output=True, check=True).stdout == _text(one)

    # The loader's mapping of lines gives the same file as the lookup by batches.
    with kfp_engine.connect() as conn:
        mapping = kingfisher.loaded_lines(conn, checked)
    again = tmp_path / "mapping.jsonl.gz"
    export_items(results_engine, NAME, again, lines=mapping, workers=2, part_items=10)
    assert _text(again) == _text(one)

    # And every line agrees with Pelican's reference results.
    ours = {row["ocid"]: row for row in compare.read_jsonl(parallel)}
    problems: list[str] = []
    for row in compare.reference(NAME, "items"):
        mine = ours.pop(row["ocid"])
        assert mine["line"] == row["line"]
        for part in ("field_level", "resource_level"):
            problems += compare.differences(row[part], mine[part], f"{row['ocid']} {part}: ")
    assert problems == [] and ours == {}


def _fail_on(item_id: int):
    def results(item_id_: int, text: str):
        if item_id_ == item_id:
            raise ValueError(f"cannot rebuild item {item_id_}")
        return export.no_item_results(item_id_, text)

    return results


def test_a_failing_worker_fails_the_export_and_leaves_no_file(checked, results_engine, tmp_path):
    path = tmp_path / "items.jsonl.gz"
    path.write_bytes(b"an earlier export")
    first = export_items(results_engine, NAME, tmp_path / "ok.jsonl.gz", item_results=export.no_item_results)
    ids = [row["item_id"] for row in compare.read_jsonl(tmp_path / "ok.jsonl.gz")]
    assert first == len(ids) == 51
    failing = _fail_on(ids[30])
    with pytest.raises(
        ExportError, match=rf"items .* failed in a worker process: ValueError: cannot rebuild item {ids[30]}"
    ):
        export_items(results_engine, NAME, path, item_results=failing, workers=2, part_items=5)
    assert sorted(os.listdir(tmp_path)) == ["ok.jsonl.gz"]


def test_a_worker_that_dies_fails_the_export(checked, results_engine, tmp_path):
    def dies(item_id: int, text: str):
        os._exit(3)

    with pytest.raises(ExportError, match="failed in a worker process: BrokenProcessPool"):
        export_items(
            results_engine, NAME, tmp_path / "items.jsonl.gz", item_results=dies, workers=2, part_items=5
        )
    assert os.listdir(tmp_path) == []


def test_a_small_dataset_is_exported_in_one_process(checked, results_engine, tmp_path):
    assert export_workers(export.PARALLEL_MIN_ITEMS - 1) == 1
    assert 1 <= export_workers(export.PARALLEL_MIN_ITEMS) <= export.MAX_WORKERS
    path = tmp_path / "items.jsonl.gz"
    # One process writes one gzip member; workers write one per part.
    assert export_items(results_engine, NAME, path) == 51
    assert _members(path) == 1


def test_the_export_command_writes_with_workers(checked, db_env, tmp_path, monkeypatch, capsys):
    from pelican_dagster.cli import main

    # Moldova is small: three workers whatever this machine's cores, as a large dataset would get.
    monkeypatch.setattr(export, "export_workers", lambda items: 3)
    out = tmp_path / "out"
    assert main(["export", NAME, "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "wrote" in captured.out and "51 items" in captured.out
    assert "export: 51 / 51 items" in captured.err
    path = out / "items.jsonl.gz"
    assert _members(path) == 3
    assert sorted(p.name for p in out.iterdir()) == [
        "dataset_level.jsonl.gz",
        "dataset_meta.json",
        "examples.jsonl.gz",
        "items.jsonl.gz",
        "reports.jsonl.gz",
        "time_based.jsonl.gz",
    ]
    # The lines the command looks up (in Kingfisher Process, a batch at a time) are Pelican's.
    reference = {row["ocid"]: row["line"] for row in compare.reference(NAME, "items")}
    assert {row["ocid"]: row["line"] for row in compare.read_jsonl(path)} == reference
