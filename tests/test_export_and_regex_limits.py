"""Export of every value the checks accept, and regular expressions under a time limit (issue 16), on
real PostgreSQL databases and a real Dagster instance."""

from __future__ import annotations

import gzip
import json

import dagster as dg
import pytest
import sqlalchemy as sa

from pelican_dagster.assets import PIPELINE_ASSETS, dataset_items
from pelican_dagster.partitions import datasets
from pelican_dagster.pipeline.export import export_dataset
from pelican_dagster.pipeline.filters import FilterSpec, FilterTimeout
from pelican_dagster.pipeline.loader import load_file
from pelican_dagster.storage.lifecycle import create_filtered_dataset
from pelican_dagster.storage.results import dataset_by_id, get_progress, register_dataset
from pelican_dagster.storage.run_state import run_state
from tests.conftest import DATA

HUGE = "9" * 5000
DEEP = "[" * 2000 + "]" * 2000


@pytest.fixture
def instance():
    with dg.instance_for_test() as instance:
        yield instance


@pytest.fixture
def moldova(kfp_engine, results_engine, instance, monkeypatch):
    monkeypatch.setenv("PELICAN_URL_CHECK_OFFLINE", "1")
    loaded = load_file(kfp_engine, DATA / "moldova.jsonl.gz")
    with results_engine.begin() as conn:
        dataset_id = register_dataset(conn, "moldova", collection_id=loaded.collection_id)
    instance.add_dynamic_partitions(datasets.name, ["moldova"])
    return loaded.collection_id, dataset_id


def _lines(path):
    # The standard library would refuse the 5,000-digit integer (Python's conversion limit).
    with gzip.open(path, "rt") as f:
        return [json.loads(line, parse_int=str, parse_float=str) for line in f]


def test_export_writes_1e400_a_5000_digit_integer_and_deep_nesting(
    instance, resources, kfp_engine, results_engine, moldova, tmp_path
):
    collection_id, dataset_id = moldova
    with kfp_engine.begin() as conn:
        # jsonb accepts these; every compiled release of the collection carries them.
        conn.execute(
            sa.text(
                "UPDATE data SET data = data || jsonb_build_object('tender', coalesce(data->'tender', '{}')"
                f' || \'{{"value": {{"amount": 1e400, "currency": "USD"}}}}\'::jsonb,'
                f" 'huge', '{HUGE}'::jsonb, 'deep', '{DEEP}'::jsonb)"
                " WHERE id IN (SELECT data_id FROM compiled_release WHERE collection_id = :c)"
            ),
            {"c": collection_id},
        )
    result = dg.materialize(PIPELINE_ASSETS, partition_key="moldova", instance=instance, resources=resources)
    assert result.success
    with results_engine.connect() as conn:
        assert get_progress(conn, dataset_id)["phase"] == "CHECKED"

    counts = export_dataset(results_engine, "moldova", tmp_path / "all")
    assert counts["items"] == 51
    items = _lines(tmp_path / "all" / "items.jsonl.gz")
    assert len(items) == 51 and all(item["field_level"] for item in items)
    assert export_dataset(results_engine, "moldova", tmp_path / "no_items", items=False)["examples"] > 0
    # Every file reads back as JSON Lines.
    for name in ("dataset_level", "reports", "examples", "time_based"):
        _lines(tmp_path / "no_items" / f"{name}.jsonl.gz")


@pytest.mark.parametrize(
    ("regex", "times_out"),
    [
        (r"^(\w+\s?)*$", False),  # the expression: linear in the regex engine
        (r"^(\w|\w\w)*$", True),  # exponential backtracking on 60-letter names
    ],
)
def test_a_pathological_regex_returns_with_a_clear_error_within_its_limit(
    instance, resources, results_engine, moldova, monkeypatch, regex, times_out
):
    monkeypatch.setenv("PELICAN_REGEX_TIMEOUT", "1")
    _, dataset_id = moldova
    assert dg.materialize(
        PIPELINE_ASSETS, partition_key="moldova", instance=instance, resources=resources
    ).success
    with results_engine.begin() as conn:
        conn.execute(
            sa.text(
                "UPDATE data_item SET data = jsonb_set(data, '{buyer}', jsonb_build_object('name', :n))"
                " WHERE dataset_id = :id"
            ),
            {"n": "a" * 60 + "!", "id": dataset_id},
        )
        filtered = create_filtered_dataset(
            conn, dataset_by_id(conn, dataset_id), FilterSpec.parse({"buyer_regex": regex}), "f"
        )
    instance.add_dynamic_partitions(datasets.name, ["f"])
    result = dg.materialize(
        [dataset_items], partition_key="f", instance=instance, resources=resources, raise_on_error=False
    )
    with results_engine.connect() as conn:
        progress = get_progress(conn, filtered)
        failure = run_state(conn, filtered).failure
    if times_out:
        assert not result.success
        assert (progress["phase"], progress["state"]) == ("CONTRACTING_PROCESS", "FAILED")
        assert "buyer_regex" in failure and "took longer than its limit of 1 s" in failure
    else:
        assert result.success and progress["state"] == "OK"


def test_the_regex_budget_is_per_filter(monkeypatch):
    # A 1-second budget: no single match reaches it, the matches of one filter together do.
    monkeypatch.setenv("PELICAN_REGEX_TIMEOUT", "1")
    spec = FilterSpec.parse({"buyer_regex": r"^(\w|\w\w)*$"})
    matched = 0
    with pytest.raises(FilterTimeout, match="buyer_regex"):
        for _ in range(100_000):
            spec.matches({"buyer": {"name": "a" * 22 + "!"}})
            matched += 1
    assert matched > 1
